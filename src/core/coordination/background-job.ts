import type { Clock, KeyValueStore, Logger, Metrics } from '../ports/index.ts';
import { keepLeaseRenewed, type Lease, type LeaseService } from './leases.ts';

export interface BackgroundJobOptions {
  /** The lease's name: one replica at a time runs the job of this name. */
  name: string;
  /** How often the job runs (ms), counted across replicas: a new holder waits for the rest of the interval. */
  everyMs: number;
  /** How long the lease outlives its holder's last renewal; also how often others look for a free lease (a third). */
  leaseTtlMs: number;
  run(lease: Lease): Promise<void>;
}

export interface BackgroundJob {
  readonly name: string;
  /** True while this process holds the job's lease. */
  readonly holding: boolean;
  /** Runs the job now when this process holds or can take the lease; false when another holds it. */
  runNow(): Promise<boolean>;
  /** Stops the schedule, waits for a run in progress, releases the lease. */
  stop(): Promise<void>;
}

/**
 * Background work on exactly one replica: every replica starts the job; the one holding the lease runs it on
 * schedule and renews the lease, the others check every third of the ttl and take over when it expires.
 * The time of the last run is shared, so a takeover neither runs early nor skips a run.
 */
export function startBackgroundJob(
  options: BackgroundJobOptions,
  dependencies: {
    leases: LeaseService;
    values: KeyValueStore;
    clock: Clock;
    logger: Logger;
    metrics?: Metrics;
  },
): BackgroundJob {
  const { leases, values, clock } = dependencies;
  const logger = dependencies.logger.child({ job: options.name });
  let lease: Lease | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const pollMs = Math.max(50, Math.floor(options.leaseTtlMs / 3));

  async function holdLease(): Promise<Lease | undefined> {
    if (lease && !lease.lost) {
      if (await lease.renew()) return lease;
      lease = undefined;
    }
    lease = await leases.acquire(options.name, options.leaseTtlMs);
    return lease;
  }

  async function due(): Promise<boolean> {
    const last = await values.getValue('job-last-run', options.name);
    return !last || clock.now().getTime() - Date.parse(last) >= options.everyMs;
  }

  async function runOnce(force: boolean): Promise<boolean> {
    const held = await holdLease();
    if (!held) return false;
    if (!force && !(await due())) return true;
    const started = clock.now();
    const stopRenewing = keepLeaseRenewed(held, options.leaseTtlMs, logger);
    try {
      await options.run(held);
      dependencies.metrics?.increment('background_job_runs_total', { job: options.name, outcome: 'ok' });
      logger.info({ ms: clock.now().getTime() - started.getTime() }, 'Background job ran');
    } catch (error) {
      dependencies.metrics?.increment('background_job_runs_total', { job: options.name, outcome: 'failed' });
      logger.error({ err: error }, 'Background job failed; it runs again on schedule');
    } finally {
      stopRenewing();
      // Failures count as runs too: a job failing at once must not run in a tight loop.
      await values.setValue('job-last-run', options.name, started.toISOString());
    }
    return true;
  }

  function tick() {
    if (stopped) return;
    running = runOnce(false)
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'Background job could not reach the store; retrying'),
      )
      .then(() => undefined)
      .finally(() => {
        running = undefined;
        if (!stopped) {
          timer = setTimeout(tick, Math.min(pollMs, options.everyMs));
          timer.unref();
        }
      });
  }
  tick();

  return {
    name: options.name,
    get holding() {
      return Boolean(lease && !lease.lost);
    },
    async runNow() {
      await running;
      return runOnce(true);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await lease
        ?.release()
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'Releasing a lease failed; it expires by itself'),
        );
      lease = undefined;
    },
  };
}
