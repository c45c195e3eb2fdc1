import type { Config, SearchFilters } from '../../core/index.ts';

/** Where a question was asked. A thread's `parentId` is the channel it hangs off. */
export interface DiscordPlace {
  guildId: string | null;
  channelId: string | null;
  parentId?: string | null;
}

export interface AccessPolicy {
  /** True when the bot answers in this place (allowed guild and channel; a thread counts as its channel). */
  allows(place: DiscordPlace): boolean;
  /** Knowledge filters configured for the place's channel (a thread uses its own, then its channel's). */
  filtersFor(place: DiscordPlace): SearchFilters | undefined;
}

export function createAccessPolicy(settings: Config['discord']): AccessPolicy {
  const guilds = new Set(settings.allowedGuilds);
  const channels = new Set(settings.allowedChannels);
  return {
    allows(place) {
      // Direct messages have no guild: allowed only when no guild or channel list narrows the bot down.
      if (place.guildId === null) return guilds.size === 0 && channels.size === 0;
      if (guilds.size > 0 && !guilds.has(place.guildId)) return false;
      if (channels.size === 0) return true;
      return (place.channelId !== null && channels.has(place.channelId)) || (place.parentId != null && channels.has(place.parentId));
    },
    filtersFor(place) {
      const own = place.channelId ? settings.channelFilters[place.channelId] : undefined;
      return own ?? (place.parentId ? settings.channelFilters[place.parentId] : undefined);
    },
  };
}
