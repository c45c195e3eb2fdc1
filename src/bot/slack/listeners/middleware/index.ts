import type { App } from '@slack/bolt';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';

/**
 * Retry reasons that prove the first delivery reached us (Slack only thought we were slow): such retries
 * are dropped at once. A retry after a failed connection may be the only delivery we ever get, so it goes
 * on, and the durable claim on its event id still keeps it from producing a second answer.
 */
const deliveredBefore = new Set(['http_timeout', 'timeout', '']);

export function register(app: App, dependencies: SlackBotDependencies): void {
  // Bolt has acknowledged the event before this runs, so returning early only skips the work.
  app.use(async ({ context, next }) => {
    // Undefined on a first HTTP delivery, 0 on a first Socket Mode delivery.
    if (context.retryNum && deliveredBefore.has(context.retryReason ?? '')) {
      dependencies.logger.info({ retryNum: context.retryNum, retryReason: context.retryReason }, 'Dropped a Slack retry');
      return;
    }
    await next();
  });
}
