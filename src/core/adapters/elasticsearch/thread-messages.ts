import type { estypes } from '@elastic/elasticsearch';
import type { ThreadMessage, ThreadMessageStore } from '../../ports/index.ts';
import { keyValueId } from './key-values.ts';
import { createRecordIndex } from './record-index.ts';
import type { StoreContext } from './store-context.ts';

const defaultLimit = 50;

/** The messages of the bot's threads, one document per platform message. */
export function createThreadMessageRecords(context: StoreContext): ThreadMessageStore {
  const messages = createRecordIndex<ThreadMessage>(context, 'thread-messages', {
    idOf: (message) => keyValueId(`${message.platform}:${message.channel}`, message.messageId),
    fieldsOf: (message) => ({
      platform: message.platform,
      channel: message.channel,
      thread: message.thread,
      message_id: message.messageId,
      ...(message.answers !== undefined ? { answers: message.answers } : {}),
      at: message.at,
    }),
  });
  return {
    saveThreadMessage: (message) => messages.put(message),
    async listThreadMessages(query) {
      const filter: estypes.QueryDslQueryContainer[] = [
        { term: { platform: query.platform } },
        { term: { channel: query.channel } },
      ];
      if (query.thread !== undefined) filter.push({ term: { thread: query.thread } });
      if (query.answers !== undefined) filter.push({ term: { answers: query.answers } });
      if (query.before !== undefined) filter.push({ range: { at: { lt: query.before } } });
      const { items } = await messages.search({
        filter,
        sort: [{ at: 'desc' }, { message_id: 'desc' }, { record_id: 'asc' }],
        limit: Math.max(0, Math.floor(query.limit ?? defaultLimit)),
      });
      return items.reverse();
    },
    purgeThreadMessages: (before, limit) =>
      messages.removeMatching({
        filter: [{ range: { at: { lt: before } } }],
        sort: [{ at: 'asc' }, { record_id: 'asc' }],
        limit: Math.max(0, Math.floor(limit)),
      }),
  };
}
