import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnswerPrompt } from '../../src/core/answering/prompt.ts';
import { createCore, type ConversationRecord, type Core } from '../../src/core/index.ts';
import { type ChatRequest, silentLogger, type Store } from '../../src/core/ports/index.ts';
import { evaluationGate } from '../../src/core/training/promotion-guard.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  conversationRecord,
  learningLoopConfig,
  manualClock,
  openMemoryStore,
  scriptedChatModel,
  topicConversations,
} from '../support/learning-loop-fixtures.ts';

const candidate = 'ft:gpt-4o-mini-2024-07-18:acme:support:Gu4rd';
const hour = 3_600_000;

/** `count` answers by `model`, one a minute from `start`; the first `notHelpful` marked so, the next `refused` refused. */
function answers(
  model: string,
  start: number,
  count: number,
  shares: { notHelpful: number; refused: number },
  prefix: string,
): ConversationRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const createdAt = new Date(start + index * 60_000).toISOString();
    return conversationRecord({
      id: `${prefix}-${index}`,
      question: `question ${prefix} ${index}`,
      answer: 'An answer [1].',
      createdAt,
      helpful: index < shares.notHelpful ? false : null,
      overrides: {
        model,
        refused: index >= shares.notHelpful && index < shares.notHelpful + shares.refused,
      },
    });
  });
}

async function setUp(): Promise<{
  core: Core;
  store: Store;
  clock: ReturnType<typeof manualClock>;
  base: string;
}> {
  const store = await openMemoryStore();
  const clock = manualClock('2026-03-01T09:00:00.000Z');
  const config = learningLoopConfig({
    training: {
      guard: { enabled: true, windowHours: 24, minQuestions: 30, notHelpfulBand: 0.1, refusalBand: 0.1 },
    },
  });
  const core = createCore({
    config,
    store,
    clock,
    embedder: createDeterministicEmbedder(),
    chatModel: scriptedChatModel(() => 'ok'),
    logger: silentLogger,
  });
  await core.prepareToServe();
  const base = config.openai.chatModel;
  // A day of the base model: 40 answers, 2 not helpful (5 %), 2 refused (5 %).
  for (const record of answers(
    base,
    clock.now().getTime() - 20 * hour,
    40,
    { notHelpful: 2, refused: 2 },
    'before',
  ))
    await store.saveConversation(record);
  await store.saveModel({
    name: candidate,
    baseModel: base,
    jobId: 'ftjob-guard',
    datasetVersion: 'support@1',
    status: 'candidate',
    evaluation: null,
    promotedAt: null,
    previousActive: null,
    createdAt: clock.now().toISOString(),
  });
  await core.training.promote({ model: candidate, by: 'ops' });
  return { core, store, clock, base };
}

describe('training.guard: a promoted model that cannot get worse unnoticed', () => {
  it('rolls back a promotion whose live answers are marked not helpful far more often, and says so', async () => {
    const { core, store, clock, base } = await setUp();
    expect(await core.training.activeModel()).toBe(candidate);

    // Too few answers yet: it watches.
    clock.advance(hour);
    expect((await core.trainingSchedule.watchJobs()).guard).toMatchObject({ decision: 'watching' });

    // The regressing candidate: 35 answers, 12 not helpful (34 %), 3 refused.
    const promotedAt = clock.now().getTime() - hour;
    for (const record of answers(candidate, promotedAt + 60_000, 35, { notHelpful: 12, refused: 3 }, 'after'))
      await store.saveConversation(record);
    clock.advance(hour);
    const { guard } = await core.trainingSchedule.watchJobs();
    expect(guard).toMatchObject({
      decision: 'rolled_back',
      model: candidate,
      previous: base,
      before: { model: base, questions: 40, notHelpful: 2 },
      after: { model: candidate, questions: 35, notHelpful: 12, refused: 3 },
    });
    expect(guard!.reason).toMatch(
      /rolled back to .*: not helpful 5\.0% → 34\.3% \(band 10\.0%\) over 35 answers/,
    );
    // The model that answered before answers again (the store's active model, seen by every replica).
    await clock.sleep(3000);
    expect(await core.training.activeModel()).toBe(base);
    expect((await core.training.getModel(candidate)).status).toBe('retired');

    // Counted for the operators' alerts and recorded for the dashboard.
    expect((await core.renderMetrics()).text).toMatch(
      /answerloop_model_rollbacks_total\{reason="not_helpful"\} 1/,
    );
    const status = await core.trainingSchedule.status();
    expect(status.guard.last).toMatchObject({ decision: 'rolled_back', model: candidate });
    expect(status.guard.rollbacks).toHaveLength(1);

    // Judged once: the next run leaves it be.
    expect((await core.trainingSchedule.watchJobs()).guard).toBeNull();
    await core.close();
  });

  it('keeps a promotion within the bands once its window is over', async () => {
    const { core, store, clock } = await setUp();
    const promotedAt = clock.now().getTime();
    for (const record of answers(candidate, promotedAt + 60_000, 40, { notHelpful: 3, refused: 3 }, 'after'))
      await store.saveConversation(record);
    clock.advance(2 * hour);
    expect((await core.trainingSchedule.watchJobs()).guard).toMatchObject({ decision: 'watching' });
    clock.advance(23 * hour);
    const { guard } = await core.trainingSchedule.watchJobs();
    expect(guard).toMatchObject({ decision: 'kept', after: { questions: 40 } });
    expect(guard!.reason).toMatch(/within the bands/);
    expect(await core.training.activeModel()).toBe(candidate);
    expect((await core.trainingSchedule.status()).guard.rollbacks).toEqual([]);
    await core.close();
  });

  it('lets the schedule promote only a candidate no worse on any measure of its evaluation', () => {
    const scores = (refusalAccuracy: number, citationValidity: number) => ({
      similarity: 0.8,
      refusalAccuracy,
      citationValidity,
    });
    const evaluation = (candidateScores: ReturnType<typeof scores>, winRate = 0.7) => ({
      candidate,
      baseline: 'gpt-4o-mini',
      winRate,
      scores: { [candidate]: candidateScores, 'gpt-4o-mini': scores(0.9, 0.95) },
    });
    expect(evaluationGate(evaluation(scores(0.9, 0.97)))).toEqual({ passed: true, worseOn: [] });
    // Wins the judge, but refuses wrongly more often: not promoted.
    expect(evaluationGate(evaluation(scores(0.8, 0.97)))).toEqual({
      passed: false,
      worseOn: [{ measure: 'refusalAccuracy', candidate: 0.8, baseline: 0.9 }],
    });
    expect(evaluationGate(evaluation(scores(0.9, 0.9))).worseOn.map((entry) => entry.measure)).toEqual([
      'citationValidity',
    ]);
    expect(evaluationGate(evaluation(scores(0.95, 0.99), 0.5)).passed).toBe(false);
  });
});

