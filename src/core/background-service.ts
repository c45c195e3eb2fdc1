/**
 * The background part of Core: every job a process runs beside its work, started by one call. Each job that must
 * run once across replicas holds a lease in the store (any replica takes it over when its holder dies):
 * - knowledge.sources kept fresh at their intervals (one sync of a source at a time across replicas);
 * - with chat faces serving: the clean-up of finished claims, old rate-limit counters, thread messages past
 *   threads.retentionDays and the event ids older versions kept; the learning loop (watching fine-tuning jobs, the
 *   retraining schedule); and for each face that answers deliveries again (Slack), the sweep taking over the
 *   deliveries of a replica that stopped.
 */
import type { Config } from './config/index.ts';
import type { BackgroundJob, CoordinationService } from './coordination/index.ts';
import type { DeliveryService, TakenOverDelivery } from './coordination/delivery.ts';
import type { KnowledgeService } from './knowledge/knowledge-service.ts';
import type { Logger, Platform } from './ports/index.ts';
import type { ThreadMemory } from './threads/thread-memory.ts';
import type { TrainingSchedule } from './training/training-schedule.ts';

/** A chat face this process serves. */
export interface ServedFace {
  platform: Platform;
  /**
   * Answers a delivery again that the claim sweep took over from a stopped replica (Slack re-runs the stored event
   * through its app; `core.delivery.claim` then hands this process the taken-over claim). Faces whose platform
   * cannot deliver again (Discord) give none.
   */
  redeliver?: (delivery: TakenOverDelivery) => void;
}

export interface RunningBackground {
  /** The jobs started (the lease-holding ones), for status and tests. */
  readonly jobs: readonly BackgroundJob[];
  /** Stops every job, waits for runs in progress and releases their leases. */
  stop(): Promise<void>;
}

export interface BackgroundService {
  /**
   * Starts every background job of this process: the knowledge sources' refresh always; with `faces` (the chat
   * platforms served) also the clean-up, the learning loop and the claim sweeps. Call once, stop on shutdown.
   */
  start(options?: { faces?: readonly ServedFace[] }): RunningBackground;
}

/** Platforms whose claims the clean-up purges once their retention passed. */
const claimScopes: Platform[] = ['slack', 'discord'];
/** Runs a bounded purge until it deletes nothing, at most 20 batches of 500; a backlog drains over the next runs. */
async function drain(purge: (limit: number) => Promise<number>): Promise<void> {
  for (let page = 0; page < 20 && (await purge(500)) > 0; page += 1);
}

/** Claims taken over per sweep: enough to drain a dead replica's backlog in a few sweeps, few enough to stay gentle. */
const claimsPerSweep = 25;

export function createBackgroundService(dependencies: {
  config: Config;
  logger: Logger;
  coordination: Pick<CoordinationService, 'startJob' | 'claims' | 'rateLimits'>;
  delivery: Pick<DeliveryService, 'takeOverExpired' | 'purgeSeenEvents'>;
  sources: Pick<KnowledgeService['sources'], 'startBackground'>;
  threads: Pick<ThreadMemory, 'purgeExpired'>;
  trainingSchedule: Pick<TrainingSchedule, 'jobNames' | 'watchJobs' | 'retrainIfNeeded'>;
}): BackgroundService {
  const { config, logger, coordination } = dependencies;
  const { leaseTtlMs } = config.coordination;

  /** Deletes finished claims, old counters, thread messages and event ids: the store does not grow without end. */
  const cleanup = () =>
    coordination.startJob({
      name: 'coordination-cleanup',
      everyMs: config.coordination.cleanupIntervalMinutes * 60_000,
      leaseTtlMs,
      run: async () => {
        const { claims, rateLimits } = coordination;
        const { delivery, threads } = dependencies;
        for (const scope of claimScopes) await drain((limit) => claims.purge(scope, limit));
        // Rate-limit counters of windows that no longer count (written only when limits are shared).
        await drain((limit) => rateLimits.purge(limit));
        // Event ids the exactly-once path before claims kept, in stores written by older versions.
        for (const platform of claimScopes) await drain((limit) => delivery.purgeSeenEvents(platform, limit));
        // Thread messages older than threads.retentionDays.
        await drain((limit) => threads.purgeExpired(limit));
      },
    });

  /** Watching fine-tuning jobs every training.pollSeconds, and the retraining schedule; nothing without OpenAI. */
  const learningLoop = (): BackgroundJob[] => {
    const schedule = dependencies.trainingSchedule;
    const settings = config.training.schedule;
    const scheduleLogger = logger.child({ component: 'training-schedule' });
    if (!config.secrets.openaiApiKey) {
      if (settings.everyHours > 0)
        scheduleLogger.warn(
          { everyHours: settings.everyHours },
          'training.schedule.everyHours is set but OPENAI_API_KEY is not: the retraining schedule does not run',
        );
      return [];
    }
    const jobs = [
      coordination.startJob({
        name: schedule.jobNames.watch,
        everyMs: config.training.pollSeconds * 1000,
        leaseTtlMs,
        run: async () => {
          await schedule.watchJobs();
        },
      }),
    ];
    if (settings.everyHours > 0) {
      scheduleLogger.info(
        {
          everyHours: settings.everyHours,
          evaluateCandidates: settings.evaluateCandidates,
          autoPromote: settings.autoPromote,
        },
        'retraining on a schedule',
      );
      jobs.push(
        coordination.startJob({
          name: schedule.jobNames.retrain,
          everyMs: settings.everyHours * 3_600_000,
          leaseTtlMs,
          run: async () => {
            await schedule.retrainIfNeeded();
          },
        }),
      );
    }
    return jobs;
  };

  /** Takes over the deliveries whose replica stopped renewing their claims, and hands each to its face again. */
  const claimSweep = (platform: Platform, redeliver: (delivery: TakenOverDelivery) => void) =>
    coordination.startJob({
      name: `${platform}-claim-sweep`,
      everyMs: config.coordination.sweepIntervalMs,
      leaseTtlMs,
      run: async () => {
        for (const delivery of await dependencies.delivery.takeOverExpired(platform, claimsPerSweep))
          redeliver(delivery);
      },
    });

  return {
    start(options = {}) {
      const faces = options.faces ?? [];
      const jobs: BackgroundJob[] = [];
      if (faces.length > 0) {
        for (const face of faces) if (face.redeliver) jobs.push(claimSweep(face.platform, face.redeliver));
        jobs.push(cleanup(), ...learningLoop());
      }
      let stopSources = async () => {};
      if (config.knowledge.sources.length > 0) {
        logger.info(
          { sources: config.knowledge.sources.map((source) => source.name) },
          'keeping knowledge sources fresh in the background',
        );
        stopSources = dependencies.sources.startBackground();
      }
      let stopped: Promise<void> | undefined;
      return {
        jobs,
        stop() {
          stopped ??= Promise.allSettled([...jobs.map((job) => job.stop()), stopSources()]).then(
            () => undefined,
          );
          return stopped;
        },
      };
    },
  };
}
