import { Client, SniffingTransport, type TransportOptions } from '@elastic/elasticsearch';
import type { Logger, Store } from '../../ports/index.ts';
import { createChunkIndex } from './chunk-index.ts';
import { createConversationRecords } from './conversations.ts';
import { createCoordinationRecords } from './coordination-records.ts';
import { createDatasetRecords } from './datasets.ts';
import { displayUrl, fromElasticsearchError } from './elasticsearch-errors.ts';
import { ensureIndex, waitForShards } from './index-setup.ts';
import { indexNames, type RecordKind, recordKinds } from './index-names.ts';
import { createKeyValueRecords } from './key-values.ts';
import { searchLegs } from './leg-search.ts';
import { recordIndexDefinition } from './mappings.ts';
import { createModelRecords } from './model-records.ts';
import { checkHealth } from './store-health.ts';
import { createThreadMessageRecords } from './thread-messages.ts';
import type { FieldScoring, StoreContext } from './store-context.ts';

export interface ElasticsearchStoreOptions {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  caFingerprint?: string;
  indexPrefix: string;
  analyzer: string;
  requestTimeoutMs: number;
  maxRetries: number;
  bulkSize: number;
  /** How the BM25 leg scores the fields (see `bm25Query`); default `combined`. */
  fieldScoring?: FieldScoring;
  logger: Logger;
}

/**
 * Seconds to wait before retry `attempt` of a request that could not connect. The client's default waits 1-2 s,
 * then 2-4 s, so a stopped cluster took several seconds to report; a brief blip is over within these short waits.
 */
function promptBackoff(_min: number, _max: number, attempt: number): number {
  return Math.min(0.1 * 2 ** attempt, 1) * (0.5 + Math.random() / 2);
}

/** The client's own transport, but with the prompt retry backoff (the Client has no option for it). */
class PromptRetryTransport extends SniffingTransport {
  constructor(options: TransportOptions) {
    super({ ...options, retryBackoff: promptBackoff });
  }
}

function authentication(options: ElasticsearchStoreOptions) {
  if (options.apiKey) return { apiKey: options.apiKey };
  if (options.username) return { username: options.username, password: options.password ?? '' };
  return undefined;
}

/**
 * The store on Elasticsearch 8.x: chunks in one index (BM25 fields and an int8 HNSW vector), each other kind of
 * record in its own index. Uses nothing the dev launcher's node lacks (no Painless, no _delete_by_query, no
 * server-side rrf), so the same code runs there, in Docker and on Elastic Cloud.
 */
export function createElasticsearchStore(options: ElasticsearchStoreOptions): Store {
  const client = new Client({
    node: options.url,
    auth: authentication(options),
    caFingerprint: options.caFingerprint,
    requestTimeout: options.requestTimeoutMs,
    maxRetries: options.maxRetries,
    Transport: PromptRetryTransport,
  });
  const url = displayUrl(options.url);
  const translate = (error: unknown, what: string) =>
    fromElasticsearchError(error, what, options.url, options.requestTimeoutMs);
  const recordIndices = new Map<RecordKind, Promise<void>>();
  const context: StoreContext = {
    client,
    names: indexNames(options.indexPrefix),
    logger: options.logger,
    url,
    bulkSize: options.bulkSize,
    fieldScoring: options.fieldScoring ?? 'combined',
    async request(what, send) {
      try {
        return await send();
      } catch (error) {
        throw translate(error, what);
      }
    },
    translate,
    ensureRecordIndex(kind) {
      // Remembered once it succeeds; a failure (cluster down) is retried by the next call.
      let ready = recordIndices.get(kind);
      if (!ready) {
        const definition = recordIndexDefinition(kind);
        const name = context.names.records[kind];
        ready = (async () => {
          const created = await ensureIndex(context, name, definition);
          // An index an older version created gets the fields added since (adding fields is always allowed).
          if (!created)
            await context.request(`add fields to ${name.alias}`, () =>
              context.client.indices.putMapping({
                index: name.alias,
                properties: definition.mappings.properties ?? {},
              }),
            );
        })().catch((error: unknown) => {
          recordIndices.delete(kind);
          throw error;
        });
        recordIndices.set(kind, ready);
      }
      return ready;
    },
  };

  const chunks = createChunkIndex(context, { analyzer: options.analyzer });
  return {
    kind: 'elasticsearch',
    init: (space) => chunks.init(space),
    embeddingSpace: () => chunks.embeddingSpace(),
    resetKnowledge: () => chunks.resetKnowledge(),
    listDocuments: () => chunks.listDocuments(),
    replaceDocument: (docId, documentChunks) => chunks.replaceDocument(docId, documentChunks),
    deleteDocument: (docId) => chunks.deleteDocument(docId),
    getChunks: (ids) => chunks.getChunks(ids),
    counts: () => chunks.counts(),
    chunksWithoutSentences: () => chunks.chunksWithoutSentences(),
    termChunkCounts: (words) => chunks.termChunkCounts(words),
    passageCounts: (docIds) => chunks.passageCounts(docIds),
    searchLegs: async (request) => {
      await chunks.refreshIfWritten();
      const space = request.vector ? await chunks.currentSpace() : undefined;
      return searchLegs(context, request, (vector) => {
        if (space) chunks.checkDimensions(space, vector.length, 'The query vector');
      });
    },
    health: () => checkHealth(context, chunks),
    close: async () => {
      // Writes not yet refreshed become searchable for other processes now, not a second later.
      await chunks
        .refreshIfWritten()
        .catch((error: unknown) =>
          options.logger.warn({ err: error }, 'Refreshing the chunk index before closing failed'),
        );
      await client.close();
    },
    ...createConversationRecords(context),
    ...createDatasetRecords(context),
    ...createModelRecords(context),
    ...createKeyValueRecords(context),
    ...createCoordinationRecords(context),
    ...createThreadMessageRecords(context),
    async prepare() {
      // Every index exists, and has its shard, before the first question: several replicas starting on an empty
      // cluster would otherwise create the conversations index on their first answer and read it mid-start (503).
      await Promise.all(recordKinds.map((kind) => context.ensureRecordIndex(kind)));
      await waitForShards(context, options.requestTimeoutMs);
    },
  };
}
