import { errors } from '@elastic/elasticsearch';
import pRetry from 'p-retry';
import { AnswerloopError } from '../../errors/index.ts';
import type { CoordinationRecord, CoordinationStore, CoordinationWrite } from '../../ports/index.ts';
import { isIndexMissing, retryWhileShardStarts } from './elasticsearch-errors.ts';
import { keyValueId } from './key-values.ts';
import type { StoreContext } from './store-context.ts';

interface CoordinationDocument {
  record_id: string;
  record: { value: string };
  namespace: string;
  key: string;
  state: string;
  due_at: number;
}

/** The version token: a write is conditional on both numbers, as Elasticsearch's optimistic concurrency control asks. */
const versionOf = (seqNo: number | undefined, primaryTerm: number | undefined) =>
  `${seqNo ?? -1}:${primaryTerm ?? -1}`;

function parseVersion(version: string): { if_seq_no: number; if_primary_term: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(version);
  return match ? { if_seq_no: Number(match[1]), if_primary_term: Number(match[2]) } : undefined;
}

/** Tries at one increment before giving up; many processes must hammer one user's counter at once to need them all. */
const maxCounterAttempts = 50;

/** Another process wrote the counter between our read and our conditional write. */
class LostCounterRace extends Error {}

const isConflict = (error: unknown) => error instanceof errors.ResponseError && error.statusCode === 409;
const isNotFound = (error: unknown) => error instanceof errors.ResponseError && error.statusCode === 404;

/**
 * Claims, leases and counters on Elasticsearch: `create` for the first write, `if_seq_no` / `if_primary_term`
 * for every later one, so the cluster itself decides which of two racing processes wins. Reads by id are
 * real-time; only listing due records searches, after a refresh of this small index.
 */
export function createCoordinationRecords(context: StoreContext): Omit<CoordinationStore, 'prepare'> {
  const { client } = context;
  const alias = context.names.records.coordination.alias;
  const document = (namespace: string, key: string, write: CoordinationWrite): CoordinationDocument => ({
    record_id: keyValueId(namespace, key),
    record: { value: write.value },
    namespace,
    key,
    state: write.state,
    due_at: Math.round(write.dueAt),
  });
  const stored = (
    key: string,
    write: CoordinationWrite,
    seqNo: number | undefined,
    primaryTerm: number | undefined,
  ): CoordinationRecord => ({
    key,
    version: versionOf(seqNo, primaryTerm),
    state: write.state,
    dueAt: Math.round(write.dueAt),
    value: write.value,
  });

  const records: Omit<CoordinationStore, 'prepare'> = {
    async readRecord(namespace, key) {
      const id = keyValueId(namespace, key);
      try {
        const response = await retryWhileShardStarts(() =>
          client.get<CoordinationDocument>({ index: alias, id }),
        );
        const source = response._source;
        if (!source) return undefined;
        return {
          key,
          version: versionOf(response._seq_no, response._primary_term),
          state: source.state,
          dueAt: source.due_at,
          value: source.record.value,
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw context.translate(error, `read coordination record ${id}`);
      }
    },

    async createRecord(namespace, key, write) {
      await context.ensureRecordIndex('coordination');
      const id = keyValueId(namespace, key);
      try {
        const response = await retryWhileShardStarts(() =>
          client.index({
            index: alias,
            id,
            document: document(namespace, key, write),
            op_type: 'create',
            require_alias: true,
          }),
        );
        return stored(key, write, response._seq_no, response._primary_term);
      } catch (error) {
        if (isConflict(error)) return undefined;
        throw context.translate(error, `create coordination record ${id}`);
      }
    },

    async replaceRecord(namespace, key, write, version) {
      const expected = parseVersion(version);
      if (!expected) return undefined;
      await context.ensureRecordIndex('coordination');
      const id = keyValueId(namespace, key);
      try {
        const response = await retryWhileShardStarts(() =>
          client.index({
            index: alias,
            id,
            document: document(namespace, key, write),
            ...expected,
            require_alias: true,
          }),
        );
        return stored(key, write, response._seq_no, response._primary_term);
      } catch (error) {
        // 409: someone wrote since our read (or deleted it: a conditional write on a missing id conflicts too).
        if (isConflict(error)) return undefined;
        throw context.translate(error, `replace coordination record ${id}`);
      }
    },

    async deleteRecord(namespace, key, version) {
      const expected = parseVersion(version);
      if (!expected) return false;
      const id = keyValueId(namespace, key);
      try {
        await retryWhileShardStarts(() => client.delete({ index: alias, id, ...expected }));
        return true;
      } catch (error) {
        if (isConflict(error) || isNotFound(error)) return false;
        throw context.translate(error, `delete coordination record ${id}`);
      }
    },

    async incrementCounter(namespace, key, { by, dueAt }) {
      const step = Math.trunc(by);
      // This node runs no scripts (no painless), so an increment is a compare-and-set: read the counter, write it
      // back conditional on the version read, and read again when another process came first. Each write that
      // succeeds is one increment; none is lost or counted twice.
      const countOnce = async (): Promise<number> => {
        const current = await records.readRecord(namespace, key);
        if (!current) {
          const created = await records.createRecord(namespace, key, {
            state: 'counter',
            dueAt,
            value: String(step),
          });
          if (created) return step;
        } else {
          const count = (Number(current.value) || 0) + step;
          const written = await records.replaceRecord(
            namespace,
            key,
            { state: current.state, dueAt: current.dueAt, value: String(count) },
            current.version,
          );
          if (written) return count;
        }
        throw new LostCounterRace();
      };
      try {
        // Lost a race: back off a little, randomly and more with every try, so many writers of one counter spread out.
        return await pRetry(countOnce, {
          retries: maxCounterAttempts - 1,
          minTimeout: 1,
          factor: 1.1,
          maxTimeout: 50,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof LostCounterRace,
        });
      } catch (error) {
        if (!(error instanceof LostCounterRace)) throw error;
        throw new AnswerloopError(
          'store_unavailable',
          `Elasticsearch: counter ${namespace}/${key} changed under every one of ${maxCounterAttempts} attempts to count in it`,
          { isRetryable: true },
        );
      }
    },

    async listDueRecords(namespace, query) {
      const size = Math.max(0, Math.floor(query.limit));
      if (size === 0 || query.states.length === 0) return [];
      try {
        // Writes skip the refresh (they are many, this is one search every few seconds); the list must see them.
        await retryWhileShardStarts(() => client.indices.refresh({ index: alias }));
        const response = await retryWhileShardStarts(() =>
          client.search<CoordinationDocument>({
            index: alias,
            query: {
              bool: {
                filter: [
                  { term: { namespace } },
                  { terms: { state: query.states } },
                  { range: { due_at: { lte: Math.round(query.dueBefore) } } },
                ],
              },
            },
            sort: [{ due_at: 'asc' }, { record_id: 'asc' }],
            size,
            seq_no_primary_term: true,
          }),
        );
        return response.hits.hits.flatMap((hit) =>
          hit._source
            ? [
                {
                  key: hit._source.key,
                  version: versionOf(hit._seq_no, hit._primary_term),
                  state: hit._source.state,
                  dueAt: hit._source.due_at,
                  value: hit._source.record.value,
                },
              ]
            : [],
        );
      } catch (error) {
        if (isIndexMissing(error)) return [];
        throw context.translate(error, `list due ${namespace} records`);
      }
    },
  };
  return records;
}
