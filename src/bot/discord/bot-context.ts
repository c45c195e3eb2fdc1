import type { Core, Logger, RateLimiter } from '../../core/index.ts';

import type { AccessPolicy } from './access-policy.ts';

/** What every Discord handler gets: core, and the face's own policies. */
export interface DiscordBotContext {
  core: Core;
  logger: Logger;
  access: AccessPolicy;
  rateLimiter: RateLimiter;
}

/**
 * Core's exactly-once claim of a Discord delivery (an interaction, a message, or a new thread: a forum post); false
 * when another delivery or replica handles it. Every replica on one token receives every gateway event.
 */
export async function claimDelivery(
  { core }: Pick<DiscordBotContext, 'core'>,
  kind: 'interaction' | 'message' | 'thread',
  id: string,
): Promise<boolean> {
  return (await core.delivery.claim('discord', `${kind}:${id}`, { details: { kind, id } })) !== undefined;
}
