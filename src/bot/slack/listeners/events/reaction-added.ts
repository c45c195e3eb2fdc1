import type { App } from '@slack/bolt';
import { teammateAnswerStoredNotice } from '../../../render/slack-notices.ts';
import { hashUserId } from '../../../../core/index.ts';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { slackTextToMarkdown } from '../../slack-message-text.ts';
import { conversationForReply, fetchMessage, isBotMessage } from '../../slack-threads.ts';

/**
 * A teammate's reply marked with the configured reaction, in a thread the bot answered, becomes a suggested
 * answer on that conversation. It waits for review like any suggestion: never trained on before that.
 */
export function registerReactionAdded(app: App, dependencies: SlackBotDependencies): void {
  app.event('reaction_added', async ({ event, context, client }) => {
    if (event.reaction !== dependencies.settings.correctionReaction || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const message = await fetchMessage(client, channel, ts);
    // Only a person's reply inside a thread: the bot's own answers and thread starters are not corrections.
    if (!message?.text || !message.user || isBotMessage(message, context.botUserId)) return;
    if (!message.thread_ts || message.thread_ts === message.ts) return;
    const conversation = await conversationForReply(dependencies.core, channel, message.thread_ts, ts);
    if (!conversation) return;
    await dependencies.core.suggestCorrection(conversation.id, {
      answer: slackTextToMarkdown(message.text),
      by: hashUserId('slack', message.user),
      source: 'teammate',
    });
    dependencies.logger.info(
      { conversationId: conversation.id, channel },
      'Stored a teammate reply as a suggested answer',
    );
    await client.chat.postEphemeral({
      channel,
      user: event.user,
      thread_ts: message.thread_ts,
      text: teammateAnswerStoredNotice(message.user),
    });
  });
}
