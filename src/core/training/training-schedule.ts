/**
 * The learning loop as background work of `answerloop start`: watching fine-tuning jobs in flight, and (with
 * `training.schedule.everyHours`) the retraining policy and the evaluation of a new candidate, with an optional
 * promotion of a candidate that wins. The caller runs each step on one replica at a time (a lease); every step
 * leaves a record in the store, so the dashboard and `answerloop models` of any process show what happened.
 */
import type { Config } from '../config/index.ts';
import { toAnswerloopError } from '../errors/index.ts';
import type { Clock, KeyValueStore, Logger, Metrics, ModelRegistry } from '../ports/index.ts';
import type { TrainingService } from './index.ts';
import {
  createPromotionGuard,
  evaluationGate,
  type EvaluationGate,
  type GuardRecord,
  type PromotionGuardStore,
} from './promotion-guard.ts';
import { terminalStatuses } from './types.ts';

/** What one scheduled evaluation (and maybe promotion) of a candidate did. */
export interface ScheduledEvaluationRecord {
  model: string;
  at: string;
  replicaId: string;
  ok: boolean;
  /** The evaluation's id, win rate, baseline and examples when it ran. */
  evaluationId: string | null;
  winRate: number | null;
  baseline: string | null;
  examples: number | null;
  /** Won: win rate above one half. */
  won: boolean;
  /** True when the schedule promoted it (training.schedule.autoPromote). */
  promoted: boolean;
  /** Whether it was no worse than the baseline on every measure (win rate, refusal accuracy, citation validity). */
  gate?: EvaluationGate | null;
  error: string | null;
}

/** What one run of the retraining policy decided. */
export interface ScheduledRetrainRecord {
  at: string;
  replicaId: string;
  ok: boolean;
  started: boolean;
  reason: string;
  jobId: string | null;
  snapshot: string | null;
  error: string | null;
}

export interface TrainingScheduleStatus {
  /** Hours between runs of the retraining policy; 0 when the schedule is off. */
  everyHours: number;
  evaluateCandidates: boolean;
  autoPromote: boolean;
  lastRetrain: ScheduledRetrainRecord | null;
  /** When the policy runs next (on whichever replica holds the lease then); null when off. */
  nextRetrainAt: string | null;
  lastEvaluation: ScheduledEvaluationRecord | null;
  /** What training.guard last decided about the active model's promotion, and the rollbacks it made. */
  guard: { last: GuardRecord | null; rollbacks: GuardRecord[] };
}

export interface WatchRunResult {
  /** Jobs in flight that were polled, with the status each has now. */
  refreshed: Array<{ jobId: string; status: string }>;
  /** Candidates registered by this run (their jobs just succeeded). */
  candidates: string[];
  evaluations: ScheduledEvaluationRecord[];
  /** training.guard's look at the active model's promotion (null: nothing to watch). */
  guard: GuardRecord | null;
}

export interface TrainingSchedule {
  /** Background job names: one lease each. */
  readonly jobNames: { watch: string; retrain: string };
  /** Polls every job in flight; with the schedule on, evaluates (and maybe promotes) each new candidate. */
  watchJobs(): Promise<WatchRunResult>;
  /** The retraining policy on training.dataset, recorded. Throws when it fails (after recording the failure). */
  retrainIfNeeded(): Promise<ScheduledRetrainRecord>;
  status(): Promise<TrainingScheduleStatus>;
}

const namespace = 'training-schedule';
const jobNames = { watch: 'training-watch', retrain: 'training-retrain' };
/** Who the policy's snapshots and promotions are recorded as. */
export const scheduleAuthor = 'schedule';

function parse<T>(raw: string | undefined): T | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/** The store ports the schedule uses (and the promotion guard it runs): models, jobs, its own records. */
export type TrainingScheduleStore = Pick<
  ModelRegistry,
  'listModels' | 'listEvaluations' | 'listTrainingJobs'
> &
  Pick<KeyValueStore, 'getValue' | 'setValue'> &
  PromotionGuardStore;

