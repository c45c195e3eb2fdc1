import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { parseDatasetReference, type DatasetsService } from '../curation/index.ts';
import { AnswerloopError, InputError } from '../errors/index.ts';
import type {
  Clock,
  FineTuneJobState,
  FineTuner,
  Logger,
  ModelRecord,
  ModelRegistry,
  TrainingEvent,
  TrainingJobRecord,
} from '../ports/index.ts';
import {
  terminalStatuses,
  type LossPoint,
  type RetrainDecision,
  type RetrainInput,
  type StartTrainingInput,
  type TrainingUpdate,
  type WatchOptions,
} from './types.ts';

/** The store ports the jobs use. */
export type TrainingJobsStore = Pick<
  ModelRegistry,
  'getTrainingJob' | 'saveTrainingJob' | 'listTrainingJobs' | 'getModel' | 'saveModel'
>;

/** What the jobs take from the datasets: versions to train on, and a new one when enough examples came. */
export type TrainingDatasets = Pick<
  DatasetsService,
  'getVersion' | 'validateVersion' | 'exportVersion' | 'countNewExamples' | 'snapshot'
>;

export interface TrainingJobsDependencies {
  config: Config;
  store: TrainingJobsStore;
  fineTuner: () => FineTuner;
  /** The versions jobs train on. */
  datasets: TrainingDatasets;
  logger: Logger;
  clock: Clock;
}

export interface TrainingJobs {
  startTraining(input: StartTrainingInput): Promise<TrainingJobRecord>;
  /** Reads the job's state and new events from the fine-tuning service and stores them. */
  refreshJob(jobId: string): Promise<TrainingUpdate>;
  /** Polls until the job ends; resumes from the stored events, so a restart loses nothing and repeats nothing. */
  watchJob(jobId: string, options?: WatchOptions): Promise<TrainingJobRecord>;
  cancelJob(jobId: string): Promise<TrainingJobRecord>;
  /** Newest first. */
  listJobs(): Promise<TrainingJobRecord[]>;
  getJob(jobId: string): Promise<TrainingJobRecord>;
  /** Snapshots and trains when enough new approved examples exist since the last trained version. */
  trainIfNeeded(input: RetrainInput): Promise<RetrainDecision>;
}

/** OpenAI accepts up to 64 characters; the model name reads better with a short one. */
const maxSuffixLength = 40;

function defaultSuffix(dataset: string): string {
  return (
    dataset
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, maxSuffixLength) || 'answerloop'
  );
}

/** A seed that follows from the dataset version: training the same version again trains the same way. */
function seedFor(reference: string): number {
  return createHash('sha256').update(reference).digest().readUInt32BE(0) % 2_147_483_647;
}

export function latestLoss(events: TrainingEvent[]): LossPoint | null {
  let point: LossPoint | null = null;
  for (const event of events) {
    if (event.trainLoss === undefined && event.validLoss === undefined) continue;
    const previous = point as LossPoint | null;
    point = {
      step: event.step ?? previous?.step ?? null,
      trainLoss: event.trainLoss ?? previous?.trainLoss ?? null,
      validLoss: event.validLoss ?? previous?.validLoss ?? null,
    };
  }
  return point;
}

function datasetOf(datasetVersion: string): string {
  return datasetVersion.split('@')[0] ?? datasetVersion;
}

