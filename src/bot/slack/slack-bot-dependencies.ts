import type { webApi } from '@slack/bolt';
import type { Config, Core, Logger, RateLimiter } from '../../core/index.ts';
import { type ChannelSettings, resolveChannelSettings } from '../channel-modes.ts';

import type { ThreadHistoryReader } from './thread-history.ts';

/** What every listener gets: core, the Slack settings, the operator log and the per-user rate limit. */
export interface SlackBotDependencies {
  core: Core;
  settings: Config['slack'];
  logger: Logger;
  rateLimiter: RateLimiter;
  /** Slack's thread history, within its rate limit: only for threads the store has no record of. */
  threadHistory: ThreadHistoryReader;
}

/**
 * The settings in effect in a channel (`slack.channels.<id>`, or the older `allowedChannels` and
 * `channelFilters`). Direct messages are always answered, in mention mode.
 */
export function channelSettingsFor(
  dependencies: Pick<SlackBotDependencies, 'core' | 'settings'>,
  channel: string,
  isDirect: boolean,
): ChannelSettings {
  const { answering } = dependencies.core.config;
  const defaults = {
    mode: 'mention' as const,
    threshold: answering.autoAnswerThreshold,
    refusalThreshold: answering.refusalThreshold,
  };
  if (isDirect)
    return { ...resolveChannelSettings(dependencies.settings, [channel], defaults), mode: 'mention' };
  return resolveChannelSettings(dependencies.settings, [channel], defaults);
}

/**
 * A question from outside the organisation: the channel is shared through Slack Connect, or the person's
 * workspace differs from the one the event was delivered to.
 */
export function isExternal(
  body: { is_ext_shared_channel?: unknown; team_id?: unknown },
  event: { user_team?: unknown; team?: unknown },
): boolean {
  if (body.is_ext_shared_channel === true) return true;
  const home = typeof body.team_id === 'string' ? body.team_id : undefined;
  const asker = typeof event.user_team === 'string' ? event.user_team : undefined;
  return Boolean(home && asker && asker !== home);
}

/**
 * Whether a channel is shared with another organisation (Slack Connect), for interactions that carry no
 * such flag (slash commands, shortcuts). When Slack cannot say, the answer is yes: internal documentation
 * stays internal, and the operator log says which scope to grant.
 */
export async function channelIsShared(
  dependencies: Pick<SlackBotDependencies, 'logger'>,
  client: webApi.WebClient,
  channel: string,
): Promise<boolean> {
  try {
    const info = await client.conversations.info({ channel });
    return Boolean(info.channel?.is_ext_shared);
  } catch (error) {
    const reason = (error as { data?: { error?: string } }).data?.error ?? String(error);
    dependencies.logger.warn(
      { channel, reason },
      'Could not tell whether a channel is shared with another organisation (grant channels:read and groups:read); treating it as shared',
    );
    return true;
  }
}
