import type { Config, Core, Logger } from '../../core/index.ts';
import type { RateLimiter } from '../rate-limiter.ts';

/** What every listener gets: core, the Slack settings, the operator log and the per-user rate limit. */
export interface SlackBotDependencies {
  core: Core;
  settings: Config['slack'];
  logger: Logger;
  rateLimiter: RateLimiter;
}

/** `allowedChannels: []` means every channel the bot is in; direct messages are always allowed. */
export function channelAllowed(settings: Config['slack'], channel: string, isDirect: boolean): boolean {
  return isDirect || settings.allowedChannels.length === 0 || settings.allowedChannels.includes(channel);
}

/**
 * Exactly once across retries, restarts and replicas: true the first time an event id is seen. Events
 * without an id (none are expected) are let through.
 */
export async function claimEvent(dependencies: SlackBotDependencies, body: { event_id?: unknown }): Promise<boolean> {
  if (typeof body.event_id !== 'string' || !body.event_id) return true;
  const first = await dependencies.core.claimEvent('slack', body.event_id);
  if (!first) dependencies.logger.info({ eventId: body.event_id }, 'Dropped a duplicate Slack event');
  return first;
}
