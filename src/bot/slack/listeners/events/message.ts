import type { App } from '@slack/bolt';
import { looksLikeQuestion } from '../../../channel-modes.ts';
import { answerQuestion, type AnswerPlan } from '../../answer-question.ts';
import { channelSettingsFor, isExternal, type SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { deliveryOf } from '../middleware/index.ts';
import { mentionsUser, questionFromMessage } from '../../slack-message-text.ts';
import { slackTime } from '../../thread-record.ts';

/**
 * Plain messages: every direct message is a question; in channels, a message in a thread the bot answered
 * is a follow-up when `followThreads` is on, and in a help channel (mode auto) a new top-level message that
 * reads like a question is answered when the bot is confident. Mentions are left to app_mention, which
 * Slack sends as well.
 */
export function registerMessage(app: App, dependencies: SlackBotDependencies): void {
  app.event('message', async ({ event, body, context, client }) => {
    // Edits, deletions, joins and bot posts carry a subtype; only people's new messages are questions.
    if (event.subtype !== undefined || event.bot_id || !event.user) return;
    if (context.botUserId && event.user === context.botUserId) return;
    const isDirect = event.channel_type === 'im';
    const channelSettings = channelSettingsFor(dependencies, event.channel, isDirect);
    const plan: AnswerPlan = {
      reply: 'thread',
      delivery: deliveryOf(context),
      ...(channelSettings.filters ? { filters: channelSettings.filters } : {}),
    };
    if (!isDirect) {
      if (channelSettings.mode === 'off' || mentionsUser(event.text, context.botUserId)) return;
      const topLevel = !event.thread_ts || event.thread_ts === event.ts;
      if (topLevel) {
        // Help channels: only what reads like a question is worth a search; the rest stays unanswered.
        if (
          channelSettings.mode !== 'auto' ||
          !looksLikeQuestion(questionFromMessage(event.text, context.botUserId))
        )
          return;
        plan.unasked = {
          threshold: channelSettings.threshold,
          keepSilent: channelSettings.keepSilent,
          ...(channelSettings.reaction ? { reaction: channelSettings.reaction } : {}),
        };
      } else {
        if (!dependencies.settings.followThreads) return;
        const thread = { platform: 'slack' as const, channel: event.channel, thread: event.thread_ts! };
        // Read once: whether the bot takes part in the thread, and its earlier turns for the answer.
        plan.thread = await dependencies.core.threads.recall(
          thread,
          { messageId: event.ts, at: slackTime(event.ts) },
          dependencies.core.config.answering.historyTurns,
        );
        if (!plan.thread.takesPart) return;
        plan.reply = channelSettings.reply;
      }
    }
    await answerQuestion(
      dependencies,
      client,
      {
        channel: event.channel,
        isDirect,
        userId: event.user,
        text: event.text ?? '',
        ts: event.ts,
        external: isExternal(body, event as { user_team?: unknown }),
        ...(context.teamId ? { teamId: context.teamId } : {}),
        ...(event.thread_ts ? { threadTs: event.thread_ts } : {}),
        ...(context.botUserId ? { botUserId: context.botUserId } : {}),
      },
      plan,
    );
  });
}
