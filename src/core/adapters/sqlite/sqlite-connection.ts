import type { Statement } from 'better-sqlite3';
import { AnswerloopError } from '../../errors/index.ts';
import type { Logger } from '../../ports/index.ts';
import { openDatabase, type SqliteDatabase, translateSqliteError } from './open-database.ts';

/** One open database with its prepared statements, which better-sqlite3 makes cheap to reuse. */
export class SqliteConnection {
  readonly database: SqliteDatabase;
  private readonly statements = new Map<string, Statement>();

  constructor(database: SqliteDatabase) {
    this.database = database;
  }

  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work` in one write transaction, taking the write lock up front so a busy file fails early and cleanly. */
  write<T>(work: () => T): T {
    return this.database.transaction(work).immediate();
  }
}

/**
 * Opens the file on first use (so creating the store never fails and `health()` can report why it
 * cannot open), and turns every error into an AnswerloopError that names the file.
 */
export class SqliteSession {
  readonly file: string;
  private readonly logger: Logger;
  private readonly busyTimeoutMs: number | undefined;
  private connection: SqliteConnection | undefined;
  private closed = false;

  constructor(file: string, logger: Logger, busyTimeoutMs?: number) {
    this.file = file;
    this.logger = logger;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  get isOpen(): boolean {
    return this.connection !== undefined;
  }

  run<T>(operation: string, work: (connection: SqliteConnection) => T): T {
    if (this.closed)
      throw new AnswerloopError('store_unavailable', `The embedded store ${this.file} is closed.`);
    try {
      this.connection ??= new SqliteConnection(openDatabase(this.file, this.logger, this.busyTimeoutMs));
      return work(this.connection);
    } catch (error) {
      throw translateSqliteError(error, this.file, operation);
    }
  }

  close(): void {
    this.closed = true;
    this.connection?.database.close();
    this.connection = undefined;
  }
}