export function createTrainingSchedule(dependencies: {
  config: Config;
  store: TrainingScheduleStore;
  training: TrainingService;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  replicaId: string;
}): TrainingSchedule {
  const { config, store, training, clock, logger, metrics, replicaId } = dependencies;
  const settings = config.training.schedule;
  const scheduled = settings.everyHours > 0;
  const now = () => clock.now().toISOString();
  const guard = createPromotionGuard({ config, store, training, clock, logger, metrics });

  /** Candidates from a job, never evaluated, and not yet tried by the schedule (a failed try is not repeated). */
  async function candidatesToEvaluate(): Promise<string[]> {
    const models = await store.listModels();
    const waiting: string[] = [];
    for (const model of models.sort((left, right) => left.createdAt.localeCompare(right.createdAt))) {
      if (model.status !== 'candidate' || !model.jobId || model.evaluation) continue;
      if (await store.getValue(namespace, `evaluated:${model.name}`)) continue;
      if ((await store.listEvaluations(model.name)).length > 0) continue;
      waiting.push(model.name);
    }
    return waiting;
  }

  async function evaluate(model: string): Promise<ScheduledEvaluationRecord> {
    const base = { model, at: now(), replicaId };
    let record: ScheduledEvaluationRecord;
    try {
      const result = await training.evaluateCandidate({
        candidate: model,
        limit: settings.evaluationLimit > 0 ? settings.evaluationLimit : undefined,
      });
      const won = result.winRate > 0.5;
      // Promoted by the schedule only when no worse on any measure, not only on the judge's win rate.
      const gate = evaluationGate(result);
      metrics.increment('training_schedule_runs_total', { step: 'evaluate', outcome: won ? 'won' : 'lost' });
      let promoted = false;
      let error: string | null = null;
      if (won && !gate.passed && settings.autoPromote)
        logger.warn(
          { model, worseOn: gate.worseOn },
          `scheduled evaluation: ${model} won the judge but is worse on ${gate.worseOn.map((entry) => entry.measure).join(', ')}: not promoted`,
        );
      if (won && gate.passed && settings.autoPromote) {
        try {
          await training.promote({ model, by: scheduleAuthor });
          promoted = true;
          metrics.increment('training_schedule_runs_total', { step: 'promote', outcome: 'promoted' });
        } catch (cause) {
          error = `promotion failed: ${toAnswerloopError(cause).message}`;
          metrics.increment('training_schedule_runs_total', { step: 'promote', outcome: 'failed' });
        }
      }
      record = {
        ...base,
        ok: error === null,
        evaluationId: result.id,
        winRate: result.winRate,
        baseline: result.baseline,
        examples: result.examples,
        won,
        promoted,
        gate,
        error,
      };
      logger.info(
        {
          model,
          winRate: result.winRate,
          baseline: result.baseline,
          examples: result.examples,
          won,
          promoted,
          autoPromote: settings.autoPromote,
        },
        promoted
          ? `scheduled evaluation: ${model} won and is promoted`
          : `scheduled evaluation: ${model} ${won ? 'won; promote it with answerloop models promote' : 'lost'}`,
      );
    } catch (cause) {
      const message = toAnswerloopError(cause).message;
      metrics.increment('training_schedule_runs_total', { step: 'evaluate', outcome: 'failed' });
      logger.error({ model, error: message }, `scheduled evaluation of ${model} failed: ${message}`);
      record = {
        ...base,
        ok: false,
        evaluationId: null,
        winRate: null,
        baseline: null,
        examples: null,
        won: false,
        promoted: false,
        error: message,
      };
    }
    const json = JSON.stringify(record);
    await store.setValue(namespace, `evaluated:${model}`, json);
    await store.setValue(namespace, 'last-evaluation', json);
    return record;
  }

  return {
    jobNames,

    async watchJobs() {
      const inFlight = (await store.listTrainingJobs()).filter(
        (job) => !terminalStatuses.includes(job.status),
      );
      const refreshed: WatchRunResult['refreshed'] = [];
      const candidates: string[] = [];
      for (const job of inFlight) {
        try {
          const update = await training.refreshJob(job.id);
          refreshed.push({ jobId: job.id, status: update.job.status });
          if (update.job.status !== job.status)
            logger.info(
              { jobId: job.id, from: job.status, to: update.job.status },
              `fine-tuning job ${job.id} is ${update.job.status}`,
            );
          if (update.candidate) candidates.push(update.candidate.name);
        } catch (cause) {
          // One job the service cannot answer for must not stop the others; the next run tries again.
          logger.warn(
            { jobId: job.id, error: toAnswerloopError(cause).message },
            `polling fine-tuning job ${job.id} failed; trying again`,
          );
        }
      }
      const evaluations: ScheduledEvaluationRecord[] = [];
      if (scheduled && settings.evaluateCandidates) {
        for (const model of await candidatesToEvaluate()) evaluations.push(await evaluate(model));
      }
      let guarded: GuardRecord | null = null;
      try {
        guarded = await guard.check();
      } catch (cause) {
        logger.warn(
          { error: toAnswerloopError(cause).message },
          'training.guard could not check the promotion',
        );
      }
      return { refreshed, candidates, evaluations, guard: guarded };
    },

    async retrainIfNeeded() {
      const base = { at: now(), replicaId };
      let record: ScheduledRetrainRecord;
      try {
        const decision = await training.trainIfNeeded({ createdBy: scheduleAuthor });
        record = {
          ...base,
          ok: true,
          started: decision.started,
          reason: decision.reason,
          jobId: decision.job?.id ?? null,
          snapshot: decision.snapshot,
          error: null,
        };
        metrics.increment('training_schedule_runs_total', {
          step: 'retrain',
          outcome: decision.started ? 'started' : 'not_needed',
        });
        logger.info(
          { started: decision.started, jobId: record.jobId, snapshot: decision.snapshot },
          `retraining policy: ${decision.started ? 'started' : 'not started'}: ${decision.reason}`,
        );
      } catch (cause) {
        const message = toAnswerloopError(cause).message;
        record = {
          ...base,
          ok: false,
          started: false,
          reason: 'the retraining policy failed',
          jobId: null,
          snapshot: null,
          error: message,
        };
        metrics.increment('training_schedule_runs_total', { step: 'retrain', outcome: 'failed' });
        await store.setValue(namespace, 'last-retrain', JSON.stringify(record)).catch(() => {});
        throw cause;
      }
      await store.setValue(namespace, 'last-retrain', JSON.stringify(record));
      return record;
    },

    async status() {
      const lastRetrain = parse<ScheduledRetrainRecord>(await store.getValue(namespace, 'last-retrain'));
      const lastRun = await store.getValue('job-last-run', jobNames.retrain);
      const nextRetrainAt = !scheduled
        ? null
        : lastRun
          ? new Date(Date.parse(lastRun) + settings.everyHours * 3_600_000).toISOString()
          : null;
      return {
        everyHours: settings.everyHours,
        evaluateCandidates: settings.evaluateCandidates,
        autoPromote: settings.autoPromote,
        lastRetrain,
        nextRetrainAt,
        lastEvaluation: parse<ScheduledEvaluationRecord>(await store.getValue(namespace, 'last-evaluation')),
        guard: await guard.status(),
      };
    },
  };
}
