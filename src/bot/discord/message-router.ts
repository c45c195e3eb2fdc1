import { ChannelType, type Message } from 'discord.js';
import { toAnswerloopError } from '../../core/index.ts';
import { claimDelivery, type DiscordBotContext } from './bot-context.ts';
import { placeOfMessage } from './discord-place.ts';
import { handleHelpChannelMessage, handleHelpThreadFollowUp } from './help-channel.ts';
import { handleMention } from './mention-handler.ts';

const isForum = (type: ChannelType | undefined) =>
  type === ChannelType.GuildForum || type === ChannelType.GuildMedia;

/**
 * Every message the gateway delivers passes here; most are none of the bot's business and cost nothing
 * (no store write, no search). Bots, webhooks and system messages are ignored, so the bot never argues with
 * another bot. A mention is answered in channels in mode `mention` or `auto`; in `auto` channels a question
 * nobody addressed to the bot is answered when the bot is sure (help channels, follow-ups in help threads).
 */
export async function routeMessage(message: Message, context: DiscordBotContext): Promise<void> {
  if (message.author.bot || message.webhookId || message.system || !message.inGuild()) return;
  const settings = context.access.settingsFor(placeOfMessage(message));
  if (settings.mode !== 'mention' && settings.mode !== 'auto') return;
  // The first message of a post in a help forum (it has the post's id) is answered with the post, on threadCreate.
  if (
    settings.mode === 'auto' &&
    message.channel.isThread() &&
    message.id === message.channelId &&
    isForum(message.channel.parent?.type)
  )
    return;
  if (message.mentions.users.has(message.client.user.id)) {
    if (await claimDelivery(context, 'message', message.id)) await handleMention(message, context);
    return;
  }
  if (settings.mode !== 'auto') return;
  try {
    if (message.channel.isThread()) await handleHelpThreadFollowUp(message, settings, context);
    else await handleHelpChannelMessage(message, settings, context);
  } catch (error) {
    // Nobody asked the bot: an apology under someone's message would be noise. The operator learns why.
    context.logger.error(
      { err: toAnswerloopError(error), messageId: message.id, channelId: message.channelId },
      'Discord auto answer failed',
    );
  }
}
