import { AsyncLocalStorage } from 'node:async_hooks';
import type { App } from '@slack/bolt';
import { AnswerloopError, type Claim, type ClaimAttempt } from '../../../../core/index.ts';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { answerAlreadyPosted } from './answer-already-posted.ts';

/** Claims are scoped per platform; this face's deliveries are Events API callbacks, keyed by event_id. */
export const slackClaimScope = 'slack';

/**
 * Deliveries the sweep took over and runs through the app again, keyed by the very object it passes to Bolt:
 * only that run may answer under the taken-over claim. A duplicate of the same event reaching this process (a
 * retry routed back here, Slack delivering twice) is another object, goes to the store and finds the claim held.
 */
const handedOver = new WeakMap<object, Claim>();

/** The claim of the delivery whose listeners run now (set around them by the middleware below). */
const deliveryInScope = new AsyncLocalStorage<Claim>();

/**
 * Checked just before an answer is posted: true while this process still owns the delivery being answered (it
 * renews the claim, a conditional write). False when another replica took the claim over because this one went
 * quiet past the claim's deadline (starved of CPU, cut off from the store): that replica answers, this one stays
 * silent. When the store cannot be asked the answer is posted (a second answer beats none). True outside a claimed
 * delivery (commands, shortcuts).
 */
export async function stillOwnsDelivery(): Promise<boolean> {
  const claim = deliveryInScope.getStore();
  if (!claim) return true;
  if (claim.lost) return false;
  return claim.renew().catch(() => true);
}

/** Marks a delivery body as the sweep's re-run of a claim this process took over. */
export function handOverDelivery(body: object, claim: Claim): void {
  handedOver.set(body, claim);
}

/** The Events API delivery id, or undefined for anything else (actions, views, commands carry none). */
export function deliveryIdOf(body: unknown): string | undefined {
  const delivery = body as { type?: unknown; event_id?: unknown } | undefined;
  return delivery?.type === 'event_callback' && typeof delivery.event_id === 'string' && delivery.event_id
    ? delivery.event_id
    : undefined;
}

/**
 * Claims the delivery, waiting out a store that does not answer (a paused or restarting cluster) for a bounded
 * time: the person gets a late answer rather than none. Past that the error reaches the boundary, which apologises.
 */
async function claimPatiently(
  dependencies: SlackBotDependencies,
  eventId: string,
  body: unknown,
): Promise<ClaimAttempt> {
  const { claims } = dependencies.core.coordination;
  const patienceMs = dependencies.core.config.coordination.claimTtlMs;
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await claims.claim(slackClaimScope, eventId, body);
    } catch (error) {
      const retryable = AnswerloopError.is(error) && error.isRetryable;
      if (!retryable || Date.now() - started >= patienceMs) throw error;
      dependencies.logger.warn(
        { err: error, eventId, attempt },
        'Could not claim a Slack delivery: the store did not answer; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 2000)));
    }
  }
}

export function register(app: App, dependencies: SlackBotDependencies): void {
  const { metrics } = dependencies.core;
  // Bolt has acknowledged the event before this runs. The claim, stored with the delivery, is what makes the
  // answer happen exactly once: a duplicate or retry is dropped while the claim is healthy or answered, and
  // answered by whoever takes the claim over when its replica stopped renewing it (see the sweep in app.ts).
  app.use(async ({ body, context, next }) => {
    const eventId = deliveryIdOf(body);
    if (!eventId) {
      await next();
      return;
    }
    let claim: Claim | undefined = handedOver.get(body);
    handedOver.delete(body);
    if (!claim) {
      const attempt = await claimPatiently(dependencies, eventId, body);
      if (attempt.status !== 'claimed') {
        metrics.increment('duplicate_deliveries_dropped_total', {
          platform: 'slack',
          reason: attempt.status === 'held' ? 'in_progress' : attempt.state,
        });
        dependencies.logger.info(
          {
            eventId,
            retryNum: context.retryNum,
            retryReason: context.retryReason,
            claim: attempt.status,
            ...(attempt.status === 'done' ? { state: attempt.state } : {}),
          },
          'Dropped a duplicate Slack delivery',
        );
        return;
      }
      claim = attempt.claim;
    }
    if (claim.takenOver && (await answerAlreadyPosted(dependencies.core, body))) {
      // Its replica answered and died before marking it: the sweep or this retry must not answer again.
      await claim.finish().catch(() => undefined);
      dependencies.logger.info(
        { eventId },
        'A taken-over Slack delivery was already answered; marking it done',
      );
      return;
    }
    if (claim.takenOver) {
      const waitedMs = Date.now() - claim.firstClaimedAt;
      metrics.increment('claims_taken_over_total', { platform: 'slack' });
      metrics.observe('claim_takeover_wait_seconds', waitedMs / 1000, { platform: 'slack' });
      dependencies.logger.info(
        { eventId, attempts: claim.attempts, waitedMs },
        'Answering a Slack delivery another replica left unfinished',
      );
    }
    const stopRenewing = claim.keepRenewing();
    const owned = claim;
    try {
      await deliveryInScope.run(owned, () => next());
    } catch (error) {
      stopRenewing();
      // The boundary apologises next; released, a later retry of this delivery may still be answered.
      await claim
        .release()
        .catch((releaseError: unknown) =>
          dependencies.logger.warn({ err: releaseError, eventId }, 'Could not release a Slack claim'),
        );
      throw error;
    }
    stopRenewing();
    await claim
      .finish()
      .catch((finishError: unknown) =>
        dependencies.logger.warn({ err: finishError, eventId }, 'Could not mark a Slack delivery answered'),
      );
  });
}
