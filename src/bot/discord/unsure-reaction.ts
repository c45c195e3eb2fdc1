import { type Message, RESTJSONErrorCodes } from 'discord.js';
import { toAnswerloopError } from '../../core/index.ts';
import type { ChannelSettings } from '../channel-modes.ts';
import { discordReaction } from '../render/reaction-emoji.ts';
import type { DiscordBotContext } from './bot-context.ts';
import { isDiscordError } from './discord-retry.ts';

/**
 * Auto mode: adds the channel's `reaction` to a question the bot looked at but was not sure enough to answer, so
 * people see it was read (the same setting as Slack's). A reaction Discord refuses is logged with what to do; the
 * question is never affected.
 */
export async function reactToUnsure(
  message: Message,
  settings: ChannelSettings,
  context: Pick<DiscordBotContext, 'logger'>,
): Promise<void> {
  if (!settings.reaction) return;
  const emoji = discordReaction(settings.reaction);
  if (!emoji) {
    context.logger.warn(
      { channelId: message.channelId, reaction: settings.reaction },
      'the channel\'s reaction names no emoji: give the emoji itself ("👀"), its name as in Slack ("eyes") or a server emoji ("name:id")',
    );
    return;
  }
  await message.react(emoji).catch((error: unknown) => {
    const advice = isDiscordError(error, RESTJSONErrorCodes.MissingPermissions)
      ? ' (grant Add Reactions and Read Message History in the channel)'
      : isDiscordError(error, RESTJSONErrorCodes.UnknownEmoji)
        ? ' (the server has no such emoji)'
        : '';
    context.logger.warn(
      { err: toAnswerloopError(error), channelId: message.channelId, reaction: settings.reaction },
      `could not add the looked-at reaction${advice}`,
    );
  });
}
