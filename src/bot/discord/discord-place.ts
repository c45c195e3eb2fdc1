import type { BaseInteraction, Message } from 'discord.js';
import type { DiscordPlace } from './access-policy.ts';

/** Where an interaction happened; a thread reports the channel it belongs to as its parent. */
export function placeOfInteraction(interaction: BaseInteraction): DiscordPlace {
  const channel = interaction.channel;
  return {
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    parentId: channel?.isThread() ? channel.parentId : null,
  };
}

export function placeOfMessage(message: Message): DiscordPlace {
  return {
    guildId: message.guildId,
    channelId: message.channelId,
    parentId: message.channel.isThread() ? message.channel.parentId : null,
  };
}

/**
 * The channel and thread keys a conversation is stored under. Questions in a thread share the thread's key,
 * so core finds the earlier turns for follow-ups; elsewhere each question gets its own key.
 */
export function conversationKeys(
  place: DiscordPlace,
  standaloneKey: string,
): { channel: string; thread: string } {
  const inThread = Boolean(place.parentId);
  return {
    channel: (inThread ? place.parentId : place.channelId) ?? '',
    thread: inThread ? (place.channelId ?? standaloneKey) : standaloneKey,
  };
}
