import type { Client } from '@elastic/elasticsearch';
import type { AnswerloopError } from '../../errors/index.ts';
import type { Logger } from '../../ports/index.ts';
import type { IndexNames, RecordKind } from './index-names.ts';

/** What every part of the Elasticsearch store shares: one client, the index names, and the error translation. */
/** How the BM25 leg scores the title, headings and text fields (see `bm25Query` in leg-search.ts). */
export type FieldScoring = 'combined' | 'best';

export interface StoreContext {
  client: Client;
  names: IndexNames;
  logger: Logger;
  /** Cluster URL without credentials, for messages. */
  url: string;
  /** Documents per _bulk request. */
  bulkSize: number;
  /** How the BM25 leg scores the title, headings and text fields. */
  fieldScoring: FieldScoring;
  /** Runs one request; anything it throws becomes an AnswerloopError naming `what` failed. */
  request<T>(what: string, send: () => Promise<T>): Promise<T>;
  /** The AnswerloopError for a client error caught while trying to `what`. */
  translate(error: unknown, what: string): AnswerloopError;
  /** Creates the index of one kind of record when missing, once per process; reads do without it. */
  ensureRecordIndex(kind: RecordKind): Promise<void>;
}
