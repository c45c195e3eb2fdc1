import { AnswerloopError } from '../../errors/index.ts';
import type {
  Chunk,
  ChunkStore,
  DocumentSummary,
  EmbeddingSpace,
  LegHit,
  LegSearchRequest,
  LegSearchResult,
  Logger,
  SearchFilters,
  StoredSentence,
} from '../../ports/index.ts';
import { buildFullTextQuery, separateIdeographs } from './full-text-query.ts';
import type { SqliteConnection, SqliteSession } from './sqlite-connection.ts';
import { createVectorCache, type WrittenVector } from './vector-cache.ts';
import { normalise, rowFilter, type VectorIndexOptions } from './vector-index.ts';

type KnowledgeMethods = Omit<ChunkStore, 'kind' | 'health' | 'close'>;

interface ChunkRow {
  seq: number;
  id: string;
  doc_id: string;
  source: string;
  title: string;
  heading_path: string;
  text: string;
  embedding?: Buffer;
  sentences?: string | null;
  sentence_vectors?: Buffer | null;
  tags: string;
  updated_at: string;
  content_hash: string;
  document_hash: string;
  ordinal: number;
}

const spaceKey = 'embedding_space';
const chunkColumns =
  'c.seq AS seq, c.id AS id, c.doc_id AS doc_id, c.source AS source, c.title AS title, c.heading_path AS heading_path, ' +
  'c.tags AS tags, c.updated_at AS updated_at, c.content_hash AS content_hash, c.document_hash AS document_hash, c.ordinal AS ordinal, ' +
  'contents.text AS text';
const chunksWithText = 'chunks AS c JOIN chunk_contents AS contents ON contents.seq = c.seq';

/** Float32 vectors packed one after another: the sentence vectors of a passage in one blob. */
function packVectors(vectors: readonly number[][]): Buffer {
  const packed = new Float32Array(vectors.reduce((sum, vector) => sum + vector.length, 0));
  let offset = 0;
  for (const vector of vectors) {
    packed.set(vector, offset);
    offset += vector.length;
  }
  return Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
}

function storedSentences(row: ChunkRow, dimensions: number): StoredSentence[] | undefined {
  if (row.sentences === null || row.sentences === undefined || !row.sentence_vectors) return undefined;
  const texts = JSON.parse(row.sentences) as string[];
  // Copy into an aligned buffer: the blob's bytes may start at any offset.
  const all = new Float32Array(Uint8Array.from(row.sentence_vectors).buffer);
  return texts.map((text, index) => ({
    text,
    vector: Array.from(all.subarray(index * dimensions, (index + 1) * dimensions)),
  }));
}

function rowToChunk(row: ChunkRow): Chunk {
  let embedding: number[] = [];
  if (row.embedding) {
    // Copy into an aligned buffer: the blob's bytes may start at any offset.
    embedding = Array.from(new Float32Array(Uint8Array.from(row.embedding).buffer));
  }
  const sentences = row.sentences === undefined ? undefined : storedSentences(row, embedding.length);
  return {
    ...(sentences ? { sentences } : {}),
    id: row.id,
    docId: row.doc_id,
    source: row.source,
    title: row.title,
    headingPath: JSON.parse(row.heading_path) as string[],
    text: row.text,
    embedding,
    tags: JSON.parse(row.tags) as string[],
    updatedAt: row.updated_at,
    contentHash: row.content_hash,
    documentHash: row.document_hash,
    ordinal: row.ordinal,
  };
}

function rebuildMessage(file: string, recorded: EmbeddingSpace, wanted: EmbeddingSpace): string {
  return (
    `The knowledge base in ${file} was embedded with ${recorded.embedderId} (${recorded.dimensions} dimensions), ` +
    `but the configured embedder is ${wanted.embedderId} (${wanted.dimensions} dimensions). ` +
    'Run `answerloop ingest --rebuild` to embed every document again with the new embedder, or configure the old one back.'
  );
}

/** SQL conditions on the chunk alias `c` for the request's filters; empty lists filter nothing. */
function filterConditions(filters: SearchFilters): { sql: string; parameters: string[] } {
  const conditions: string[] = [];
  const parameters: string[] = [];
  if (filters.tags && filters.tags.length > 0) {
    conditions.push('c.seq IN (SELECT seq FROM chunk_tags WHERE tag IN (SELECT value FROM json_each(?)))');
    parameters.push(JSON.stringify(filters.tags));
  }
  if (filters.sourcePrefixes && filters.sourcePrefixes.length > 0) {
    // substr comparison, not LIKE: a prefix is literal text, '_' and '%' included.
    conditions.push(
      'EXISTS (SELECT 1 FROM json_each(?) AS prefix WHERE substr(c.source, 1, length(prefix.value)) = prefix.value)',
    );
    parameters.push(JSON.stringify(filters.sourcePrefixes));
  }
  return { sql: conditions.map((condition) => ` AND ${condition}`).join(''), parameters };
}

