import { AnswerloopError, InputError } from '../../errors/index.ts';
import type {
  ConversationQuery,
  ConversationRecord,
  ConversationStore,
  DatasetRecord,
  DatasetStore,
  DatasetVersionRecord,
  EvaluationRecord,
  ExampleRecord,
  KeyValueStore,
  ModelRecord,
  ModelRegistry,
  TrainingJobRecord,
} from '../../ports/index.ts';
import type { SqliteSession } from './sqlite-connection.ts';

type RecordMethods = ConversationStore & DatasetStore & ModelRegistry & KeyValueStore;

/** Times are compared as numbers, so ISO strings with and without milliseconds or offsets still order right. */
function epochMs(iso: string, field: string): number {
  const value = Date.parse(iso);
  if (Number.isNaN(value))
    throw new InputError(`${field} must be an ISO-8601 time, got ${JSON.stringify(iso)}.`);
  return value;
}

/** The review order's groups: what needs a look first comes first. */
function verdictOf(record: ConversationRecord): 0 | 1 | 2 {
  if (record.feedback?.helpful === false) return 0;
  if (record.feedback?.helpful === true) return 2;
  return 1;
}

const verdictCondition: Record<NonNullable<ConversationQuery['feedback']>, string> = {
  not_helpful: 'verdict = 0',
  none: 'verdict = 1',
  helpful: 'verdict = 2',
  any: 'verdict IN (0, 2)',
};

const conversationOrder: Record<NonNullable<ConversationQuery['order']>, string> = {
  newest: 'created_at_ms DESC, id DESC',
  oldest: 'created_at_ms ASC, id ASC',
  review: 'verdict ASC, created_at_ms DESC, id DESC',
};

function conversationConditions(query: ConversationQuery): { where: string; parameters: unknown[] } {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const add = (condition: string, ...values: unknown[]) => {
    conditions.push(condition);
    parameters.push(...values);
  };
  if (query.feedback) add(verdictCondition[query.feedback]);
  if (query.reviewStatus && query.reviewStatus.length > 0)
    add('review_status IN (SELECT value FROM json_each(?))', JSON.stringify(query.reviewStatus));
  if (query.platform !== undefined) add('platform = ?', query.platform);
  if (query.channel !== undefined) add('channel = ?', query.channel);
  if (query.thread !== undefined) add('thread = ?', query.thread);
  if (query.refused !== undefined) add('refused = ?', query.refused ? 1 : 0);
  // Read from the record itself: a rare filter, and older records simply lack the field.
  if (query.silent !== undefined)
    add("coalesce(json_extract(record, '$.silent'), 0) = ?", query.silent ? 1 : 0);
  if (query.stale !== undefined) add('stale = ?', query.stale ? 1 : 0);
  if (query.minConfidence !== undefined) add('confidence >= ?', query.minConfidence);
  if (query.maxConfidence !== undefined) add('confidence <= ?', query.maxConfidence);
  if (query.since !== undefined) add('created_at_ms >= ?', epochMs(query.since, 'since'));
  if (query.until !== undefined) add('created_at_ms <= ?', epochMs(query.until, 'until'));
  if (query.citedDocId !== undefined)
    add('id IN (SELECT conversation_id FROM conversation_citations WHERE doc_id = ?)', query.citedDocId);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', parameters };
}

const parse = <T>(json: string): T => JSON.parse(json) as T;

