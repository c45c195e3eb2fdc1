/**
 * Per-channel settings, one shape for Slack and Discord (`slack.channels.<id>`, `discord.channels.<id>`).
 *
 *   mode       mention: answer when asked (mention, direct message, slash command)
 *              auto:    also answer new questions nobody addressed to the bot, when confident (help channels)
 *              command: Discord only: answer the slash command, never mentions
 *              off:     stay out of the channel
 *   reply      thread (answer where asked, in a thread) | private (only the asker sees the answer)
 *   threshold  the confidence an unprompted (auto) answer needs; never below the refusal threshold
 *   filters    the knowledge filters of the channel (tags, source prefixes)
 *   reaction   auto mode: an emoji added to a question the bot looked at but did not answer
 *   keepSilent auto mode: keep a question the bot looked at but did not answer as a silent record, for the review
 *              queue and `answerloop gaps` (default true); false: nothing of it is stored
 *   tags       Discord forum channels: tags applied to a post the bot answered
 *   unsureTags Discord forum channels: tags applied to a post the bot was not sure enough to answer
 *   handoff    the "Ask a person" button under every answer and refusal: `channel` is where the question is
 *              posted for the support team (the question's own thread when unset), `mention` who is called
 *              (Slack: a user group id S... or user id U...; Discord: a role id); no button when unset
 *
 * The legacy `allowedChannels` and `channelFilters` settings mean the same thing and keep working: a
 * non-empty `allowedChannels` turns every channel it does not list off (unless `channels` names it), and
 * `channelFilters.<id>` is the channel's `filters`.
 */
import type { SearchFilters } from '../core/index.ts';

export type ChannelMode = 'mention' | 'auto' | 'command' | 'off';
export type ChannelReply = 'thread' | 'private';

/** Where a question handed to a person goes, and who is called: one shape on both platforms. */
export interface HandoffSettings {
  channel?: string | undefined;
  mention?: string | undefined;
}

/** One entry of `slack.channels` / `discord.channels`: every field optional. */
export interface ChannelOverride {
  mode?: ChannelMode | undefined;
  reply?: ChannelReply | undefined;
  threshold?: number | undefined;
  filters?: SearchFilters | undefined;
  reaction?: string | undefined;
  keepSilent?: boolean | undefined;
  tags?: string[] | undefined;
  unsureTags?: string[] | undefined;
  handoff?: HandoffSettings | undefined;
}

/** The part of a platform's settings the resolver reads (`config.slack` and `config.discord` both fit). */
export interface ChannelSettingsSource {
  allowedChannels: readonly string[];
  channelFilters: Readonly<Record<string, SearchFilters>>;
  channels: Readonly<Record<string, ChannelOverride>>;
}

export interface ChannelDefaults {
  /** A channel nobody configured: `mention` on Slack; on Discord `command`, or `mention` when mentions are on. */
  mode: ChannelMode;
  /** `answering.autoAnswerThreshold`. */
  threshold: number;
  /** `answering.refusalThreshold`: no channel threshold goes below it. */
  refusalThreshold: number;
}

/** The settings in effect for one channel. */
export interface ChannelSettings {
  mode: ChannelMode;
  reply: ChannelReply;
  threshold: number;
  filters?: SearchFilters;
  reaction?: string;
  /** Keep unasked questions the bot stayed silent on (silent records); default true. */
  keepSilent: boolean;
  tags?: string[];
  unsureTags?: string[];
  /** Set where the "Ask a person" button is offered. */
  handoff?: HandoffSettings;
}

/**
 * The settings of the channel a message is in. `ids` is the place, most specific first: a Discord thread
 * passes its own id then its parent channel's; each field comes from the first id that sets it, so a
 * thread may override only its filters. Pure: the same inputs give the same settings.
 */
export function resolveChannelSettings(
  source: ChannelSettingsSource,
  ids: readonly (string | null | undefined)[],
  defaults: ChannelDefaults,
): ChannelSettings {
  const known = ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
  const pick = <K extends keyof ChannelOverride>(key: K): ChannelOverride[K] => {
    for (const id of known) {
      const value = source.channels[id]?.[key];
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const listed =
    source.allowedChannels.length === 0 ||
    known.some((id) => source.allowedChannels.includes(id) || source.channels[id] !== undefined);
  const legacyFilters = known.map((id) => source.channelFilters[id]).find((filters) => filters !== undefined);
  const filters = pick('filters') ?? legacyFilters;
  const reaction = pick('reaction');
  const tags = pick('tags');
  const unsureTags = pick('unsureTags');
  const handoff = pick('handoff');
  return {
    mode: listed ? (pick('mode') ?? defaults.mode) : 'off',
    reply: pick('reply') ?? 'thread',
    threshold: Math.max(pick('threshold') ?? defaults.threshold, defaults.refusalThreshold),
    keepSilent: pick('keepSilent') ?? true,
    ...(filters ? { filters } : {}),
    ...(reaction ? { reaction } : {}),
    ...(tags ? { tags } : {}),
    ...(unsureTags ? { unsureTags } : {}),
    ...(handoff && (handoff.channel || handoff.mention) ? { handoff } : {}),
  };
}

const interrogativeOpenings = new Set([
  'how',
  'what',
  'whats',
  "what's",
  'why',
  'when',
  'where',
  'which',
  'who',
  'whom',
  'whose',
  'is',
  'are',
  'am',
  'was',
  'were',
  'can',
  'could',
  'do',
  'does',
  'did',
  'should',
  'shall',
  'would',
  'will',
  'has',
  'have',
  'may',
  'might',
  'must',
  'isnt',
  "isn't",
  'arent',
  "aren't",
  'cant',
  "can't",
  'doesnt',
  "doesn't",
  'anyone',
  'anybody',
  'someone',
  'somebody',
  'any',
]);
/** Words that open a message without changing what it asks. */
const greetings = new Set([
  'hi',
  'hey',
  'hello',
  'hiya',
  'yo',
  'morning',
  'folks',
  'all',
  'team',
  'everyone',
  'guys',
  'there',
  'please',
  'pls',
  'so',
  'quick',
  'question',
]);

/**
 * A cheap test for "this message asks something": a question mark outside code and links, or an
 * interrogative first word after any greeting ("hi all, how do I ..."). Used before spending a search
 * on a message nobody addressed to the bot; it errs on the side of silence.
 */
export function looksLikeQuestion(text: string): boolean {
  const prose = text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\bhttps?:\/\/\S+/g, ' ');
  const words = prose.toLowerCase().match(/[a-z']+/g) ?? [];
  if (words.length < 3) return false;
  if (/\?/.test(prose)) return true;
  const opening = words.find((word) => !greetings.has(word));
  return opening !== undefined && interrogativeOpenings.has(opening);
}
