import type { App } from '@slack/bolt';
import type { BackgroundJob, Core, Logger } from '../../core/index.ts';
import { answerAlreadyPosted } from './listeners/middleware/answer-already-posted.ts';
import { handOverDelivery, slackClaimScope } from './listeners/middleware/index.ts';

/** Claims taken over per sweep: enough to drain a dead replica's backlog in a few sweeps, few enough to stay gentle. */
const claimsPerSweep = 25;

/**
 * On one replica at a time (a lease), looks for Slack deliveries whose replica stopped renewing their claim
 * (it died, or lost the store), takes each over with a conditional write and runs it through the app again from
 * the payload kept with the claim. The delivery middleware then finds the claim held by this process.
 */
export function startClaimSweep(app: App, core: Core, logger: Logger): BackgroundJob {
  const settings = core.config.coordination;
  return core.coordination.startJob({
    name: 'slack-claim-sweep',
    everyMs: settings.sweepIntervalMs,
    leaseTtlMs: settings.leaseTtlMs,
    run: async () => {
      const taken = await core.coordination.claims.takeOverExpired(slackClaimScope, claimsPerSweep);
      for (const claim of taken) {
        const body = claim.payload as Record<string, unknown> | undefined;
        if (!body || typeof body !== 'object') {
          logger.warn(
            { eventId: claim.id },
            'A taken-over Slack claim has no delivery to answer; marking it done',
          );
          await claim.finish();
          continue;
        }
        if (await answerAlreadyPosted(core, body)) {
          logger.info(
            { eventId: claim.id },
            'A taken-over Slack delivery was answered before its replica stopped; marking it done',
          );
          await claim.finish();
          continue;
        }
        logger.info(
          { eventId: claim.id, attempts: claim.attempts },
          'Took over a Slack delivery whose replica stopped',
        );
        handOverDelivery(body, claim);
        // Not awaited: the sweep goes on while the answer is written; the app tracks the work for stop().
        app
          .processEvent({ body, ack: async () => {} })
          .catch((error: unknown) =>
            logger.error({ err: error, eventId: claim.id }, 'A taken-over Slack delivery failed'),
          );
      }
    },
  });
}
