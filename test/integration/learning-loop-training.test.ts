import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiFineTuner } from '../../src/core/adapters/openai/index.ts';
import { createCurationService, createDatasetsService } from '../../src/core/curation/index.ts';
import { createTrainingService, type TrainingUpdate } from '../../src/core/training/index.ts';
import { type Clock, silentLogger, type Store, systemClock } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  fineTuningEvent,
  fineTuningJobBody,
  learningLoopConfig,
  manualClock,
  openAiApi,
  openMemoryStore,
  simulateFineTuningJob,
  topicConversations,
} from '../support/learning-loop-fixtures.ts';

let store: Store;
let clock: ReturnType<typeof manualClock>;
const config = learningLoopConfig({
  curation: { minExamples: 3, validationShare: 0.3 },
  training: { retrainAfterExamples: 5, pollSeconds: 7 },
});

/** A new service on the same store is what a restarted process is. */
function trainingService(overrides: { clock?: Clock } = {}) {
  return createTrainingService({
    config,
    store,
    fineTuner: () =>
      createOpenAiFineTuner({
        apiKey: 'sk-test-key-000000000000',
        timeoutMs: 5000,
        maxRetries: 0,
        logger: silentLogger,
      }),
    chatModel: () => {
      throw new Error('not used');
    },
    embedder: createDeterministicEmbedder(),
    datasets: createDatasetsService({ config, store, logger: silentLogger, clock }),
    logger: silentLogger,
    clock: overrides.clock ?? clock,
  });
}

async function approveConversations(count: number, prefix = 'conv') {
  const curation = createCurationService({
    config,
    store,
    logger: silentLogger,
    clock,
  });
  for (const record of topicConversations(count, prefix)) {
    await store.saveConversation(record);
    await curation.approve({ conversationId: record.id, reviewer: 'ops' });
  }
  return curation;
}

/** Accepts the two uploads and the job creation, keeping what was sent. */
function acceptUploadsAndJob(jobId: string) {
  const uploads: string[] = [];
  let jobBody: Record<string, unknown> = {};
  let fileNumber = 0;
  nock(openAiApi)
    .post('/v1/files', (body) => {
      uploads.push(String(body));
      return true;
    })
    .times(2)
    .reply(() => {
      fileNumber += 1;
      return [
        200,
        {
          id: `file-${fileNumber}`,
          object: 'file',
          bytes: 1,
          created_at: 1,
          filename: 'x.jsonl',
          purpose: 'fine-tune',
          status: 'processed',
        },
      ];
    })
    .post('/v1/fine_tuning/jobs', (body) => {
      jobBody = body;
      return true;
    })
    .reply(200, fineTuningJobBody(jobId, 'validating_files'));
  return { uploads, body: () => jobBody };
}

const running = [
  fineTuningEvent('ev-3', 1_740_000_030, 'Fine-tuning job started'),
  fineTuningEvent('ev-4', 1_740_000_040, 'Step 1/2: training loss=1.20, validation loss=1.31', {
    step: 1,
    train_loss: 1.2,
    valid_loss: 1.31,
    total_steps: 2,
  }),
];
const finishing = [
  fineTuningEvent('ev-5', 1_740_000_050, 'Step 2/2: training loss=0.45, validation loss=0.58', {
    step: 2,
    train_loss: 0.45,
    valid_loss: 0.58,
    total_steps: 2,
  }),
  fineTuningEvent('ev-6', 1_740_000_060, 'The job has successfully completed'),
];
const lifecycle = [
  {
    status: 'validating_files',
    events: [fineTuningEvent('ev-1', 1_740_000_010, 'Validating training file: file-1')],
  },
  {
    status: 'queued',
    events: [fineTuningEvent('ev-2', 1_740_000_020, 'Files validated, moving job to queued state')],
  },
  { status: 'running', events: running },
  {
    status: 'succeeded',
    events: finishing,
    extra: { fine_tuned_model: 'ft:gpt-4o-mini-2024-07-18:acme:support:Q1w2E3', trained_tokens: 5120 },
  },
];

beforeEach(async () => {
  store = await openMemoryStore();
  clock = manualClock();
});

