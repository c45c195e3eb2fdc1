import type { Config, SearchFilters } from '../../core/index.ts';
import { type ChannelSettings, resolveChannelSettings } from '../channel-modes.ts';

/** Where a question was asked. A thread's `parentId` is the channel it hangs off. */
export interface DiscordPlace {
  guildId: string | null;
  channelId: string | null;
  parentId?: string | null;
}

export interface AccessPolicy {
  /**
   * The settings in effect in this place (`discord.channels.<id>`, the legacy lists read as the same):
   * a thread takes its own, then its channel's; mode `off` outside the allowed servers and channels.
   */
  settingsFor(place: DiscordPlace): ChannelSettings;
  /** True when the bot answers in this place at all (a slash or message command). */
  allows(place: DiscordPlace): boolean;
  /** Knowledge filters configured for the place's channel (a thread uses its own, then its channel's). */
  filtersFor(place: DiscordPlace): SearchFilters | undefined;
  /** True when any configured channel wants messages read (mention or auto): the bot then needs the Message Content intent. */
  readsMessages(): boolean;
}

export function createAccessPolicy(config: Pick<Config, 'discord' | 'answering'>): AccessPolicy {
  const settings = config.discord;
  const guilds = new Set(settings.allowedGuilds);
  const defaults = {
    mode: settings.mentions ? ('mention' as const) : ('command' as const),
    threshold: config.answering.autoAnswerThreshold,
    refusalThreshold: config.answering.refusalThreshold,
  };
  const off = (): ChannelSettings => ({
    mode: 'off',
    reply: 'thread',
    keepSilent: true,
    threshold: Math.max(defaults.threshold, defaults.refusalThreshold),
  });
  const settingsFor = (place: DiscordPlace): ChannelSettings => {
    // Direct messages have no guild: answered only when no guild or channel list narrows the bot down.
    if (place.guildId === null && (guilds.size > 0 || settings.allowedChannels.length > 0)) return off();
    if (place.guildId !== null && guilds.size > 0 && !guilds.has(place.guildId)) return off();
    return resolveChannelSettings(settings, [place.channelId, place.parentId], defaults);
  };
  return {
    settingsFor,
    allows: (place) => settingsFor(place).mode !== 'off',
    filtersFor: (place) => settingsFor(place).filters,
    readsMessages: () =>
      settings.mentions ||
      Object.values(settings.channels).some(
        (channel) => channel.mode === 'mention' || channel.mode === 'auto',
      ),
  };
}
