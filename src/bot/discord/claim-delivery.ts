import type { DiscordBotContext } from './bot-context.ts';

/** What Discord delivered: an interaction, a message, or a new thread (forum post). */
export type DiscordDeliveryKind = 'interaction' | 'message' | 'thread';

/**
 * Exactly once across redeliveries, restarts and replicas: true the first time this delivery is seen.
 * Every replica connected with the same token receives every gateway event, and Discord may deliver an
 * interaction again after a reconnect; the claim is a durable record in the store, so only one process
 * answers and the per-user rate limit is charged once. Everything that claims goes through here.
 */
export async function claimDelivery(
  { core, logger }: Pick<DiscordBotContext, 'core' | 'logger'>,
  kind: DiscordDeliveryKind,
  id: string,
): Promise<boolean> {
  // A Discord delivery cannot be replayed later (an interaction must be acknowledged within 3 s), so the claim is
  // finished at once: it only decides who answers, and is purged after coordination.claimRetentionHours.
  const attempt = await core.coordination.claims.claim('discord', `${kind}:${id}`);
  if (attempt.status === 'claimed') {
    await attempt.claim.finish();
    return true;
  }
  core.metrics.increment('duplicate_deliveries_dropped_total', {
    platform: 'discord',
    reason: attempt.status === 'held' ? 'in_progress' : attempt.state,
  });
  logger.info({ kind, id }, 'Dropped a Discord delivery another delivery or replica already handled');
  return false;
}
