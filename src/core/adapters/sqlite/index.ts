import { AnswerloopError } from '../../errors/index.ts';
import type { Logger, Store } from '../../ports/index.ts';

export interface SqliteStoreOptions {
  /** Absolute path of the database file, or ':memory:'. */
  file: string;
  logger: Logger;
}

export function createSqliteStore(_options: SqliteStoreOptions): Store {
  throw new AnswerloopError('internal', 'The embedded store is being built.');
}
