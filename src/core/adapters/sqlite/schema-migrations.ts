/**
 * The embedded store's schema, as plain SQL migrations. `PRAGMA user_version` records the last one
 * applied; each runs once, in its own transaction, in order. Never edit a released migration: add one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    description: 'knowledge, conversations, datasets, models, key-value',
    sql: `
      -- Store-wide facts, such as the embedding space the vectors belong to.
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- seq is the integer key the full-text index, tags, contents and the vector cache refer to.
      -- Narrow on purpose: searches join it for every BM25 match, so the large text and vector live apart.
      CREATE TABLE chunks (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        doc_id TEXT NOT NULL,
        source TEXT NOT NULL,
        tags TEXT NOT NULL,                -- JSON array of strings
        title TEXT NOT NULL,
        heading_path TEXT NOT NULL,        -- JSON array of strings
        updated_at TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        document_hash TEXT NOT NULL,
        ordinal INTEGER NOT NULL
      );
      CREATE INDEX chunks_by_document ON chunks (doc_id, ordinal);

      CREATE TABLE chunk_contents (
        seq INTEGER PRIMARY KEY REFERENCES chunks (seq) ON DELETE CASCADE,
        text TEXT NOT NULL,
        embedding BLOB NOT NULL            -- little-endian Float32, unit length
      );

      -- Tags one per row, so a tag filter is an index lookup rather than JSON parsing per chunk.
      CREATE TABLE chunk_tags (
        tag TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES chunks (seq) ON DELETE CASCADE,
        PRIMARY KEY (tag, seq)
      ) WITHOUT ROWID;
      CREATE INDEX chunk_tags_by_chunk ON chunk_tags (seq);

      -- BM25 over three weighted columns. Contentless: the text lives once, in chunks; rows are deleted by seq.
      -- porter over unicode61: English stemming, case folding, accents folded on both sides.
      CREATE VIRTUAL TABLE chunk_search USING fts5(
        title, headings, text,
        content = '', contentless_delete = 1,
        tokenize = 'porter unicode61 remove_diacritics 2'
      );

      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        channel TEXT NOT NULL,
        thread TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        verdict INTEGER NOT NULL,          -- review order: 0 not helpful, 1 no verdict, 2 helpful
        review_status TEXT NOT NULL,
        refused INTEGER NOT NULL,
        confidence REAL NOT NULL,
        stale INTEGER NOT NULL,
        record TEXT NOT NULL               -- the whole ConversationRecord as JSON
      );
      CREATE INDEX conversations_by_time ON conversations (created_at_ms);
      CREATE INDEX conversations_for_review ON conversations (verdict, created_at_ms);
      CREATE INDEX conversations_by_place ON conversations (platform, channel, thread);

      -- Which documents each conversation cited, so a changed document finds its conversations fast.
      CREATE TABLE conversation_citations (
        doc_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        PRIMARY KEY (doc_id, conversation_id)
      ) WITHOUT ROWID;

      CREATE TABLE datasets (
        name TEXT PRIMARY KEY,
        record TEXT NOT NULL
      );

      CREATE TABLE examples (
        id TEXT PRIMARY KEY,
        dataset TEXT NOT NULL,
        stale INTEGER NOT NULL,
        origin_conversation_id TEXT,
        source_doc_ids TEXT NOT NULL,      -- JSON array of strings
        created_at TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX examples_by_dataset ON examples (dataset);
      CREATE INDEX examples_by_origin ON examples (origin_conversation_id);

      CREATE TABLE dataset_versions (
        dataset TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (dataset, version)
      );

      CREATE TABLE models (
        name TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        record TEXT NOT NULL
      );

      CREATE TABLE training_jobs (
        id TEXT PRIMARY KEY,
        created_at_ms INTEGER NOT NULL,
        record TEXT NOT NULL
      );

      CREATE TABLE evaluations (
        id TEXT PRIMARY KEY,
        candidate TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX evaluations_by_candidate ON evaluations (candidate, created_at_ms);

      CREATE TABLE key_values (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'coordination records: delivery claims, leases, shared counters',
    sql: `
      -- version grows by one on every write; conditional updates compare it, so of two writers one wins.
      CREATE TABLE coordination (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        due_at_ms INTEGER NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
      ) WITHOUT ROWID;
      CREATE INDEX coordination_due ON coordination (namespace, state, due_at_ms);
    `,
  },
  {
    version: 3,
    description: 'thread messages: what the bot received and posted in its threads',
    sql: `
      CREATE TABLE thread_messages (
        platform TEXT NOT NULL,
        channel TEXT NOT NULL,
        message_id TEXT NOT NULL,
        thread TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        answers TEXT,                      -- the bot's messages: the question they answer
        record TEXT NOT NULL,              -- the whole ThreadMessage as JSON
        PRIMARY KEY (platform, channel, message_id)
      ) WITHOUT ROWID;
      CREATE INDEX thread_messages_by_thread ON thread_messages (platform, channel, thread, at_ms);
      CREATE INDEX thread_messages_by_question ON thread_messages (platform, channel, answers);
    `,
  },
  {
    version: 4,
    description: 'sentence vectors stored with each passage',
    sql: `
      -- NULL for a passage stored before sentence vectors were kept: answering embeds its sentences until it is
      -- ingested again.
      ALTER TABLE chunk_contents ADD COLUMN sentences TEXT;           -- JSON array of the sentence texts
      ALTER TABLE chunk_contents ADD COLUMN sentence_vectors BLOB;    -- their vectors, Float32, one after another
    `,
  },
  {
    version: 5,
    description: 'thread messages by time, for the retention clean-up',
    sql: `
      CREATE INDEX thread_messages_by_time ON thread_messages (at_ms);
    `,
  },
];

export const latestSchemaVersion = migrations.at(-1)!.version;
