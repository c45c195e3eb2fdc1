import type { App } from '@slack/bolt';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { questionFromMessage } from '../../slack-message-text.ts';
import { recordSlackMessage, slackTime } from '../../thread-record.ts';

interface ThreadReplyEvent {
  subtype?: string;
  bot_id?: string;
  user?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
}

/**
 * Every person's message in a thread the bot takes part in is kept in the store (Slack sends these events
 * anyway), so a follow-up there has its context without a history read. A reply by someone other than the
 * asker marks the answer as followed up by a person (the resolution figures).
 */
export function registerThreadReplies(app: App, dependencies: SlackBotDependencies): void {
  app.event('message', async ({ event, context }) => {
    const reply = event as unknown as ThreadReplyEvent;
    if (reply.subtype !== undefined && reply.subtype !== 'thread_broadcast') return;
    if (reply.bot_id || !reply.user || (context.botUserId && reply.user === context.botUserId)) return;
    if (!reply.thread_ts || reply.thread_ts === reply.ts) return;
    const { core, logger } = dependencies;
    const place = { platform: 'slack' as const, channel: reply.channel, thread: reply.thread_ts };
    if (!(await core.threads.takesPart(place))) return;
    await recordSlackMessage(core, logger, {
      channel: reply.channel,
      thread: reply.thread_ts,
      ts: reply.ts,
      userId: reply.user,
      text: questionFromMessage(reply.text, context.botUserId),
    });
    const marked = await core.threads
      .noteHumanFollowUp(place, { kind: 'reply', at: slackTime(reply.ts), userId: reply.user })
      .catch((error: unknown) => {
        logger.warn({ err: error, channel: reply.channel }, 'Could not mark a human follow-up');
        return undefined;
      });
    if (marked) logger.info({ conversationId: marked.id }, 'A person followed up on an answer in its thread');
  });
}
