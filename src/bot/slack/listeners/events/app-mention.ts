import type { App } from '@slack/bolt';
import { channelNotAllowedNotice } from '../../../render/slack-notices.ts';
import { answerQuestion } from '../../answer-question.ts';
import { channelSettingsFor, isExternal, type SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { deliveryOf } from '../middleware/index.ts';

/**
 * A mention in a channel: answered in a thread under the question (or in the thread it was asked in), or
 * privately to the asker where the channel says `reply: private`.
 */
export function registerAppMention(app: App, dependencies: SlackBotDependencies): void {
  app.event('app_mention', async ({ event, body, context, client }) => {
    // Bots never get answers, so two bots cannot talk to each other forever.
    if (event.bot_id || !event.user || event.subtype) return;
    const channelSettings = channelSettingsFor(dependencies, event.channel, false);
    if (channelSettings.mode === 'off') {
      await client.chat.postEphemeral({
        channel: event.channel,
        user: event.user,
        text: channelNotAllowedNotice(),
        ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
      });
      return;
    }
    await answerQuestion(
      dependencies,
      client,
      {
        channel: event.channel,
        isDirect: false,
        userId: event.user,
        text: event.text,
        ts: event.ts,
        external: isExternal(body, event),
        ...(context.teamId ? { teamId: context.teamId } : {}),
        ...(event.thread_ts ? { threadTs: event.thread_ts } : {}),
        ...(context.botUserId ? { botUserId: context.botUserId } : {}),
      },
      {
        reply: channelSettings.reply,
        delivery: deliveryOf(context),
        ...(channelSettings.filters ? { filters: channelSettings.filters } : {}),
      },
    );
  });
}
