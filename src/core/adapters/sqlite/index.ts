import { statSync } from 'node:fs';
import type { Logger, Store, StoreHealth } from '../../ports/index.ts';
import { createKnowledgeTables } from './knowledge-tables.ts';
import { createCoordinationTables } from './coordination-tables.ts';
import { createRecordTables } from './record-tables.ts';
import { createThreadMessageTables } from './thread-message-tables.ts';
import { latestSchemaVersion } from './schema-migrations.ts';
import { SqliteSession } from './sqlite-connection.ts';
import type { VectorIndexOptions } from './vector-index.ts';

export interface SqliteStoreOptions {
  /** Absolute path of the database file, or ':memory:'. */
  file: string;
  logger: Logger;
  /** How long a write waits for another process holding the write lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /**
   * How vector search trades exactness for speed (see vector-index.ts): exact up to 4,000 passages, then codes
   * and an exact rescoring of the best 1,000. `{ exactUpTo: Infinity }` scans every vector exactly.
   */
  vectorIndex?: VectorIndexOptions;
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The embedded store: one SQLite file (better-sqlite3) holding the knowledge base (FTS5 for BM25,
 * Float32 vectors searched in memory, exactly while few, through one-bit codes and exact rescoring beyond), conversations, datasets, models and small values.
 * The file (and its folder) is created on first use. One process writes at a time; others wait up to 5 s.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const { file, logger } = options;
  const session = new SqliteSession(file, logger, options.busyTimeoutMs);
  const knowledge = createKnowledgeTables(session, logger, options.vectorIndex);
  const records = createRecordTables(session);

  async function health(): Promise<StoreHealth> {
    try {
      const facts = session.run('report health', (connection) => {
        const count = (table: string) =>
          connection.statement(`SELECT count(*) FROM ${table}`).pluck().get() as number;
        return {
          documents: connection
            .statement('SELECT count(DISTINCT doc_id) FROM chunks')
            .pluck()
            .get() as number,
          chunks: count('chunks'),
          conversations: count('conversations'),
          examples: count('examples'),
          models: count('models'),
          schemaVersion: connection.database.pragma('user_version', { simple: true }) as number,
          journalMode: connection.database.pragma('journal_mode', { simple: true }) as string,
        };
      });
      const embeddingSpace = await knowledge.embeddingSpace();
      const bytes = file === ':memory:' ? 0 : fileBytes(file);
      const walBytes = file === ':memory:' ? 0 : fileBytes(`${file}-wal`);
      return {
        ok: true,
        kind: 'embedded',
        status: `${file} (${formatBytes(bytes + walBytes)})`,
        details: { file, bytes, walBytes, ...facts, latestSchemaVersion, embeddingSpace },
      };
    } catch (error) {
      return {
        ok: false,
        kind: 'embedded',
        status: error instanceof Error ? error.message : String(error),
        details: { file },
      };
    }
  }

  return {
    kind: 'embedded',
    ...knowledge,
    ...records,
    ...createCoordinationTables(session),
    ...createThreadMessageTables(session),
    health,
    async close() {
      session.close();
    },
  };
}