/** Conversations, datasets, models and small values: filterable columns plus the whole record as JSON. */
export function createRecordTables(session: SqliteSession): RecordMethods {
  return {
    async saveConversation(record) {
      const createdAtMs = epochMs(record.createdAt, 'createdAt');
      session.run('save a conversation', (connection) =>
        connection.write(() => {
          connection
            .statement(
              `INSERT INTO conversations (id, platform, channel, thread, created_at_ms, verdict, review_status, refused, confidence, stale, record)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET platform = excluded.platform, channel = excluded.channel, thread = excluded.thread,
                 created_at_ms = excluded.created_at_ms, verdict = excluded.verdict, review_status = excluded.review_status,
                 refused = excluded.refused, confidence = excluded.confidence, stale = excluded.stale, record = excluded.record`,
            )
            .run(
              record.id,
              record.platform,
              record.channel,
              record.thread,
              createdAtMs,
              verdictOf(record),
              record.reviewStatus,
              record.refused ? 1 : 0,
              record.confidence,
              record.stale ? 1 : 0,
              JSON.stringify(record),
            );
          connection.statement('DELETE FROM conversation_citations WHERE conversation_id = ?').run(record.id);
          const cite = connection.statement(
            'INSERT OR IGNORE INTO conversation_citations (doc_id, conversation_id) VALUES (?, ?)',
          );
          for (const source of record.sources) cite.run(source.docId, record.id);
        }),
      );
    },

    async getConversation(id) {
      return session.run('read a conversation', (connection) => {
        const json = connection.statement('SELECT record FROM conversations WHERE id = ?').pluck().get(id) as
          string | undefined;
        return json === undefined ? undefined : parse<ConversationRecord>(json);
      });
    },

    async listConversations(query) {
      const { where, parameters } = conversationConditions(query);
      const order = conversationOrder[query.order ?? 'newest'];
      // LIMIT -1 is SQLite's "no limit".
      const limit = query.limit ?? -1;
      const offset = Math.max(0, query.offset ?? 0);
      return session.run('list conversations', (connection) =>
        connection.database.transaction(() => {
          const total = connection
            .statement(`SELECT count(*) FROM conversations ${where}`)
            .pluck()
            .get(...parameters) as number;
          const items = (
            connection
              .statement(`SELECT record FROM conversations ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
              .pluck()
              .all(...parameters, limit, offset) as string[]
          ).map((json) => parse<ConversationRecord>(json));
          return { items, total };
        })(),
      );
    },

    async saveDataset(dataset) {
      session.run('save a dataset', (connection) =>
        connection
          .statement(
            'INSERT INTO datasets (name, record) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET record = excluded.record',
          )
          .run(dataset.name, JSON.stringify(dataset)),
      );
    },

    async listDatasets() {
      return session.run('list datasets', (connection) =>
        (connection.statement('SELECT record FROM datasets ORDER BY name').pluck().all() as string[]).map(
          (json) => parse<DatasetRecord>(json),
        ),
      );
    },

    async saveExample(example) {
      session.run('save an example', (connection) =>
        connection
          .statement(
            `INSERT INTO examples (id, dataset, stale, origin_conversation_id, source_doc_ids, created_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET dataset = excluded.dataset, stale = excluded.stale, origin_conversation_id = excluded.origin_conversation_id,
               source_doc_ids = excluded.source_doc_ids, created_at = excluded.created_at, record = excluded.record`,
          )
          .run(
            example.id,
            example.dataset,
            example.stale ? 1 : 0,
            example.originConversationId,
            JSON.stringify(example.sourceDocIds),
            example.createdAt,
            JSON.stringify(example),
          ),
      );
    },

    async getExample(id) {
      return session.run('read an example', (connection) => {
        const json = connection.statement('SELECT record FROM examples WHERE id = ?').pluck().get(id) as
          string | undefined;
        return json === undefined ? undefined : parse<ExampleRecord>(json);
      });
    },

    async listExamples(query) {
      const conditions: string[] = [];
      const parameters: unknown[] = [];
      if (query.dataset !== undefined) {
        conditions.push('dataset = ?');
        parameters.push(query.dataset);
      }
      if (query.stale !== undefined) {
        conditions.push('stale = ?');
        parameters.push(query.stale ? 1 : 0);
      }
      if (query.originConversationId !== undefined) {
        conditions.push('origin_conversation_id = ?');
        parameters.push(query.originConversationId);
      }
      if (query.sourceDocId !== undefined) {
        conditions.push('EXISTS (SELECT 1 FROM json_each(source_doc_ids) WHERE value = ?)');
        parameters.push(query.sourceDocId);
      }
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      return session.run('list examples', (connection) =>
        (
          connection
            .statement(`SELECT record FROM examples ${where} ORDER BY created_at, id`)
            .pluck()
            .all(...parameters) as string[]
        ).map((json) => parse<ExampleRecord>(json)),
      );
    },

    async deleteExample(id) {
      session.run('delete an example', (connection) =>
        connection.statement('DELETE FROM examples WHERE id = ?').run(id),
      );
    },

    async saveDatasetVersion(version) {
      const createdAtMs = epochMs(version.createdAt, 'createdAt');
      session.run('save a dataset version', (connection) => {
        // INSERT without REPLACE: the primary key is what keeps versions immutable.
        const { changes } = connection
          .statement(
            'INSERT OR IGNORE INTO dataset_versions (dataset, version, created_at_ms, record) VALUES (?, ?, ?, ?)',
          )
          .run(version.dataset, version.version, createdAtMs, JSON.stringify(version));
        if (changes === 0) {
          throw new AnswerloopError(
            'conflict',
            `Dataset ${version.dataset} already has version ${version.version}, and versions never change: create a new version instead.`,
            { details: { dataset: version.dataset, version: version.version } },
          );
        }
      });
    },

    async getDatasetVersion(dataset, version) {
      return session.run('read a dataset version', (connection) => {
        const json = connection
          .statement('SELECT record FROM dataset_versions WHERE dataset = ? AND version = ?')
          .pluck()
          .get(dataset, version) as string | undefined;
        return json === undefined ? undefined : parse<DatasetVersionRecord>(json);
      });
    },

    async listDatasetVersions(dataset) {
      return session.run('list dataset versions', (connection) => {
        const statement =
          dataset === undefined
            ? connection.statement(
                'SELECT record FROM dataset_versions ORDER BY created_at_ms DESC, version DESC, dataset',
              )
            : connection.statement(
                'SELECT record FROM dataset_versions WHERE dataset = ? ORDER BY version DESC',
              );
        const rows = (
          dataset === undefined ? statement.pluck().all() : statement.pluck().all(dataset)
        ) as string[];
        return rows.map((json) => parse<DatasetVersionRecord>(json));
      });
    },

    async saveModel(model) {
      const createdAtMs = epochMs(model.createdAt, 'createdAt');
      session.run('save a model', (connection) =>
        connection
          .statement(
            `INSERT INTO models (name, status, created_at_ms, record) VALUES (?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET status = excluded.status, created_at_ms = excluded.created_at_ms, record = excluded.record`,
          )
          .run(model.name, model.status, createdAtMs, JSON.stringify(model)),
      );
    },

    async getModel(name) {
      return session.run('read a model', (connection) => {
        const json = connection.statement('SELECT record FROM models WHERE name = ?').pluck().get(name) as
          string | undefined;
        return json === undefined ? undefined : parse<ModelRecord>(json);
      });
    },

    async listModels() {
      return session.run('list models', (connection) =>
        (
          connection
            .statement('SELECT record FROM models ORDER BY created_at_ms DESC, name')
            .pluck()
            .all() as string[]
        ).map((json) => parse<ModelRecord>(json)),
      );
    },

    async saveTrainingJob(job) {
      const createdAtMs = epochMs(job.createdAt, 'createdAt');
      session.run('save a training job', (connection) =>
        connection
          .statement(
            `INSERT INTO training_jobs (id, created_at_ms, record) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET created_at_ms = excluded.created_at_ms, record = excluded.record`,
          )
          .run(job.id, createdAtMs, JSON.stringify(job)),
      );
    },

    async getTrainingJob(id) {
      return session.run('read a training job', (connection) => {
        const json = connection.statement('SELECT record FROM training_jobs WHERE id = ?').pluck().get(id) as
          string | undefined;
        return json === undefined ? undefined : parse<TrainingJobRecord>(json);
      });
    },

    async listTrainingJobs() {
      return session.run('list training jobs', (connection) =>
        (
          connection
            .statement('SELECT record FROM training_jobs ORDER BY created_at_ms DESC, id DESC')
            .pluck()
            .all() as string[]
        ).map((json) => parse<TrainingJobRecord>(json)),
      );
    },

    async saveEvaluation(evaluation) {
      const createdAtMs = epochMs(evaluation.createdAt, 'createdAt');
      session.run('save an evaluation', (connection) =>
        connection
          .statement(
            `INSERT INTO evaluations (id, candidate, created_at_ms, record) VALUES (?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET candidate = excluded.candidate, created_at_ms = excluded.created_at_ms, record = excluded.record`,
          )
          .run(evaluation.id, evaluation.candidate, createdAtMs, JSON.stringify(evaluation)),
      );
    },

    async listEvaluations(candidate) {
      return session.run('list evaluations', (connection) => {
        const rows = (
          candidate === undefined
            ? connection
                .statement('SELECT record FROM evaluations ORDER BY created_at_ms DESC, id DESC')
                .pluck()
                .all()
            : connection
                .statement(
                  'SELECT record FROM evaluations WHERE candidate = ? ORDER BY created_at_ms DESC, id DESC',
                )
                .pluck()
                .all(candidate)
        ) as string[];
        return rows.map((json) => parse<EvaluationRecord>(json));
      });
    },

    async getValue(namespace, key) {
      return session.run('read a value', (connection) => {
        const value = connection
          .statement('SELECT value FROM key_values WHERE namespace = ? AND key = ?')
          .pluck()
          .get(namespace, key) as string | undefined;
        return value ?? undefined;
      });
    },

    async setValue(namespace, key, value) {
      session.run('write a value', (connection) =>
        connection
          .statement(
            'INSERT INTO key_values (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value',
          )
          .run(namespace, key, value),
      );
    },

    async putIfAbsent(namespace, key, value) {
      // One statement, so two processes sharing the file cannot both win.
      return session.run('claim a value', (connection) => {
        const { changes } = connection
          .statement('INSERT OR IGNORE INTO key_values (namespace, key, value) VALUES (?, ?, ?)')
          .run(namespace, key, value);
        return changes === 1;
      });
    },

    async deleteValues(namespace, limit) {
      return session.run('delete values', (connection) => {
        const { changes } = connection
          .statement(
            'DELETE FROM key_values WHERE namespace = ? AND key IN (SELECT key FROM key_values WHERE namespace = ? LIMIT ?)',
          )
          .run(namespace, namespace, Math.max(0, Math.floor(limit)));
        return changes;
      });
    },

    async listValues(namespace) {
      return session.run(
        'list values',
        (connection) =>
          connection
            .statement('SELECT key, value FROM key_values WHERE namespace = ? ORDER BY key')
            .all(namespace) as Array<{ key: string; value: string }>,
      );
    },
  };
}
