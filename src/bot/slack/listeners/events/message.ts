import type { App } from '@slack/bolt';
import { answerQuestion } from '../../answer-question.ts';
import { channelAllowed, claimEvent, type SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { mentionsUser } from '../../slack-message-text.ts';
import { botAnsweredInThread } from '../../slack-threads.ts';

/**
 * Plain messages: every direct message is a question; in channels, a message in a thread the bot answered
 * is a follow-up when `followThreads` is on. Mentions are left to app_mention, which Slack sends as well.
 */
export function registerMessage(app: App, dependencies: SlackBotDependencies): void {
  app.event('message', async ({ event, body, context, client }) => {
    // Edits, deletions, joins and bot posts carry a subtype; only people's new messages are questions.
    if (event.subtype !== undefined || event.bot_id || !event.user) return;
    if (context.botUserId && event.user === context.botUserId) return;
    const isDirect = event.channel_type === 'im';
    if (!isDirect) {
      if (!dependencies.settings.followThreads || !event.thread_ts || event.thread_ts === event.ts) return;
      if (mentionsUser(event.text, context.botUserId)) return;
      if (!channelAllowed(dependencies.settings, event.channel, false)) return;
      if (!(await botAnsweredInThread(dependencies.core, event.channel, event.thread_ts))) return;
    }
    if (!(await claimEvent(dependencies, body))) return;
    await answerQuestion(dependencies, client, {
      channel: event.channel,
      isDirect,
      userId: event.user,
      text: event.text ?? '',
      ts: event.ts,
      ...(event.thread_ts ? { threadTs: event.thread_ts } : {}),
      ...(context.botUserId ? { botUserId: context.botUserId } : {}),
    });
  });
}
