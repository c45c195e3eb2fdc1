import { beforeEach, describe, expect, it } from 'vitest';
import { createCurationService, createDatasetsService } from '../../src/core/curation/index.ts';
import { parseAnswerPrompt } from '../../src/core/answering/prompt.ts';
import { createTrainingService } from '../../src/core/training/index.ts';
import {
  silentLogger,
  type ChatRequest,
  type ConversationRecord,
  type Store,
} from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  conversationRecord,
  learningLoopConfig,
  manualClock,
  openMemoryStore,
  scriptedChatModel,
  topicConversations,
} from '../support/learning-loop-fixtures.ts';

let store: Store;
const clock = manualClock();

const referenceByQuestion = new Map(topicConversations(16).map((record) => [record.question, record.answer]));

function questionOf(request: ChatRequest): string {
  return parseAnswerPrompt(request.messages.at(-1)?.content ?? '').question;
}

/** The candidate learned the references; the base model refuses everything; the judge prefers the reference-like answer. */
function script(request: ChatRequest): string {
  if (request.model === 'judge-model') {
    const content = request.messages.at(-1)?.content ?? '';
    const answerA = content.match(/Answer A:\n([\s\S]*?)\n\nAnswer B:/)?.[1] ?? '';
    return answerA.includes("I don't know") ? 'B' : 'A';
  }
  if (request.model === 'ft:candidate') return referenceByQuestion.get(questionOf(request)) ?? 'Unsure [7].';
  return "I don't know.";
}

async function seedDataset(
  config = learningLoopConfig({ curation: { minExamples: 3, validationShare: 0.5 } }),
) {
  const curation = createCurationService({
    config,
    store,
    logger: silentLogger,
    clock,
  });
  for (const record of topicConversations(16)) {
    await store.saveConversation(record);
    await curation.approve({ conversationId: record.id, reviewer: 'ops' });
  }
  const snapshot = await curation.snapshot({ createdBy: 'ops' });
  await store.saveModel({
    name: 'ft:candidate',
    baseModel: 'gpt-4o-mini-2024-07-18',
    jobId: 'ftjob-1',
    datasetVersion: snapshot.reference,
    status: 'candidate',
    evaluation: null,
    promotedAt: null,
    previousActive: null,
    createdAt: clock.now().toISOString(),
  });
  return snapshot;
}

function training(overrides: Record<string, unknown> = {}) {
  const chatModel = scriptedChatModel(script);
  const config = learningLoopConfig({ curation: { minExamples: 3, validationShare: 0.5 }, ...overrides });
  const service = createTrainingService({
    config,
    store,
    fineTuner: () => {
      throw new Error('not used');
    },
    chatModel: () => chatModel,
    embedder: createDeterministicEmbedder(),
    datasets: createDatasetsService({ config, store, logger: silentLogger, clock }),
    logger: silentLogger,
    clock,
  });
  return { service, chatModel };
}

beforeEach(async () => {
  store = await openMemoryStore();
});

