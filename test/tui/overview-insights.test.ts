import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import {
  type Clock,
  type Core,
  createCore,
  loadConfig,
  silentLogger,
  type Store,
} from '../../src/core/index.ts';
import { lastDays, percentile, shareOf } from '../../src/core/insights/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { fixtureDocs, repositoryRoot } from '../support/tui/dashboard-harness.tsx';

describe('Overview figures: pure parts', () => {
  it('percentile uses the nearest rank and says null for no data', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([30, 10, 20], 50)).toBe(20);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([7], 95)).toBe(7);
  });

  it('shareOf is null, not zero, without a whole', () => {
    expect(shareOf(0, 0)).toBeNull();
    expect(shareOf(1, 4)).toBe(0.25);
  });

  it('lastDays covers seven whole local days ending today, oldest first', () => {
    const now = new Date(2026, 2, 3, 15, 30); // 3 March, afternoon, local time
    const days = lastDays(now, 7);
    expect(days.map((day) => day.date)).toEqual([
      '2026-02-25',
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
    ]);
    expect(new Date(days[6]!.since).getTime()).toBe(new Date(2026, 2, 3).getTime());
    expect(new Date(days[6]!.until).getTime()).toBe(new Date(2026, 2, 4).getTime() - 1);
    expect(new Date(days[5]!.until).getTime() + 1).toBe(new Date(days[6]!.since).getTime());
  });
});

describe('core.insights.overview() on the embedded store', () => {
  let store: Store;
  let core: Core;
  let dataDir: string;
  let now = new Date(2026, 2, 3, 9, 0);
  const clock: Clock = { now: () => now, sleep: async () => {} };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-insights-'));
    store = createSqliteStore({ file: path.join(dataDir, 'insights.db'), logger: silentLogger });
    const config = loadConfig({
      cwd: repositoryRoot,
      env: { ANSWERLOOP_DATA_DIR: dataDir, ANSWERLOOP_LOG_FILE: '' },
    });
    core = createCore({
      config,
      store,
      clock,
      embedder: createDeterministicEmbedder(),
      logger: silentLogger,
    });
    await core.ingest([fixtureDocs]);
    const context = { platform: 'slack' as const };
    // Two days ago: one answered question. Today: two answered, one refused.
    now = new Date(2026, 2, 1, 12, 0);
    const old = await core.ask({ question: 'How do I get a refund?', context });
    now = new Date(2026, 2, 3, 8, 0);
    const first = await core.ask({ question: 'How do I reset my password?', context });
    const second = await core.ask({ question: 'How do I install on Linux?', context });
    await core.ask({ question: 'What is the airspeed velocity of an unladen swallow?', context });
    // A question nobody asked the bot, under its channel's bar: silent, neither an answer nor a refusal.
    await core.ask(
      { question: 'How do I reset my password?', context: { platform: 'slack', channel: 'CHELP' } },
      { minConfidence: 1.01 },
    );
    await core.recordFeedback(old.conversationId, { helpful: false });
    await core.recordFeedback(first.conversationId, { helpful: true });
    await core.recordFeedback(second.conversationId, { helpful: true });
    await store.saveTrainingJob({
      id: 'ftjob-running',
      datasetVersion: 'support@2',
      baseModel: 'gpt-4o-mini-2024-07-18',
      suffix: 'support',
      hyperparameters: {},
      trainingFileId: 'file-train',
      validationFileId: null,
      status: 'running',
      fineTunedModel: null,
      error: null,
      events: [
        {
          id: 'e1',
          createdAt: now.toISOString(),
          level: 'info',
          message: 'Step 10/30: training loss=0.90',
          step: 10,
          trainLoss: 0.9,
        },
        {
          id: 'e2',
          createdAt: now.toISOString(),
          level: 'info',
          message: 'Step 20/30: training loss=0.55',
          step: 20,
          trainLoss: 0.55,
        },
      ],
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    now = new Date(2026, 2, 3, 9, 0);
  });

  afterAll(async () => {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts questions per local day, feedback, refusals, latency, the job in flight and the review backlog', async () => {
    const figures = await core.insights.overview();
    expect(figures.knowledge.documents).toBe(4);
    expect(figures.questions.perDay.map((day) => day.count)).toEqual([0, 0, 0, 0, 1, 0, 4]);
    expect(figures.questions.today).toBe(4);
    expect(figures.questions.lastSevenDays).toBe(5);
    expect(figures.feedback).toEqual({ helpful: 2, notHelpful: 1, helpfulShare: 2 / 3 });
    expect(figures.refusals).toEqual({ refused: 1, rate: 0.2, silent: 1 });
    expect(figures.latency.sampled).toBe(5);
    expect(figures.latency.p95Ms).toBeGreaterThanOrEqual(figures.latency.p50Ms!);
    expect(figures.awaitingReview).toBe(1);
    expect(figures.activeModel).toBe('gpt-4o-mini-2024-07-18');
    expect(figures.answerMode).toBe('offline');
    expect(figures.store).toMatchObject({ ok: true, kind: 'embedded' });
    expect(figures.trainingJob).toMatchObject({
      id: 'ftjob-running',
      status: 'running',
      step: 20,
      trainLoss: 0.55,
      datasetVersion: 'support@2',
    });
  });

  it('forgets questions older than seven days', async () => {
    now = new Date(2026, 2, 10, 9, 0);
    const figures = await core.insights.overview();
    expect(figures.questions.lastSevenDays).toBe(0);
    expect(figures.feedback.helpfulShare).toBeNull();
    expect(figures.refusals.rate).toBeNull();
    expect(figures.latency).toEqual({ p50Ms: null, p95Ms: null, sampled: 0 });
    now = new Date(2026, 2, 3, 9, 0);
  });
});