describe('candidate evaluation with training.guard.qaSets', () => {
  const marker = 'Hope this helps!';
  /** The candidate pleases the judge but answers questions the documentation cannot answer; the base model refuses them. */
  const script = (request: ChatRequest): string => {
    const content = request.messages.at(-1)?.content ?? '';
    if (request.model === 'judge-model') {
      const answerA = /Answer A:\n([\s\S]*?)\n\nAnswer B:/.exec(content)?.[1] ?? '';
      return answerA.includes(marker) ? 'A' : 'B';
    }
    const question = parseAnswerPrompt(content).question || content;
    const reference = topicConversations(12).find((record) => record.question === question)?.answer;
    const unanswerable = /Okta|iPhone/.test(question);
    if (request.model === candidate)
      return unanswerable
        ? `Yes, that works out of the box [1]. ${marker}`
        : `${reference ?? 'See Settings [1].'} ${marker}`;
    return unanswerable ? "I don't know." : (reference ?? 'See Settings [1].');
  };

  async function evaluate(qaSets: string[]) {
    const store = await openMemoryStore();
    const config = learningLoopConfig({
      curation: { minExamples: 3, validationShare: 0.5 },
      training: { judgeModel: 'judge-model', guard: { qaSets, qaLimit: 10 } },
    });
    const core = createCore({
      config,
      store,
      embedder: createDeterministicEmbedder(),
      chatModel: scriptedChatModel(script),
      logger: silentLogger,
    });
    await core.ingest([path.resolve(import.meta.dirname, '../fixtures/answering-docs')]);
    for (const record of topicConversations(12)) {
      await store.saveConversation(record);
      await core.curation.approve({ conversationId: record.id, reviewer: 'ops' });
    }
    const snapshot = await core.curation.snapshot({ createdBy: 'ops' });
    await store.saveModel({
      name: candidate,
      baseModel: config.openai.chatModel,
      jobId: 'ftjob-qa',
      datasetVersion: snapshot.reference,
      status: 'candidate',
      evaluation: null,
      promotedAt: null,
      previousActive: null,
      createdAt: new Date().toISOString(),
    });
    const result = await core.training.evaluateCandidate({ candidate });
    await core.close();
    return result;
  }

  it('measures refusal on the unanswerable questions, so a candidate that wins the judge but answers them is held back', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'answerloop-qa-'));
    const qaFile = path.join(folder, 'qa.jsonl');
    writeFileSync(
      qaFile,
      [
        {
          question: 'Do you support single sign-on with Okta?',
          kind: 'unanswerable',
          relevant: [],
          answer: '',
        },
        { question: 'Is there an app for the iPhone?', kind: 'unanswerable', relevant: [], answer: '' },
        {
          question: 'How long is the refund window?',
          kind: 'keyword',
          relevant: ['billing.md'],
          answer: '14 days.',
        },
      ]
        .map((item) => JSON.stringify(item))
        .join('\n'),
    );
    try {
      const without = await evaluate([]);
      expect(without.winRate).toBeGreaterThan(0.5);
      expect(evaluationGate(without).passed).toBe(true);

      const withQa = await evaluate([qaFile]);
      expect(withQa.rows.filter((row) => row.id.startsWith('qa:'))).toHaveLength(3);
      expect(withQa.winRate).toBeGreaterThan(0.5);
      const gate = evaluationGate(withQa);
      expect(gate.passed).toBe(false);
      expect(gate.worseOn.map((entry) => entry.measure)).toEqual(['refusalAccuracy']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