export function createTrainingJobs(dependencies: TrainingJobsDependencies): TrainingJobs {
  const { config, store, datasets, logger, clock } = dependencies;
  const now = () => clock.now().toISOString();

  const requireJob = async (jobId: string): Promise<TrainingJobRecord> => {
    const job = await store.getTrainingJob(jobId);
    if (!job)
      throw new AnswerloopError(
        'not_found',
        `No training job ${jobId} in the store: see \`answerloop train list\`.`,
      );
    return job;
  };

  /** A succeeded job's model becomes a candidate once; later calls find it registered. */
  const registerCandidate = async (job: TrainingJobRecord): Promise<ModelRecord | null> => {
    if (job.status !== 'succeeded' || !job.fineTunedModel) return null;
    if (await store.getModel(job.fineTunedModel)) return null;
    const model: ModelRecord = {
      name: job.fineTunedModel,
      baseModel: job.baseModel,
      jobId: job.id,
      datasetVersion: job.datasetVersion,
      status: 'candidate',
      evaluation: null,
      promotedAt: null,
      previousActive: null,
      createdAt: now(),
    };
    await store.saveModel(model);
    logger.info({ model: model.name, jobId: job.id }, 'fine-tuned model registered as a candidate');
    return model;
  };

  const applyState = (
    job: TrainingJobRecord,
    state: FineTuneJobState,
    newEvents: TrainingEvent[],
  ): TrainingJobRecord => {
    const known = new Set(job.events.map((event) => event.id));
    return {
      ...job,
      status: state.status,
      fineTunedModel: state.fineTunedModel ?? job.fineTunedModel,
      error: state.error,
      events: [...job.events, ...newEvents.filter((event) => !known.has(event.id))],
      updatedAt: now(),
    };
  };

  async function refreshJob(jobId: string): Promise<TrainingUpdate> {
    const stored = await requireJob(jobId);
    const fineTuner = dependencies.fineTuner();
    // State first, then events: when the state says the job ended, the events read after it include the last ones.
    const state = await fineTuner.getJob(jobId);
    const newEvents = await fineTuner.listEvents(jobId, stored.events.at(-1)?.id);
    const job = applyState(stored, state, newEvents);
    // A cancel saved while this poll was on its way wins: a state read before it must not bring the job back.
    const latest = await requireJob(jobId);
    if (terminalStatuses.includes(latest.status) && !terminalStatuses.includes(job.status))
      return { job: latest, newEvents: [], latestLoss: latestLoss(latest.events), candidate: null };
    await store.saveTrainingJob(job);
    const candidate = await registerCandidate(job);
    return {
      job,
      newEvents: job.events.slice(stored.events.length),
      latestLoss: latestLoss(job.events),
      candidate,
    };
  }

  async function startTraining(input: StartTrainingInput): Promise<TrainingJobRecord> {
    const progress = input.onProgress ?? (() => {});
    const detail = await datasets.getVersion(input.dataset);
    const reference = detail.reference;
    progress({ stage: 'validating', message: `validating ${reference}` });
    const validation = await datasets.validateVersion(reference);
    if (!validation.valid) {
      const first = validation.errors
        .slice(0, 3)
        .map((issue) => issue.message)
        .join('; ');
      throw new AnswerloopError(
        'dataset_invalid',
        `${reference} cannot be trained on: ${first}. See \`answerloop dataset validate ${reference}\`.`,
        {
          details: { errors: validation.errors.length },
        },
      );
    }
    const suffix = input.suffix ?? defaultSuffix(detail.version.dataset);
    if (suffix.length > 64 || !/^[A-Za-z0-9_-]*$/.test(suffix)) {
      throw new InputError(
        `Suffix ${JSON.stringify(suffix)} is not valid: up to 64 letters, digits, '-' and '_'.`,
      );
    }
    const baseModel = input.baseModel ?? config.training.baseModel;
    const epochs = input.epochs ?? config.training.epochs;
    const seed = input.seed ?? seedFor(reference);
    const files = await datasets.exportVersion({ reference, format: 'openai' });
    const fineTuner = dependencies.fineTuner();
    const fileBase = `${detail.version.dataset}-v${detail.version.version}`;

    progress({ stage: 'uploading-train', message: `uploading ${files.counts.train} training examples` });
    const trainingFileId = await fineTuner.uploadFile(`${fileBase}-train.jsonl`, files.train);
    let validationFileId: string | null = null;
    if (files.counts.validation > 0) {
      progress({
        stage: 'uploading-validation',
        message: `uploading ${files.counts.validation} validation examples`,
      });
      validationFileId = await fineTuner.uploadFile(`${fileBase}-validation.jsonl`, files.validation);
    }
    progress({ stage: 'creating-job', message: `creating the job on ${baseModel}` });
    const state = await fineTuner.createJob({
      baseModel,
      trainingFileId,
      validationFileId,
      suffix,
      seed,
      hyperparameters: { nEpochs: epochs },
    });
    const timestamp = now();
    const job: TrainingJobRecord = {
      id: state.id,
      datasetVersion: reference,
      baseModel,
      suffix,
      hyperparameters: { nEpochs: epochs, seed },
      trainingFileId,
      validationFileId,
      status: state.status,
      fineTunedModel: state.fineTunedModel,
      error: state.error,
      events: [],
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    // Recorded at once: the job exists and costs money from now on, whatever happens to this process.
    await store.saveTrainingJob(job);
    logger.info({ jobId: job.id, dataset: reference, baseModel }, 'training started');
    return job;
  }

  return {
    startTraining,
    refreshJob,

    async watchJob(jobId, options = {}) {
      const intervalMs = options.intervalMs ?? config.training.pollSeconds * 1000;
      for (;;) {
        const update = await refreshJob(jobId);
        options.onUpdate?.(update);
        if (terminalStatuses.includes(update.job.status) || options.signal?.aborted) return update.job;
        await clock.sleep(intervalMs, options.signal);
        if (options.signal?.aborted) return update.job;
      }
    },

    async cancelJob(jobId) {
      const stored = await requireJob(jobId);
      if (terminalStatuses.includes(stored.status)) return stored;
      const state = await dependencies.fineTuner().cancelJob(jobId);
      const job = applyState(stored, state, []);
      await store.saveTrainingJob(job);
      logger.info({ jobId }, 'training cancelled');
      return job;
    },

    listJobs: () => store.listTrainingJobs(),
    getJob: requireJob,

    async trainIfNeeded(input) {
      const dataset = input.dataset ?? config.training.dataset;
      parseDatasetReference(dataset);
      const threshold = config.training.retrainAfterExamples;
      const jobs = (await store.listTrainingJobs()).filter(
        (job) => datasetOf(job.datasetVersion) === dataset,
      );
      const running = jobs.find((job) => !terminalStatuses.includes(job.status));
      const lastTrained =
        jobs.find((job) => job.status !== 'failed' && job.status !== 'cancelled')?.datasetVersion ?? null;
      const decision = { dataset, threshold, lastTrainedVersion: lastTrained, snapshot: null, job: null };
      if (running) {
        return {
          ...decision,
          started: false,
          newExamples: 0,
          reason: `job ${running.id} on ${running.datasetVersion} is still ${running.status}`,
        };
      }
      const newExamples = await datasets.countNewExamples(dataset, lastTrained);
      if (newExamples < threshold) {
        return {
          ...decision,
          started: false,
          newExamples,
          reason: `${newExamples} new approved examples since ${lastTrained ?? 'the start'}; training starts at ${threshold}`,
        };
      }
      const snapshot = await datasets.snapshot({ dataset, createdBy: input.createdBy });
      if (!snapshot.report.validation.valid) {
        return {
          ...decision,
          started: false,
          newExamples,
          snapshot: snapshot.reference,
          reason: `${snapshot.reference} does not pass validation: ${snapshot.report.validation.errors[0]?.message ?? 'see the report'}`,
        };
      }
      const job = await startTraining({
        dataset: snapshot.reference,
        baseModel: input.baseModel,
        epochs: input.epochs,
        suffix: input.suffix,
        onProgress: input.onProgress,
      });
      return {
        ...decision,
        started: true,
        newExamples,
        snapshot: snapshot.reference,
        job,
        reason: `${newExamples} new approved examples since ${lastTrained ?? 'the start'} (threshold ${threshold})`,
      };
    },
  };
}
