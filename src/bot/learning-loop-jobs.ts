import type { BackgroundJob, Core } from '../core/index.ts';

/**
 * The learning loop's background work while the bots run, each on one replica at a time (a lease in the store that
 * any replica takes over when its holder dies): watching fine-tuning jobs in flight every training.pollSeconds, and
 * with training.schedule.everyHours the retraining policy. Nothing runs without OpenAI (there is no job to watch).
 */
export function startLearningLoopJobs(core: Core): BackgroundJob[] {
  const { config, trainingSchedule: schedule } = core;
  const settings = config.training.schedule;
  const logger = core.logger.child({ component: 'training-schedule' });
  if (!config.secrets.openaiApiKey) {
    if (settings.everyHours > 0)
      logger.warn(
        { everyHours: settings.everyHours },
        'training.schedule.everyHours is set but OPENAI_API_KEY is not: the retraining schedule does not run',
      );
    return [];
  }
  const leaseTtlMs = config.coordination.leaseTtlMs;
  const jobs = [
    core.coordination.startJob({
      name: schedule.jobNames.watch,
      everyMs: config.training.pollSeconds * 1000,
      leaseTtlMs,
      run: async () => {
        await schedule.watchJobs();
      },
    }),
  ];
  if (settings.everyHours > 0) {
    logger.info(
      {
        everyHours: settings.everyHours,
        evaluateCandidates: settings.evaluateCandidates,
        autoPromote: settings.autoPromote,
      },
      'retraining on a schedule',
    );
    jobs.push(
      core.coordination.startJob({
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
}
