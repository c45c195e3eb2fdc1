import type { App } from '@slack/bolt';
import type { BackgroundJob, Core, Logger } from '../../core/index.ts';

/** Claims taken over per sweep: enough to drain a dead replica's backlog in a few sweeps, few enough to stay gentle. */
const claimsPerSweep = 25;

/**
 * On one replica at a time (a lease), takes over the Slack deliveries whose replica stopped renewing their claim
 * (it died, or lost the store) and runs each through the app again from the payload kept with the claim. The
 * delivery middleware's claim then gets the taken-over claim (core checks it was not answered already).
 */
export function startClaimSweep(app: App, core: Core, logger: Logger): BackgroundJob {
  const settings = core.config.coordination;
  return core.coordination.startJob({
    name: 'slack-claim-sweep',
    everyMs: settings.sweepIntervalMs,
    leaseTtlMs: settings.leaseTtlMs,
    run: async () => {
      for (const delivery of await core.delivery.takeOverExpired('slack', claimsPerSweep)) {
        // Not awaited: the sweep goes on while the answer is written; the app tracks the work for stop().
        app
          .processEvent({ body: delivery.payload as Record<string, unknown>, ack: async () => {} })
          .catch((error: unknown) =>
            logger.error({ err: error, eventId: delivery.id }, 'A taken-over Slack delivery failed'),
          );
      }
    },
  });
}
