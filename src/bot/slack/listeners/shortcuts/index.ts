import type { App, MessageShortcut } from '@slack/bolt';
import { channelNotAllowedNotice } from '../../../render/slack-notices.ts';
import { answerQuestion } from '../../answer-question.ts';
import {
  channelIsShared,
  channelSettingsFor,
  type SlackBotDependencies,
} from '../../slack-bot-dependencies.ts';

/** The message shortcut's callback id in config/slack-manifest.yaml. */
export const answerMessageShortcut = 'answer_message';

/**
 * "Answer with answerloop" on any message: the bot answers that message's question in its thread, or
 * privately to the person who used the shortcut when the channel says `reply: private`.
 */
export function register(app: App, dependencies: SlackBotDependencies): void {
  app.shortcut<MessageShortcut>(
    { callback_id: answerMessageShortcut, type: 'message_action' },
    async ({ ack, shortcut, respond, client, context }) => {
      await ack();
      const channel = shortcut.channel.id;
      const isDirect = channel.startsWith('D');
      const channelSettings = channelSettingsFor(dependencies, channel, isDirect);
      if (channelSettings.mode === 'off') {
        await respond({ response_type: 'ephemeral', text: channelNotAllowedNotice() });
        return;
      }
      const message = shortcut.message;
      const threadTs = message.thread_ts ?? message.ts;
      await answerQuestion(
        dependencies,
        client,
        {
          channel,
          isDirect,
          userId: shortcut.user.id,
          text: message.text ?? '',
          ts: message.ts,
          ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
          external: !isDirect && (await channelIsShared(dependencies, client, channel)),
          ...(context.teamId ? { teamId: context.teamId } : {}),
          ...(context.botUserId ? { botUserId: context.botUserId } : {}),
        },
        {
          reply: channelSettings.reply,
          threadTs,
          respond,
          ...(channelSettings.filters ? { filters: channelSettings.filters } : {}),
        },
      );
    },
  );
}
