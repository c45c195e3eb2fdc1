import { InputError } from '../../errors/index.ts';
import type { ThreadMessage, ThreadMessageStore } from '../../ports/index.ts';
import type { SqliteSession } from './sqlite-connection.ts';

const defaultLimit = 50;

function epochMs(iso: string, field: string): number {
  const value = Date.parse(iso);
  if (Number.isNaN(value))
    throw new InputError(`${field} must be an ISO-8601 time, got ${JSON.stringify(iso)}.`);
  return value;
}

/** The messages of the bot's threads: a key per message, the thread and time to list them by. */
export function createThreadMessageTables(session: SqliteSession): ThreadMessageStore {
  return {
    async saveThreadMessage(message) {
      const atMs = epochMs(message.at, 'at');
      session.run('save a thread message', (connection) =>
        connection
          .statement(
            `INSERT INTO thread_messages (platform, channel, message_id, thread, at_ms, answers, record)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (platform, channel, message_id) DO UPDATE SET
               thread = excluded.thread, at_ms = excluded.at_ms, answers = excluded.answers, record = excluded.record`,
          )
          .run(
            message.platform,
            message.channel,
            message.messageId,
            message.thread,
            atMs,
            message.answers ?? null,
            JSON.stringify(message),
          ),
      );
    },

    async listThreadMessages(query) {
      const conditions = ['platform = ?', 'channel = ?'];
      const parameters: unknown[] = [query.platform, query.channel];
      if (query.thread !== undefined) {
        conditions.push('thread = ?');
        parameters.push(query.thread);
      }
      if (query.answers !== undefined) {
        conditions.push('answers = ?');
        parameters.push(query.answers);
      }
      if (query.before !== undefined) {
        conditions.push('at_ms < ?');
        parameters.push(epochMs(query.before, 'before'));
      }
      const limit = Math.max(0, Math.floor(query.limit ?? defaultLimit));
      const rows = session.run(
        'list thread messages',
        (connection) =>
          connection
            .statement(
              `SELECT record FROM thread_messages WHERE ${conditions.join(' AND ')}
               ORDER BY at_ms DESC, message_id DESC LIMIT ?`,
            )
            .pluck()
            .all(...parameters, limit) as string[],
      );
      return rows.map((json) => JSON.parse(json) as ThreadMessage).reverse();
    },

    async purgeThreadMessages(before, limit) {
      const beforeMs = epochMs(before, 'before');
      const count = Math.max(0, Math.floor(limit));
      if (count === 0) return 0;
      return session.run(
        'purge old thread messages',
        (connection) =>
          connection
            .statement(
              `DELETE FROM thread_messages WHERE (platform, channel, message_id) IN (
                 SELECT platform, channel, message_id FROM thread_messages WHERE at_ms < ? ORDER BY at_ms LIMIT ?)`,
            )
            .run(beforeMs, count).changes,
      );
    },
  };
}
