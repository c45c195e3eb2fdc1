import type { CoordinationRecord, CoordinationStore } from '../../ports/index.ts';
import type { SqliteSession } from './sqlite-connection.ts';

interface CoordinationRow {
  key: string;
  version: number;
  state: string;
  due_at_ms: number;
  value: string;
}

const columns = 'key, version, state, due_at_ms, value';

const recordOf = (row: CoordinationRow): CoordinationRecord => ({
  key: row.key,
  version: String(row.version),
  state: row.state,
  dueAt: row.due_at_ms,
  value: row.value,
});

/** A version token from another store, or garbage, never matches: the write is refused, not guessed at. */
const versionNumber = (version: string): number => (/^\d+$/.test(version) ? Number(version) : -1);

/**
 * Claims, leases and counters in one table. Every conditional change runs in a write transaction that takes the
 * file's lock first, so processes sharing the file see each other's writes in order and exactly one wins a race.
 */
export function createCoordinationTables(session: SqliteSession): CoordinationStore {
  const read = (namespace: string, key: string) =>
    session.run('read a coordination record', (connection) => {
      const row = connection
        .statement(`SELECT ${columns} FROM coordination WHERE namespace = ? AND key = ?`)
        .get(namespace, key) as CoordinationRow | undefined;
      return row ? recordOf(row) : undefined;
    });
  return {
    async prepare() {
      // Opening the file applies every migration: all tables exist from then on.
      session.run('open the store', () => undefined);
    },

    async readRecord(namespace, key) {
      return read(namespace, key);
    },

    async createRecord(namespace, key, write) {
      return session.run('create a coordination record', (connection) =>
        connection.write(() => {
          const { changes } = connection
            .statement(
              'INSERT OR IGNORE INTO coordination (namespace, key, version, state, due_at_ms, value) VALUES (?, ?, 1, ?, ?, ?)',
            )
            .run(namespace, key, write.state, Math.round(write.dueAt), write.value);
          return changes === 1
            ? { key, version: '1', state: write.state, dueAt: Math.round(write.dueAt), value: write.value }
            : undefined;
        }),
      );
    },

    async replaceRecord(namespace, key, write, version) {
      const expected = versionNumber(version);
      return session.run('replace a coordination record', (connection) =>
        connection.write(() => {
          const { changes } = connection
            .statement(
              'UPDATE coordination SET version = version + 1, state = ?, due_at_ms = ?, value = ? WHERE namespace = ? AND key = ? AND version = ?',
            )
            .run(write.state, Math.round(write.dueAt), write.value, namespace, key, expected);
          return changes === 1
            ? {
                key,
                version: String(expected + 1),
                state: write.state,
                dueAt: Math.round(write.dueAt),
                value: write.value,
              }
            : undefined;
        }),
      );
    },

    async deleteRecord(namespace, key, version) {
      return session.run('delete a coordination record', (connection) =>
        connection.write(
          () =>
            connection
              .statement('DELETE FROM coordination WHERE namespace = ? AND key = ? AND version = ?')
              .run(namespace, key, versionNumber(version)).changes === 1,
        ),
      );
    },

    async incrementCounter(namespace, key, { by, dueAt }) {
      const step = Math.trunc(by);
      return session.run('count in a coordination record', (connection) =>
        connection.write(() => {
          const row = connection
            .statement(
              `INSERT INTO coordination (namespace, key, version, state, due_at_ms, value) VALUES (?, ?, 1, 'counter', ?, ?)
               ON CONFLICT (namespace, key) DO UPDATE SET version = version + 1, value = CAST(CAST(value AS INTEGER) + CAST(? AS INTEGER) AS TEXT)
               RETURNING value`,
            )
            .get(namespace, key, Math.round(dueAt), String(step), step) as { value: string };
          return Number(row.value);
        }),
      );
    },

    async listDueRecords(namespace, query) {
      return session.run('list due coordination records', (connection) =>
        (
          connection
            .statement(
              `SELECT ${columns} FROM coordination
               WHERE namespace = ? AND state IN (SELECT value FROM json_each(?)) AND due_at_ms <= ?
               ORDER BY due_at_ms, key LIMIT ?`,
            )
            .all(
              namespace,
              JSON.stringify(query.states),
              Math.round(query.dueBefore),
              Math.max(0, Math.floor(query.limit)),
            ) as CoordinationRow[]
        ).map(recordOf),
      );
    },
  };
}