/** Chunks, their full-text index and their vectors: the ChunkStore half of the embedded store. */
export function createKnowledgeTables(
  session: SqliteSession,
  logger: Logger,
  vectorIndex: VectorIndexOptions = {},
): KnowledgeMethods {
  // The in-memory vector index: reloaded after another process's commit, updated in place after our own writes.
  const vectors = createVectorCache(logger, vectorIndex);

  const readSpace = (connection: SqliteConnection): EmbeddingSpace | undefined => {
    const row = connection.statement('SELECT value FROM meta WHERE key = ?').get(spaceKey) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as EmbeddingSpace) : undefined;
  };

  const requireSpace = (connection: SqliteConnection): EmbeddingSpace => {
    const space = readSpace(connection);
    if (!space) {
      throw new AnswerloopError(
        'store_failed',
        `The embedded store ${session.file} has no embedding space yet: it must be initialised before use.`,
      );
    }
    return space;
  };

  const checkDimensions = (space: EmbeddingSpace, length: number, what: string) => {
    if (length !== space.dimensions) {
      throw new AnswerloopError(
        'dimension_mismatch',
        `${what} has ${length} dimensions but the knowledge base in ${session.file} holds ${space.dimensions}-dimension vectors from ${space.embedderId}. ` +
          'Run `answerloop ingest --rebuild` after changing the embedder.',
      );
    }
  };

  const removeDocument = (connection: SqliteConnection, docId: string) => {
    const seqs = connection
      .statement('SELECT seq FROM chunks WHERE doc_id = ?')
      .pluck()
      .all(docId) as number[];
    const deleteIndexed = connection.statement('DELETE FROM chunk_search WHERE rowid = ?');
    for (const seq of seqs) deleteIndexed.run(seq);
    // Contents and tags go with their chunk (ON DELETE CASCADE).
    connection.statement('DELETE FROM chunks WHERE doc_id = ?').run(docId);
    return seqs;
  };

  const chunksBySeq = (connection: SqliteConnection, seqs: number[]): Map<number, Chunk> => {
    const found = new Map<number, Chunk>();
    if (seqs.length === 0) return found;
    const rows = connection
      .statement(
        `SELECT ${chunkColumns} FROM ${chunksWithText} WHERE c.seq IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(seqs)) as ChunkRow[];
    for (const row of rows) found.set(row.seq, rowToChunk(row));
    return found;
  };

  const bm25Leg = (
    connection: SqliteConnection,
    request: LegSearchRequest,
  ): Array<{ seq: number; score: number }> => {
    const match = request.text === undefined ? undefined : buildFullTextQuery(request.text);
    if (match === undefined || request.k <= 0) return [];
    const filters = filterConditions(request.filters);
    const { title, headings, text } = request.boosts;
    // bm25() is lower-is-better and negative; its negation is the usual positive BM25 score.
    if (filters.parameters.length === 0) {
      // No filter: rank inside the full-text index alone, without touching the chunk rows.
      return connection
        .statement(
          `SELECT rowid AS seq, -bm25(chunk_search, ?, ?, ?) AS score FROM chunk_search
           WHERE chunk_search MATCH ? ORDER BY score DESC, rowid LIMIT ?`,
        )
        .all(title, headings, text, match, request.k) as Array<{ seq: number; score: number }>;
    }
    return connection
      .statement(
        `SELECT c.seq AS seq, -bm25(chunk_search, ?, ?, ?) AS score
         FROM chunk_search JOIN chunks AS c ON c.seq = chunk_search.rowid
         WHERE chunk_search MATCH ?${filters.sql}
         ORDER BY score DESC, c.seq
         LIMIT ?`,
      )
      .all(title, headings, text, match, ...filters.parameters, request.k) as Array<{
      seq: number;
      score: number;
    }>;
  };

  return {
    async init(space) {
      session.run('initialise', (connection) =>
        connection.write(() => {
          const recorded = readSpace(connection);
          if (!recorded) {
            connection
              .statement('INSERT INTO meta (key, value) VALUES (?, ?)')
              .run(spaceKey, JSON.stringify(space));
            return;
          }
          if (recorded.embedderId !== space.embedderId || recorded.dimensions !== space.dimensions) {
            throw new AnswerloopError('dimension_mismatch', rebuildMessage(session.file, recorded, space), {
              details: { file: session.file, recorded, wanted: space },
            });
          }
        }),
      );
    },

    async embeddingSpace() {
      return session.run('read the embedding space', readSpace);
    },

    async resetKnowledge() {
      session.run('reset the knowledge base', (connection) =>
        connection.write(() => {
          connection.statement("INSERT INTO chunk_search (chunk_search) VALUES ('delete-all')").run();
          connection.statement('DELETE FROM chunk_tags').run();
          connection.statement('DELETE FROM chunk_contents').run();
          connection.statement('DELETE FROM chunks').run();
          connection.statement('DELETE FROM meta WHERE key = ?').run(spaceKey);
        }),
      );
      vectors.clear();
    },

    async listDocuments() {
      return session.run('list documents', (connection) => {
        const rows = connection
          .statement(
            `SELECT c.doc_id AS doc_id, c.source AS source, c.title AS title, c.document_hash AS document_hash,
               count(*) AS chunk_count, max(c.updated_at) AS updated_at,
               max(contents.sentences IS NULL) AS without_sentences
             FROM ${chunksWithText} GROUP BY c.doc_id ORDER BY c.doc_id`,
          )
          .all() as Array<{
          doc_id: string;
          source: string;
          title: string;
          document_hash: string;
          chunk_count: number;
          updated_at: string;
          without_sentences: number;
        }>;
        return rows.map((row): DocumentSummary => ({
          docId: row.doc_id,
          source: row.source,
          title: row.title,
          documentHash: row.document_hash,
          chunkCount: row.chunk_count,
          updatedAt: row.updated_at,
          ...(row.without_sentences ? { withoutSentences: true } : {}),
        }));
      });
    },

    async replaceDocument(docId, chunks) {
      session.run('write a document', (connection) => {
        const space = requireSpace(connection);
        for (const chunk of chunks) {
          if (chunk.docId !== docId) {
            throw new AnswerloopError(
              'input_invalid',
              `Chunk ${chunk.id} belongs to ${chunk.docId}, not to ${docId}.`,
            );
          }
          checkDimensions(space, chunk.embedding.length, `The embedding of chunk ${chunk.id}`);
          for (const sentence of chunk.sentences ?? [])
            checkDimensions(space, sentence.vector.length, `A sentence vector of chunk ${chunk.id}`);
        }
        const insertChunk = connection.statement(
          `INSERT INTO chunks (id, doc_id, source, tags, title, heading_path, updated_at, content_hash, document_hash, ordinal)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        const insertContents = connection.statement(
          'INSERT INTO chunk_contents (seq, text, embedding, sentences, sentence_vectors) VALUES (?, ?, ?, ?, ?)',
        );
        const insertTag = connection.statement('INSERT OR IGNORE INTO chunk_tags (tag, seq) VALUES (?, ?)');
        const insertIndexed = connection.statement(
          'INSERT INTO chunk_search (rowid, title, headings, text) VALUES (?, ?, ?, ?)',
        );
        // Delete and insert in one transaction: a reader or a crash sees the old document or the new one, never a mix.
        const added: WrittenVector[] = [];
        const removed = connection.write(() => {
          added.length = 0;
          const removedSeqs = removeDocument(connection, docId);
          for (const chunk of chunks) {
            const vector = normalise(chunk.embedding);
            const { lastInsertRowid } = insertChunk.run(
              chunk.id,
              chunk.docId,
              chunk.source,
              JSON.stringify(chunk.tags),
              chunk.title,
              JSON.stringify(chunk.headingPath),
              chunk.updatedAt,
              chunk.contentHash,
              chunk.documentHash,
              chunk.ordinal,
            );
            insertContents.run(
              lastInsertRowid,
              chunk.text,
              Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
              chunk.sentences ? JSON.stringify(chunk.sentences.map((sentence) => sentence.text)) : null,
              chunk.sentences
                ? packVectors(chunk.sentences.map((sentence) => Array.from(normalise(sentence.vector))))
                : null,
            );
            added.push({
              row: { seq: Number(lastInsertRowid), source: chunk.source, tags: chunk.tags },
              vector,
              identity: `${chunk.id}\n${chunk.documentHash}\n${chunk.contentHash}`,
            });
            for (const tag of chunk.tags) insertTag.run(tag, lastInsertRowid);
            insertIndexed.run(
              lastInsertRowid,
              separateIdeographs(chunk.title),
              separateIdeographs(chunk.headingPath.join('\n')),
              separateIdeographs(chunk.text),
            );
          }
          return removedSeqs;
        });
        vectors.written(connection, removed, added);
      });
    },

    async deleteDocument(docId) {
      session.run('delete a document', (connection) =>
        vectors.written(
          connection,
          connection.write(() => removeDocument(connection, docId)),
          [],
        ),
      );
    },

    async getChunks(ids) {
      if (ids.length === 0) return [];
      return session.run('read chunks', (connection) => {
        const rows = connection
          .statement(
            `SELECT ${chunkColumns}, contents.embedding AS embedding, contents.sentences AS sentences,
               contents.sentence_vectors AS sentence_vectors
             FROM ${chunksWithText} WHERE c.id IN (SELECT value FROM json_each(?))`,
          )
          .all(JSON.stringify(ids)) as ChunkRow[];
        const position = new Map(ids.map((id, index) => [id, index]));
        return rows.map(rowToChunk).sort((a, b) => position.get(a.id)! - position.get(b.id)!);
      });
    },

    async counts() {
      return session.run('count documents', (connection) => {
        const row = connection
          .statement('SELECT count(DISTINCT doc_id) AS documents, count(*) AS chunks FROM chunks')
          .get() as {
          documents: number;
          chunks: number;
        };
        return { documents: row.documents, chunks: row.chunks };
      });
    },

    async chunksWithoutSentences() {
      return session.run(
        'count passages without sentence vectors',
        (connection) =>
          (
            connection
              .statement('SELECT count(*) AS n FROM chunk_contents WHERE sentences IS NULL')
              .get() as { n: number }
          ).n,
      );
    },

    async passageCounts(docIds) {
      const wanted = [...new Set(docIds)];
      if (wanted.length === 0) return new Map<string, number>();
      return session.run('count passages per document', (connection) => {
        const rows = connection
          .statement(
            `SELECT doc_id, count(*) AS n FROM chunks WHERE doc_id IN (SELECT value FROM json_each(?)) GROUP BY doc_id`,
          )
          .all(JSON.stringify(wanted)) as Array<{ doc_id: string; n: number }>;
        return new Map(rows.map((row) => [row.doc_id, row.n]));
      });
    },

    async termChunkCounts(words) {
      return session.run('count terms', (connection) => {
        const total = (
          connection.statement('SELECT count(*) AS chunks FROM chunks').get() as { chunks: number }
        ).chunks;
        // FTS5 runs the query through the index's own tokenizer (porter stemming), as a search would.
        const countOne = connection.statement(
          'SELECT count(*) AS n FROM chunk_search WHERE chunk_search MATCH ?',
        );
        const counts = words.map((word) => {
          const match = buildFullTextQuery(word);
          return match === undefined ? 0 : (countOne.get(match) as { n: number }).n;
        });
        return { chunks: total, counts };
      });
    },

    async searchLegs(request): Promise<LegSearchResult> {
      const started = performance.now();
      return session.run('search', (connection) =>
        // One read transaction: both legs and the chunk bodies come from the same snapshot of the file.
        connection.database.transaction(() => {
          let vectorHits: Array<{ seq: number; score: number }> = [];
          if (request.vector !== undefined && request.k > 0) {
            const space = requireSpace(connection);
            checkDimensions(space, request.vector.length, 'The query vector');
            vectorHits = vectors
              .index(connection, space.dimensions)
              .search(normalise(request.vector), request.k, rowFilter(request.filters));
          }
          const bm25Hits = bm25Leg(connection, request);
          const chunks = chunksBySeq(connection, [
            ...new Set([...bm25Hits, ...vectorHits].map((hit) => hit.seq)),
          ]);
          const toHits = (hits: Array<{ seq: number; score: number }>): LegHit[] =>
            hits.flatMap((hit) => {
              const chunk = chunks.get(hit.seq);
              return chunk ? [{ chunk, score: hit.score }] : [];
            });
          return {
            bm25: toHits(bm25Hits),
            vector: toHits(vectorHits),
            engineTookMs: performance.now() - started,
          };
        })(),
      );
    },
  };
}
