import type { App } from '@slack/bolt';
import { channelNotAllowedNotice } from '../../../render/slack-notices.ts';
import { answerQuestion } from '../../answer-question.ts';
import {
  channelIsShared,
  channelSettingsFor,
  type SlackBotDependencies,
} from '../../slack-bot-dependencies.ts';

/** The slash command in config/slack-manifest.yaml. */
export const askCommand = '/ask';

/**
 * `/ask <question>`: answered privately, only to the person asking, through the command's response_url,
 * with "Share with the channel" and "Dismiss" under the answer.
 */
export function register(app: App, dependencies: SlackBotDependencies): void {
  app.command(askCommand, async ({ ack, command, respond, client, context }) => {
    // Slack shows "/ask failed" unless it hears back within three seconds: acknowledge before searching.
    await ack();
    const isDirect = command.channel_id.startsWith('D');
    const channelSettings = channelSettingsFor(dependencies, command.channel_id, isDirect);
    if (channelSettings.mode === 'off') {
      await respond({ response_type: 'ephemeral', text: channelNotAllowedNotice() });
      return;
    }
    await answerQuestion(
      dependencies,
      client,
      {
        channel: command.channel_id,
        isDirect,
        userId: command.user_id,
        text: command.text,
        external: !isDirect && (await channelIsShared(dependencies, client, command.channel_id)),
        ...(context.teamId ? { teamId: context.teamId } : {}),
      },
      { reply: 'private', respond, ...(channelSettings.filters ? { filters: channelSettings.filters } : {}) },
    );
  });
}