describe('candidate evaluation', () => {
  it('runs the held-out examples through both models with the same prompt and stores a winning evaluation', async () => {
    const snapshot = await seedDataset();
    const held = snapshot.version.examples.filter((example) => example.split === 'validation');
    expect(held.length).toBeGreaterThan(1);
    const { service, chatModel } = training();
    const stages = new Set<string>();
    const result = await service.evaluateCandidate({
      candidate: 'ft:candidate',
      onProgress: (progress) => stages.add(progress.stage),
    });

    expect(chatModel.requests).toHaveLength(held.length * 2);
    for (const example of held) {
      const prompts = chatModel.requests.filter(
        (request) => JSON.stringify(request.messages) === JSON.stringify(example.messages.slice(0, -1)),
      );
      expect(prompts.map((request) => request.model).sort()).toEqual([
        'ft:candidate',
        'gpt-4o-mini-2024-07-18',
      ]);
    }
    expect(result).toMatchObject({
      kind: 'candidate',
      candidate: 'ft:candidate',
      baseline: 'gpt-4o-mini-2024-07-18',
      datasetVersion: snapshot.reference,
      examples: held.length,
      winRate: 1,
    });
    expect(result.scores['ft:candidate']).toMatchObject({
      similarity: 1,
      citationValidity: 1,
      refusalAccuracy: 1,
    });
    expect(result.scores['gpt-4o-mini-2024-07-18']?.refusalAccuracy).toBe(0);
    expect(result.rows[0]).toMatchObject({ winner: 'candidate', judge: null });
    expect([...stages]).toEqual(['answering', 'scoring']);

    expect((await store.listEvaluations('ft:candidate')).map((evaluation) => evaluation.id)).toEqual([
      result.id,
    ]);
    expect((await store.getModel('ft:candidate'))?.evaluation).toMatchObject({ id: result.id, winRate: 1 });
    await expect(service.promote({ model: 'ft:candidate' })).resolves.toMatchObject({
      changed: true,
      warnings: [],
    });
  });

  it('marks a candidate that cites missing sources and refuses wrongly as the loser', async () => {
    await seedDataset();
    const chatModel = scriptedChatModel((request) =>
      request.model === 'ft:candidate'
        ? "I don't know [9]."
        : (referenceByQuestion.get(questionOf(request)) ?? ''),
    );
    const config = learningLoopConfig({ curation: { minExamples: 3, validationShare: 0.5 } });
    const service = createTrainingService({
      config,
      store,
      fineTuner: () => {
        throw new Error('not used');
      },
      chatModel: () => chatModel,
      embedder: createDeterministicEmbedder(),
      datasets: createDatasetsService({ config, store, logger: silentLogger, clock }),
      logger: silentLogger,
      clock,
    });
    const result = await service.evaluateCandidate({ candidate: 'ft:candidate' });
    expect(result.winRate).toBe(0);
    expect(result.scores['ft:candidate']?.citationValidity).toBe(0);
    await expect(service.promote({ model: 'ft:candidate' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('asks the judge with the candidate in both positions and counts its verdicts', async () => {
    await seedDataset();
    const { service, chatModel } = training({ training: { judgeModel: 'judge-model' } });
    const result = await service.evaluateCandidate({ candidate: 'ft:candidate' });
    const judged = chatModel.requests.filter((request) => request.model === 'judge-model');
    expect(judged).toHaveLength(result.examples);
    const candidateFirst = judged.filter(
      (request) => !/Answer A:\nI don't know/.test(request.messages.at(-1)?.content ?? ''),
    ).length;
    expect(candidateFirst).toBeGreaterThan(0);
    expect(candidateFirst).toBeLessThan(judged.length);
    expect(result.rows.every((row) => row.judge === 'candidate')).toBe(true);
    expect(result.judgeModel).toBe('judge-model');
    expect(result.scores['ft:candidate']?.judgeWins).toBe(result.examples);
  });

  it('needs a dataset with held-out examples and a baseline other than the candidate', async () => {
    const { service } = training();
    await expect(service.evaluateCandidate({ candidate: 'ft:unknown' })).rejects.toMatchObject({
      code: 'input_invalid',
    });
    await seedDataset();
    await expect(
      service.evaluateCandidate({ candidate: 'ft:candidate', baseline: 'ft:candidate' }),
    ).rejects.toMatchObject({ code: 'input_invalid' });
  });
});

describe('shadow evaluation', () => {
  it('compares stored shadow answers with the answers users saw', async () => {
    const { service } = training();
    const records = topicConversations(4).map((record, index): ConversationRecord => ({
      ...record,
      feedback: index === 0 ? { helpful: true, at: record.createdAt } : null,
      correctedAnswer: index === 1 ? record.answer : null,
      answer: index === 1 ? "I don't know." : record.answer,
      refused: index === 1,
      shadow: {
        model: 'ft:shadow',
        answer: index === 3 ? 'Something else entirely [5].' : record.answer,
        latencyMs: 800,
      },
    }));
    records.push(conversationRecord({ id: 'no-shadow', question: 'q?', answer: 'a' }));
    for (const record of records) await store.saveConversation(record);

    const result = await service.evaluateShadow({ model: 'ft:shadow' });
    expect(result).toMatchObject({
      kind: 'shadow',
      candidate: 'ft:shadow',
      baseline: 'gpt-4o-mini-2024-07-18',
      examples: 4,
    });
    const byId = new Map(result.rows.map((row) => [row.id, row]));
    // Approved by feedback: the shown answer is the reference, and the shadow agrees.
    expect(byId.get('conv-01')).toMatchObject({ reference: records[0]!.answer, winner: 'tie', agreement: 1 });
    // Corrected: the shadow matches the correction, the shown refusal did not.
    expect(byId.get('conv-02')).toMatchObject({ winner: 'candidate' });
    // No reference: compared on citations only; the shadow cited a source that was not given.
    expect(byId.get('conv-04')?.candidate.citationValidity).toBe(0);
    expect(byId.get('conv-04')?.winner).toBe('baseline');
    expect((await store.listEvaluations('ft:shadow'))[0]?.id).toBe(result.id);
  });

  it('says how to turn shadow mode on when there are no shadow answers', async () => {
    await expect(training().service.evaluateShadow({ model: 'ft:none' })).rejects.toThrow(
      /training.shadowModel/,
    );
  });
});
