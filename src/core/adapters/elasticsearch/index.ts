import { AnswerloopError } from '../../errors/index.ts';
import type { Logger, Store } from '../../ports/index.ts';

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
  logger: Logger;
}

export function createElasticsearchStore(_options: ElasticsearchStoreOptions): Store {
  throw new AnswerloopError('internal', 'The Elasticsearch store is being built.');
}
