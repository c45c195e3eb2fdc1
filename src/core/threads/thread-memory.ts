import { hashUserId } from '../answering/ask.ts';
import type { ThreadTurn } from '../answering/types.ts';
import type { Clock, ConversationRecord, Metrics, Platform, Store, ThreadMessage } from '../ports/index.ts';

/** A thread on a platform: the keys conversations and thread messages are stored under. */
export interface ThreadPlace {
  platform: Platform;
  channel: string;
  /** '' for a direct message outside a thread. */
  thread: string;
}

/** A message as a face hands it over: the raw author id, hashed before it is stored. */
export interface ReceivedMessage extends ThreadPlace {
  messageId: string;
  role: 'user' | 'assistant';
  /** Raw platform user id of a person; omitted for the bot's own messages. */
  userId?: string;
  text: string;
  /** When it was posted, ISO-8601 (the platform's timestamp, not the time it arrived). */
  at: string;
  /** The bot's answers: the question's message id, and the conversation shown. */
  answers?: string;
  conversationId?: string;
}

export interface ThreadMemory {
  /** Keeps a message of a thread the bot takes part in: its own answers, and what people write there. */
  record(message: ReceivedMessage): Promise<void>;
  /** True when the bot answered in the thread, or has messages of it on record. */
  takesPart(place: ThreadPlace): Promise<boolean>;
  /**
   * The thread's earlier turns from the store, oldest first, without the message `before` names and anything
   * after it; undefined when the store has none (the face may then read the platform's history).
   */
  history(
    place: ThreadPlace,
    before: { messageId: string; at: string },
    limit: number,
  ): Promise<ThreadTurn[] | undefined>;
  /**
   * What the store knows of a thread, in one read: whether the bot takes part in it (as `takesPart`) and its earlier
   * turns (as `history`). A face deciding whether to follow up and then answering reads the thread once.
   */
  recall(
    place: ThreadPlace,
    before: { messageId: string; at: string },
    limit: number,
  ): Promise<{ takesPart: boolean; turns: ThreadTurn[] | undefined }>;
  /** Whether the bot posted an answer to a question (its message id): the takeover's "already answered?". */
  answerPosted(place: Omit<ThreadPlace, 'thread'>, questionId: string): Promise<boolean>;
  /**
   * A person took part after the bot answered: a reply in the thread by someone other than the asker, or the
   * thread closed or tagged solved. Sets `humanFollowUp` on the newest answer given before it, the first time
   * only; the updated record, or undefined when nothing changed.
   */
  noteHumanFollowUp(
    place: ThreadPlace,
    followUp: { kind: 'reply' | 'solved'; at: string; userId?: string },
  ): Promise<ConversationRecord | undefined>;
  /** Small facts a platform keeps about a thread (the Slack assistant panel's viewed channel), as JSON. */
  saveContext(place: ThreadPlace, context: Record<string, unknown>): Promise<void>;
  /** The thread's saved context; undefined when none was saved. */
  context(place: ThreadPlace): Promise<Record<string, unknown> | undefined>;
  /** Deletes up to `limit` thread messages older than the retention (threads.retentionDays); how many. */
  purgeExpired(limit: number): Promise<number>;
}

export interface ThreadMemoryDependencies {
  /** Waits for its own start-up. */
  store: Store;
  clock: Clock;
  metrics: Metrics;
  /** How long a thread message is kept (ms). */
  retentionMs: number;
}

/**
 * What the bot knows of its threads, from the store: the messages it received and posted there. Slack limits
 * history reads to one a minute for distributed apps, so follow-ups, the takeover's check and the resolution
 * figures all read this record instead of the platform.
 */
const contextNamespace = 'thread-context';
const contextKey = (place: ThreadPlace) =>
  `${place.platform}:${place.channel.length}:${place.channel}:${place.thread}`;

/** The turns of a thread's messages before `before`, oldest first; undefined when there are none. */
function turnsBefore(
  messages: ThreadMessage[],
  before: { messageId: string; at: string },
  limit: number,
): ThreadTurn[] | undefined {
  const time = Date.parse(before.at);
  const turns = messages
    .filter((message) => message.messageId !== before.messageId && Date.parse(message.at) <= time)
    .map((message): ThreadTurn => ({ role: message.role, text: message.text }))
    .filter((turn) => turn.text.trim().length > 0);
  return turns.length > 0 ? turns.slice(-Math.max(1, limit) * 2) : undefined;
}

export function createThreadMemory({
  store,
  clock,
  metrics,
  retentionMs,
}: ThreadMemoryDependencies): ThreadMemory {
  const newestAnswer = async (place: ThreadPlace, at: string) => {
    const { items } = await store.listConversations({
      platform: place.platform,
      channel: place.channel,
      thread: place.thread,
      order: 'newest',
      limit: 20,
    });
    const time = Date.parse(at);
    // The newest answer given before the follow-up; the newest of all when the clocks disagree.
    return items.find((item) => Date.parse(item.createdAt) <= time) ?? items[0];
  };
  return {
    async record(message) {
      const { userId, ...rest } = message;
      const stored: ThreadMessage = {
        ...rest,
        user: userId ? hashUserId(message.platform, userId) : '',
      };
      await store.saveThreadMessage(stored);
    },
    async takesPart(place) {
      const [{ total }, messages] = await Promise.all([
        store.listConversations({ ...place, limit: 1 }),
        store.listThreadMessages({ ...place, limit: 1 }),
      ]);
      return total > 0 || messages.length > 0;
    },
    async history(place, before, limit) {
      const messages = await store.listThreadMessages({ ...place, limit: Math.max(1, limit) * 2 + 1 });
      return turnsBefore(messages, before, limit);
    },
    async recall(place, before, limit) {
      const [{ total }, messages] = await Promise.all([
        store.listConversations({ ...place, limit: 1 }),
        store.listThreadMessages({ ...place, limit: Math.max(1, limit) * 2 + 1 }),
      ]);
      return { takesPart: total > 0 || messages.length > 0, turns: turnsBefore(messages, before, limit) };
    },
    async answerPosted(place, questionId) {
      const answers = await store.listThreadMessages({ ...place, answers: questionId, limit: 1 });
      return answers.length > 0;
    },
    async noteHumanFollowUp(place, followUp) {
      const record = await newestAnswer(place, followUp.at);
      if (!record || record.humanFollowUp) return undefined;
      // The asker writing again is a follow-up question, not a person taking part.
      if (
        followUp.kind === 'reply' &&
        followUp.userId &&
        hashUserId(place.platform, followUp.userId) === record.user
      )
        return undefined;
      const updated: ConversationRecord = {
        ...record,
        humanFollowUp: { at: followUp.at, kind: followUp.kind },
        updatedAt: clock.now().toISOString(),
      };
      await store.saveConversation(updated);
      metrics.increment('human_follow_ups_total', { platform: place.platform, kind: followUp.kind });
      return updated;
    },
    async saveContext(place, context) {
      await store.setValue(contextNamespace, contextKey(place), JSON.stringify(context));
    },
    async context(place) {
      const json = await store.getValue(contextNamespace, contextKey(place));
      return json ? (JSON.parse(json) as Record<string, unknown>) : undefined;
    },
    async purgeExpired(limit) {
      const before = new Date(clock.now().getTime() - retentionMs).toISOString();
      return store.purgeThreadMessages(before, limit);
    },
  };
}
