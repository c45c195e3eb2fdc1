import type { webApi } from '@slack/bolt';
import type { ConversationRecord, Core } from '../../core/index.ts';
import { answerFooterBlockId } from '../render/slack-answer-blocks.ts';

type WebClient = webApi.WebClient;

/** A Slack message as conversations.replies returns it, the fields we read. */
export interface SlackThreadMessage {
  ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
}

/** True when the bot answered in this thread before: the conversation store is the memory of it. */
export async function botAnsweredInThread(core: Core, channel: string, threadTs: string): Promise<boolean> {
  const { total } = await core.listConversations({ platform: 'slack', channel, thread: threadTs, limit: 1 });
  return total > 0;
}

/**
 * The bot answer a teammate's reply corrects: the newest answer in the thread given before the reply, or
 * the newest answer when the clocks disagree.
 */
export async function conversationForReply(
  core: Core,
  channel: string,
  threadTs: string,
  replyTs: string,
): Promise<ConversationRecord | undefined> {
  const { items } = await core.listConversations({
    platform: 'slack',
    channel,
    thread: threadTs,
    order: 'newest',
    limit: 20,
  });
  const replyTime = Number(replyTs) * 1000;
  return items.find((item) => Date.parse(item.createdAt) <= replyTime) ?? items[0];
}

/** One message by its ts, whether it is a thread reply or not (conversations.history does not return replies). */
export async function fetchMessage(
  client: WebClient,
  channel: string,
  ts: string,
): Promise<SlackThreadMessage | undefined> {
  const result = await client.conversations.replies({
    channel,
    ts,
    oldest: ts,
    latest: ts,
    inclusive: true,
    limit: 2,
  });
  return (result.messages as SlackThreadMessage[] | undefined)?.find((message) => message.ts === ts);
}

function isBotMessage(message: SlackThreadMessage, botUserId: string | undefined): boolean {
  return Boolean(message.bot_id) || (botUserId !== undefined && message.user === botUserId);
}

export { isBotMessage };

/**
 * Whether the bot's finished answer to a question is in Slack already: a message of the bot after the question,
 * before its asker wrote again, carrying the footer every finished answer ends with. Read when this replica takes
 * over a delivery from one that stopped: it may have posted the answer and died before recording it. An answer it
 * only began (a stream or an edit cut short) does not count, so the question is answered in full.
 */
export async function finishedAnswerInSlack(
  client: WebClient,
  question: { channel: string; ts: string; threadTs?: string; askerId?: string; botUserId?: string },
): Promise<boolean> {
  const result = question.threadTs
    ? await client.conversations.replies({
        channel: question.channel,
        ts: question.threadTs,
        oldest: question.ts,
        limit: 100,
      })
    : await client.conversations.history({ channel: question.channel, oldest: question.ts, limit: 100 });
  const later = (
    (result.messages ?? []) as Array<SlackThreadMessage & { blocks?: Array<{ block_id?: string }> }>
  )
    .filter((message) => message.ts !== undefined && Number(message.ts) > Number(question.ts))
    .sort((left, right) => Number(left.ts) - Number(right.ts));
  for (const message of later) {
    if (isBotMessage(message, question.botUserId)) {
      if (message.blocks?.some((block) => block.block_id === answerFooterBlockId)) return true;
    } else if (question.askerId && message.user === question.askerId) return false;
  }
  return false;
}
