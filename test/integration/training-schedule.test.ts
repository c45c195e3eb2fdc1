import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type BackgroundJob, type Core, type RunningBackground } from '../../src/core/index.ts';
import { silentLogger, type Store } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  fineTuningEvent,
  fineTuningJobBody,
  learningLoopConfig,
  openAiApi,
  openMemoryStore,
  scriptedChatModel,
  simulateFineTuningJob,
  topicConversations,
} from '../support/learning-loop-fixtures.ts';

const candidate = 'ft:gpt-4o-mini-2024-07-18:acme:support:Sch3d';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await sleep(50);
  }
  return done();
}

function acceptUploadsAndJob(jobId: string) {
  let created = 0;
  let fileNumber = 0;
  nock(openAiApi)
    .persist()
    .post('/v1/files')
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
    .post('/v1/fine_tuning/jobs')
    .reply(() => {
      created += 1;
      return [200, fineTuningJobBody(jobId, 'validating_files')];
    });
  return { created: () => created };
}

/** Two replicas: two cores on one store, each with its own replica id and metrics, each starting the jobs. */
function replica(store: Store, autoPromote: boolean): Core {
  const config = learningLoopConfig({
    curation: { minExamples: 3, validationShare: 0.3 },
    training: {
      retrainAfterExamples: 5,
      pollSeconds: 0.05,
      schedule: { everyHours: 1, evaluateCandidates: true, evaluationLimit: 0, autoPromote },
    },
    coordination: { leaseTtlMs: 600 },
  });
  // The candidate answers like the reference; the base model does not know.
  const chatModel = scriptedChatModel((request) =>
    request.model === candidate ? 'Open the settings page and follow the steps there [1].' : "I don't know.",
  );
  return createCore({
    config,
    store,
    embedder: createDeterministicEmbedder(),
    chatModel,
    logger: silentLogger,
  });
}

const started: BackgroundJob[] = [];
const runs: RunningBackground[] = [];

/** What core.background starts in a process serving a chat face: its learning-loop jobs. */
function startLearningLoopJobs(core: Core): BackgroundJob[] {
  const background = core.background.start({ faces: [{ platform: 'discord' }] });
  runs.push(background);
  return background.jobs.filter((job) => job.name.startsWith('training-'));
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((job) => job.stop()));
  await Promise.all(runs.splice(0).map((run) => run.stop()));
  nock.cleanAll();
});

describe('the learning loop on a schedule, on one replica at a time', () => {
  it(
    'retrains, watches the job on one replica, evaluates the candidate and promotes it when it wins',
    { timeout: 30_000 },
    async () => {
      const store = await openMemoryStore();
      const [first, second] = [replica(store, true), replica(store, true)];
      for (const record of topicConversations(12)) {
        await store.saveConversation(record);
        await first.curation.approve({ conversationId: record.id, reviewer: 'ops' });
      }
      const uploads = acceptUploadsAndJob('ftjob-sched');
      const api = simulateFineTuningJob({
        jobId: 'ftjob-sched',
        statuses: [
          { status: 'queued', events: [fineTuningEvent('ev-1', 1_740_000_010, 'queued')] },
          {
            status: 'running',
            events: [fineTuningEvent('ev-2', 1_740_000_020, 'Step 1/1', { step: 1, train_loss: 0.5 })],
          },
          {
            status: 'succeeded',
            events: [fineTuningEvent('ev-3', 1_740_000_030, 'done')],
            extra: { fine_tuned_model: candidate },
          },
        ],
      });

      const firstJobs = startLearningLoopJobs(first);
      const secondJobs = startLearningLoopJobs(second);
      started.push(...firstJobs, ...secondJobs);
      expect(firstJobs.map((job) => job.name)).toEqual(['training-watch', 'training-retrain']);

      expect(await eventually(async () => (await first.training.activeModel()) === candidate, 20_000)).toBe(
        true,
      );
      // One job started however many replicas run the schedule, and each lease held by one replica.
      expect(uploads.created()).toBe(1);
      for (const name of ['training-watch', 'training-retrain']) {
        const holders = [...firstJobs, ...secondJobs].filter((job) => job.name === name && job.holding);
        expect(holders.length).toBeLessThanOrEqual(1);
      }
      expect(api.polls.job).toBeGreaterThanOrEqual(3);

      const status = await second.trainingSchedule.status();
      expect(status.lastRetrain).toMatchObject({
        ok: true,
        started: true,
        jobId: 'ftjob-sched',
        snapshot: 'support@1',
      });
      expect(status.lastEvaluation).toMatchObject({ model: candidate, ok: true, won: true, promoted: true });
      expect(status.nextRetrainAt).not.toBeNull();
      expect((await store.getModel(candidate))?.status).toBe('active');

      const texts = [(await first.metrics.render()).text, (await second.metrics.render()).text];
      const evaluatedOn = texts.filter((text) =>
        /answerloop_training_schedule_runs_total\{step="evaluate",outcome="won"\} 1/.test(text),
      );
      expect(evaluatedOn).toHaveLength(1);
      expect(texts.join('\n')).toMatch(
        /answerloop_training_schedule_runs_total\{step="promote",outcome="promoted"\} 1/,
      );
      expect(texts.join('\n')).toMatch(
        /answerloop_training_schedule_runs_total\{step="retrain",outcome="started"\} 1/,
      );
      expect(texts.join('\n')).toMatch(
        /answerloop_background_job_runs_total\{job="training-watch",outcome="ok"\}/,
      );
    },
  );

  it(
    'leaves promotion to the operator unless autoPromote, and another replica takes the watch over when the holder stops',
    { timeout: 30_000 },
    async () => {
      const store = await openMemoryStore();
      const [first, second] = [replica(store, false), replica(store, false)];
      for (const record of topicConversations(12)) {
        await store.saveConversation(record);
        await first.curation.approve({ conversationId: record.id, reviewer: 'ops' });
      }
      acceptUploadsAndJob('ftjob-manual');
      simulateFineTuningJob({
        jobId: 'ftjob-manual',
        statuses: [
          ...Array.from({ length: 6 }, () => ({ status: 'running' })),
          { status: 'succeeded', extra: { fine_tuned_model: candidate } },
        ],
      });
      const firstJobs = startLearningLoopJobs(first);
      started.push(...firstJobs);
      expect(
        await eventually(
          async () => (await store.listTrainingJobs()).length === 1 && firstJobs[0]!.holding,
          10_000,
        ),
      ).toBe(true);
      // The holder stops (a rolling upgrade): it releases its leases, and the other replica carries on watching.
      await Promise.all(firstJobs.map((job) => job.stop()));
      const secondJobs = startLearningLoopJobs(second);
      started.push(...secondJobs);
      expect(
        await eventually(
          async () => (await second.trainingSchedule.status()).lastEvaluation !== null,
          20_000,
        ),
      ).toBe(true);
      expect(secondJobs[0]!.holding).toBe(true);
      const status = await second.trainingSchedule.status();
      expect(status.lastEvaluation).toMatchObject({
        model: candidate,
        won: true,
        promoted: false,
        replicaId: second.coordination.replicaId,
      });
      expect((await store.getModel(candidate))?.status).toBe('candidate');
      expect(await second.training.activeModel()).not.toBe(candidate);
    },
  );
});
