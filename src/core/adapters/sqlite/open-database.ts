import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AnswerloopError } from '../../errors/index.ts';
import type { Logger } from '../../ports/index.ts';
import { latestSchemaVersion, migrations } from './schema-migrations.ts';

export type SqliteDatabase = Database.Database;

/** How long a write waits for another process's write to finish before reporting the file as locked. */
export const defaultBusyTimeoutMs = 5000;

/** Opens (creating when missing) the database file, tunes it and brings its schema up to date. */
export function openDatabase(
  file: string,
  logger: Logger,
  busyTimeoutMs = defaultBusyTimeoutMs,
): SqliteDatabase {
  const inMemory = file === ':memory:';
  let database: SqliteDatabase | undefined;
  try {
    if (!inMemory) mkdirSync(path.dirname(file), { recursive: true });
    database = new Database(file, { timeout: busyTimeoutMs });
    // WAL lets readers (the bot) and a writer (an ingest run) work at once; NORMAL sync is safe with WAL
    // against process crashes, which is what a kill mid-ingest is.
    if (!inMemory) database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    migrate(database, file, logger);
    return database;
  } catch (error) {
    database?.close();
    throw translateSqliteError(error, file, 'open');
  }
}

function migrate(database: SqliteDatabase, file: string, logger: Logger): void {
  const current = database.pragma('user_version', { simple: true }) as number;
  if (current > latestSchemaVersion) {
    throw new AnswerloopError(
      'store_failed',
      `The embedded store ${file} has schema version ${current}, newer than this answerloop understands (${latestSchemaVersion}). Upgrade answerloop, or point store.embedded.file at another file.`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    database.transaction(() => {
      database.exec(migration.sql);
      database.pragma(`user_version = ${migration.version}`);
    })();
    logger.info(
      { file, version: migration.version, description: migration.description },
      'embedded store schema migrated',
    );
  }
}

/** SQLite result codes (primary part) and what they mean for an operator. */
function describe(
  code: string,
  file: string,
): { code: 'store_unavailable' | 'store_failed'; message: string; retryable: boolean } | undefined {
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return {
      code: 'store_unavailable',
      message: `The embedded store ${file} is locked by another process (an ingest or a second bot?). Wait for it to finish, or stop it, then try again.`,
      retryable: true,
    };
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_AUTH')
  ) {
    return {
      code: 'store_failed',
      message: `Cannot write the embedded store ${file}: check that its folder exists and is writable by this user, or set dataDir / store.embedded.file to a writable place.`,
      retryable: false,
    };
  }
  if (code.startsWith('SQLITE_FULL')) {
    return {
      code: 'store_failed',
      message: `The disk holding the embedded store ${file} is full: free some space and try again.`,
      retryable: false,
    };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    return {
      code: 'store_failed',
      message: `The embedded store ${file} is damaged or is not an answerloop database: restore it from a backup, or move it aside and run \`answerloop ingest\` to start afresh.`,
      retryable: false,
    };
  }
  return undefined;
}

/** Turns anything better-sqlite3 or the file system throws into an AnswerloopError that names the file. */
export function translateSqliteError(error: unknown, file: string, operation: string): AnswerloopError {
  if (error instanceof AnswerloopError) return error;
  const code =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const known = describe(code, file);
  if (known)
    return new AnswerloopError(known.code, known.message, {
      cause: error,
      isRetryable: known.retryable,
      details: { file, operation, sqliteCode: code },
    });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') {
    return new AnswerloopError(
      'store_failed',
      `Cannot create the folder of the embedded store ${file}: ${(error as Error).message}. Set dataDir to a writable folder.`,
      {
        cause: error,
        details: { file, operation },
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AnswerloopError(
    'store_failed',
    `The embedded store ${file} failed to ${operation}: ${message}`,
    {
      cause: error,
      details: { file, operation, sqliteCode: code || undefined },
    },
  );
}