describe('training jobs against the fine-tuning API (nock)', () => {
  it('uploads both splits, creates the job with its settings and records it', async () => {
    const curation = await approveConversations(12);
    const snapshot = await curation.snapshot({ createdBy: 'ops' });
    const exported = await curation.exportVersion({ reference: snapshot.reference, format: 'openai' });
    expect(exported.counts.validation).toBeGreaterThan(0);
    const sent = acceptUploadsAndJob('ftjob-1');
    const stages: string[] = [];
    const job = await trainingService().startTraining({
      dataset: 'support@1',
      epochs: 3,
      onProgress: (progress) => stages.push(progress.stage),
    });

    expect(sent.uploads).toHaveLength(2);
    expect(sent.uploads[0]).toMatch(/name="purpose"\r\n\r\nfine-tune/);
    expect(sent.uploads[0]).toContain('filename="support-v1-train.jsonl"');
    expect(sent.uploads[0]).toContain(exported.train.trim());
    expect(sent.uploads[1]).toContain('filename="support-v1-validation.jsonl"');
    expect(sent.uploads[1]).toContain(exported.validation.trim());
    expect(sent.body()).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      training_file: 'file-1',
      validation_file: 'file-2',
      suffix: 'support',
      seed: expect.any(Number),
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3 } } },
    });
    expect(stages).toEqual(['validating', 'uploading-train', 'uploading-validation', 'creating-job']);
    expect(job).toMatchObject({
      id: 'ftjob-1',
      datasetVersion: 'support@1',
      status: 'validating_files',
      trainingFileId: 'file-1',
      validationFileId: 'file-2',
    });
    expect(await store.getTrainingJob('ftjob-1')).toMatchObject({
      id: 'ftjob-1',
      suffix: 'support',
      hyperparameters: { nEpochs: 3, seed: sent.body().seed },
    });
  });

  it('refuses to train on a version that fails validation, before uploading anything', async () => {
    const curation = await approveConversations(2);
    await curation.snapshot({ createdBy: 'ops' });
    await expect(trainingService().startTraining({ dataset: 'support@1' })).rejects.toMatchObject({
      code: 'dataset_invalid',
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('watches a job through validating, queued, running and succeeded, and registers the candidate', async () => {
    const curation = await approveConversations(12);
    await curation.snapshot({ createdBy: 'ops' });
    acceptUploadsAndJob('ftjob-2');
    const training = trainingService();
    await training.startTraining({ dataset: 'support@1' });
    simulateFineTuningJob({ jobId: 'ftjob-2', statuses: lifecycle });

    const updates: TrainingUpdate[] = [];
    const final = await training.watchJob('ftjob-2', { onUpdate: (update) => updates.push(update) });
    expect(updates.map((update) => update.job.status)).toEqual([
      'validating_files',
      'queued',
      'running',
      'succeeded',
    ]);
    expect(updates.map((update) => update.newEvents.map((event) => event.id))).toEqual([
      ['ev-1'],
      ['ev-2'],
      ['ev-3', 'ev-4'],
      ['ev-5', 'ev-6'],
    ]);
    expect(updates[2]?.latestLoss).toEqual({ step: 1, trainLoss: 1.2, validLoss: 1.31 });
    expect(updates[3]?.latestLoss).toEqual({ step: 2, trainLoss: 0.45, validLoss: 0.58 });
    expect(updates[3]?.candidate).toMatchObject({
      name: 'ft:gpt-4o-mini-2024-07-18:acme:support:Q1w2E3',
      status: 'candidate',
      datasetVersion: 'support@1',
      jobId: 'ftjob-2',
    });
    expect(clock.sleeps).toEqual([7000, 7000, 7000]);

    expect(final).toMatchObject({
      status: 'succeeded',
      fineTunedModel: 'ft:gpt-4o-mini-2024-07-18:acme:support:Q1w2E3',
    });
    expect((await store.getTrainingJob('ftjob-2'))?.events.map((event) => event.id)).toEqual([
      'ev-1',
      'ev-2',
      'ev-3',
      'ev-4',
      'ev-5',
      'ev-6',
    ]);
    expect((await training.listModels()).models.map((model) => model.name)).toEqual([
      'ft:gpt-4o-mini-2024-07-18:acme:support:Q1w2E3',
    ]);
    // Watching again after the end changes nothing and registers nothing twice.
    expect((await training.refreshJob('ftjob-2')).candidate).toBeNull();
  });

  it('records a failed job with its error and registers no model', async () => {
    const curation = await approveConversations(12);
    await curation.snapshot({ createdBy: 'ops' });
    acceptUploadsAndJob('ftjob-3');
    const training = trainingService();
    await training.startTraining({ dataset: 'support@1' });
    simulateFineTuningJob({
      jobId: 'ftjob-3',
      statuses: [
        { status: 'queued' },
        {
          status: 'failed',
          events: [fineTuningEvent('ev-9', 1_740_000_090, 'Training file has too few examples')],
          extra: {
            error: { code: 'invalid_training_file', message: 'too few examples', param: 'training_file' },
          },
        },
      ],
    });
    const final = await training.watchJob('ftjob-3', { intervalMs: 1 });
    expect(final).toMatchObject({
      status: 'failed',
      error: 'invalid_training_file: too few examples',
      fineTunedModel: null,
    });
    expect(await store.listModels()).toEqual([]);
  });

  it('cancels a running job', async () => {
    const curation = await approveConversations(12);
    await curation.snapshot({ createdBy: 'ops' });
    acceptUploadsAndJob('ftjob-4');
    const training = trainingService();
    await training.startTraining({ dataset: 'support@1' });
    const simulation = simulateFineTuningJob({
      jobId: 'ftjob-4',
      statuses: [{ status: 'running', events: running }],
    });
    await training.refreshJob('ftjob-4');
    const cancelled = await training.cancelJob('ftjob-4');
    expect(cancelled.status).toBe('cancelled');
    expect(simulation.polls.cancel).toBe(1);
    expect((await store.getTrainingJob('ftjob-4'))?.status).toBe('cancelled');
    // Cancelling an ended job asks nobody.
    await training.cancelJob('ftjob-4');
    expect(simulation.polls.cancel).toBe(1);
    expect((await training.listJobs()).map((job) => [job.id, job.status])).toEqual([
      ['ftjob-4', 'cancelled'],
    ]);
  });

  it('resumes watching after a restart from the stored events, repeating none', async () => {
    const curation = await approveConversations(12);
    await curation.snapshot({ createdBy: 'ops' });
    acceptUploadsAndJob('ftjob-5');
    await trainingService().startTraining({ dataset: 'support@1' });
    simulateFineTuningJob({ jobId: 'ftjob-5', statuses: lifecycle });

    // The first process stops (is killed) after it has seen the job running.
    const stop = new AbortController();
    const before: TrainingUpdate[] = [];
    await trainingService().watchJob('ftjob-5', {
      signal: stop.signal,
      onUpdate: (update) => {
        before.push(update);
        if (update.job.status === 'running') stop.abort();
      },
    });
    expect(before.at(-1)?.job.status).toBe('running');
    expect((await store.getTrainingJob('ftjob-5'))?.events.map((event) => event.id)).toEqual([
      'ev-1',
      'ev-2',
      'ev-3',
      'ev-4',
    ]);

    const after: TrainingUpdate[] = [];
    const final = await trainingService().watchJob('ftjob-5', {
      intervalMs: 1,
      onUpdate: (update) => after.push(update),
    });
    expect(after[0]?.newEvents.map((event) => event.id)).toEqual(['ev-5', 'ev-6']);
    expect(final.status).toBe('succeeded');
    expect(final.events.map((event) => event.id)).toEqual(['ev-1', 'ev-2', 'ev-3', 'ev-4', 'ev-5', 'ev-6']);
    expect(await store.getModel('ft:gpt-4o-mini-2024-07-18:acme:support:Q1w2E3')).toBeDefined();
  });

  it('stops waiting for the next poll as soon as the watch is stopped', async () => {
    const curation = await approveConversations(12);
    await curation.snapshot({ createdBy: 'ops' });
    acceptUploadsAndJob('ftjob-6');
    await trainingService().startTraining({ dataset: 'support@1' });
    const { polls } = simulateFineTuningJob({
      jobId: 'ftjob-6',
      statuses: [{ status: 'running', events: running }],
    });
    const stop = new AbortController();
    // The real clock and a poll every ten minutes: without the stop, this test would time out.
    const final = await trainingService({ clock: systemClock }).watchJob('ftjob-6', {
      intervalMs: 600_000,
      signal: stop.signal,
      onUpdate: () => setTimeout(() => stop.abort(), 50),
    });
    expect(final.status).toBe('running');
    expect(polls.job).toBe(1);
  }, 15_000);
});

describe('retraining policy', () => {
  it('waits for enough new approved examples, then snapshots and trains; never twice at once', async () => {
    await approveConversations(4);
    const training = trainingService();
    const waiting = await training.trainIfNeeded({ createdBy: 'scheduler' });
    expect(waiting).toMatchObject({
      started: false,
      newExamples: 4,
      threshold: 5,
      lastTrainedVersion: null,
      job: null,
    });
    expect(waiting.reason).toMatch(/4 new approved examples.*starts at 5/);

    await approveConversations(12);
    acceptUploadsAndJob('ftjob-6');
    const started = await training.trainIfNeeded({ createdBy: 'scheduler' });
    expect(started).toMatchObject({
      started: true,
      newExamples: 12,
      snapshot: 'support@1',
      job: { id: 'ftjob-6', datasetVersion: 'support@1' },
    });

    const busy = await training.trainIfNeeded({ createdBy: 'scheduler' });
    expect(busy).toMatchObject({ started: false });
    expect(busy.reason).toMatch(/ftjob-6.*still validating_files/);

    // Once that job is done, only examples newer than support@1 count.
    const job = await store.getTrainingJob('ftjob-6');
    await store.saveTrainingJob({ ...job!, status: 'succeeded' });
    await approveConversations(3, 'late');
    const next = await training.trainIfNeeded({ createdBy: 'scheduler' });
    expect(next).toMatchObject({ started: false, newExamples: 3, lastTrainedVersion: 'support@1' });
  });
});
