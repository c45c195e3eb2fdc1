import type { Platform } from './conversation-store.ts';

/**
 * One message in a thread the bot takes part in, as the platform delivered it (the bot's own answers
 * included). Kept so a follow-up has its context without reading the platform's history, which Slack
 * limits to one call a minute for apps distributed outside its Marketplace.
 */
export interface ThreadMessage {
  platform: Platform;
  channel: string;
  /** Thread key on the platform (Slack thread_ts, Discord thread id); '' for a direct message outside a thread. */
  thread: string;
  /** The platform's id of the message (Slack ts, Discord snowflake): unique within its channel. */
  messageId: string;
  /** 'assistant' for what the bot posted, 'user' for people. */
  role: 'user' | 'assistant';
  /** Hashed user id of the author; '' for the bot. Never the raw id. */
  user: string;
  text: string;
  /** When it was posted, ISO-8601. */
  at: string;
  /** The bot's messages: the message id of the question they answer. */
  answers?: string;
  /** The bot's answers: the conversation record they show. */
  conversationId?: string;
}

export interface ThreadMessageQuery {
  platform: Platform;
  channel: string;
  /** One thread's messages. */
  thread?: string;
  /** Only the bot's messages answering this question (a message id). */
  answers?: string;
  /** Only messages posted strictly before this ISO-8601 time. */
  before?: string;
  /** The newest this many (default 50). */
  limit?: number;
}

export interface ThreadMessageStore {
  /** Inserts, or replaces the message with the same platform, channel and message id (a redelivered event). */
  saveThreadMessage(message: ThreadMessage): Promise<void>;
  /** The newest matching messages, returned oldest first (by `at`, then message id). */
  listThreadMessages(query: ThreadMessageQuery): Promise<ThreadMessage[]>;
  /**
   * Deletes up to `limit` messages posted strictly before `before` (ISO-8601), oldest first, in every thread and
   * on every platform; how many it deleted. Called again until it answers 0 to drain a backlog.
   */
  purgeThreadMessages(before: string, limit: number): Promise<number>;
}
