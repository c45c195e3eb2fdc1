import { beforeEach, describe, expect, it } from 'vitest';
import {
  createDatasetsService,
  createReviewService,
  type DatasetsService,
  type ReviewService,
} from '../../src/core/curation/index.ts';
import { createCore } from '../../src/core/index.ts';
import { silentLogger } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { createInMemoryStore, type InMemoryStore } from '../fakes/in-memory-store.ts';
import {
  conversationRecord,
  learningLoopConfig,
  manualClock,
  topicConversations,
} from '../support/conversation-fixtures.ts';

// The review queue and the datasets over the in-memory store, which passes the store conformance suite.
let store: InMemoryStore;
let review: ReviewService;
let datasets: DatasetsService;
let clock: ReturnType<typeof manualClock>;

/** The store methods that change something. */
const writes = ['saveConversation', 'saveExample', 'deleteExample', 'saveDataset', 'saveDatasetVersion'];

beforeEach(() => {
  store = createInMemoryStore();
  clock = manualClock();
  const config = learningLoopConfig({ curation: { minExamples: 3, recommendedExamples: 5 } });
  review = createReviewService({ config, store, logger: silentLogger, clock });
  datasets = createDatasetsService({ config, store, logger: silentLogger, clock });
});

describe('review queue', () => {
  it('puts not-helpful conversations first and pages through the rest', async () => {
    for (const record of topicConversations(7)) await store.saveConversation(record);
    const first = await review.listReviewQueue({ pageSize: 3 });
    expect(first).toMatchObject({ total: 7, page: 1, pageSize: 3, pages: 3 });
    expect(first.items.map((item) => item.feedback?.helpful)).toEqual([false, false, false]);
    const third = await review.listReviewQueue({ pageSize: 3, page: 3 });
    expect(third.items).toHaveLength(1);
    const ids = new Set(
      [...first.items, ...(await review.listReviewQueue({ pageSize: 3, page: 2 })).items, ...third.items].map(
        (item) => item.id,
      ),
    );
    expect(ids.size).toBe(7);
  });

  it('filters by feedback, status, confidence, refusals, channel, platform and date', async () => {
    await store.saveConversation(
      conversationRecord({
        id: 'low',
        question: 'q1?',
        answer: 'a',
        helpful: false,
        overrides: { confidence: 0.2 },
      }),
    );
    await store.saveConversation(
      conversationRecord({
        id: 'refused',
        question: 'q2?',
        answer: "I don't know.",
        overrides: { refused: true, route: 'refused', platform: 'discord', channel: 'D1' },
      }),
    );
    await store.saveConversation(
      conversationRecord({
        id: 'late',
        question: 'q3?',
        answer: 'a',
        helpful: true,
        createdAt: '2025-06-01T00:00:00.000Z',
      }),
    );
    const ids = async (filter: Parameters<ReviewService['listReviewQueue']>[0]) =>
      (await review.listReviewQueue(filter)).items.map((item) => item.id).sort();
    expect(await ids({ feedback: 'not_helpful' })).toEqual(['low']);
    expect(await ids({ feedback: 'helpful' })).toEqual(['late']);
    expect(await ids({ feedback: 'none' })).toEqual(['refused']);
    expect(await ids({ maxConfidence: 0.5 })).toEqual(['low']);
    expect(await ids({ refused: true })).toEqual(['refused']);
    expect(await ids({ platform: 'discord' })).toEqual(['refused']);
    expect(await ids({ channel: 'C-support' })).toEqual(['late', 'low']);
    expect(await ids({ since: '2025-05-01T00:00:00.000Z' })).toEqual(['late']);
    await review.reject({ conversationId: 'low', reviewer: 'ops' });
    expect(await ids({ status: ['new'] })).toEqual(['late', 'refused']);
  });
});

describe('review actions', () => {
  it('approve writes an example in the exact inference format, records who and when, and is idempotent', async () => {
    const record = conversationRecord({
      id: 'c1',
      question: 'How do I reset my password?',
      answer: 'Open Settings [1].',
      helpful: true,
    });
    await store.saveConversation(record);
    const approved = await review.approve({ conversationId: 'c1', reviewer: 'maria' });
    expect(approved.changed).toBe(true);
    expect(approved.conversation).toMatchObject({
      reviewStatus: 'approved',
      reviewer: 'maria',
      reviewedAt: clock.now().toISOString(),
    });
    expect(approved.example?.messages).toEqual([
      ...record.promptMessages,
      { role: 'assistant', content: 'Open Settings [1].' },
    ]);
    expect(approved.example?.messages[1]?.content).toContain('<source id="1"');
    expect(approved.example).toMatchObject({
      dataset: 'support',
      originConversationId: 'c1',
      sourceDocIds: ['docs/account.md'],
      createdBy: 'maria',
    });

    clock.advance(60_000);
    const writesBefore = store.methodsCalled(writes).length;
    const again = await review.approve({ conversationId: 'c1', reviewer: 'maria' });
    expect(again.changed).toBe(false);
    expect(store.methodsCalled(writes).length).toBe(writesBefore);
    expect(again.conversation.reviewedAt).toBe(approved.conversation.reviewedAt);
    expect(await store.listExamples({ dataset: 'support' })).toHaveLength(1);
  });

  it('correct replaces the answer in the example; reject removes it', async () => {
    await store.saveConversation(
      conversationRecord({
        id: 'c1',
        question: 'How do I reset my password?',
        answer: 'No idea.',
        helpful: false,
      }),
    );
    const corrected = await review.correct({
      conversationId: 'c1',
      reviewer: 'li',
      answer: 'Open Settings > Security > Reset password [1].',
    });
    expect(corrected.conversation).toMatchObject({
      reviewStatus: 'corrected',
      correctedAnswer: 'Open Settings > Security > Reset password [1].',
      correctionSource: 'operator',
      reviewer: 'li',
    });
    expect(corrected.example?.messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Open Settings > Security > Reset password [1].',
    });
    expect(
      (
        await review.correct({
          conversationId: 'c1',
          reviewer: 'li',
          answer: 'Open Settings > Security > Reset password [1].',
        })
      ).changed,
    ).toBe(false);

    const rejected = await review.reject({ conversationId: 'c1', reviewer: 'li' });
    expect(rejected.conversation.reviewStatus).toBe('rejected');
    expect(await store.listExamples({ originConversationId: 'c1' })).toEqual([]);
    expect((await review.reject({ conversationId: 'c1', reviewer: 'li' })).changed).toBe(false);
  });

  it('approving a suggested correction trains on the suggestion', async () => {
    await store.saveConversation(
      conversationRecord({
        id: 'c1',
        question: 'q?',
        answer: 'bot answer',
        overrides: { correctedAnswer: 'teammate answer [1]', correctionSource: 'teammate' },
      }),
    );
    const result = await review.approve({ conversationId: 'c1', reviewer: 'ops', acceptSuggestion: true });
    expect(result.conversation.reviewStatus).toBe('corrected');
    expect(result.example?.messages.at(-1)?.content).toBe('teammate answer [1]');
  });

  it('refuses actions without a reviewer, a missing conversation or an empty correction', async () => {
    await store.saveConversation(conversationRecord({ id: 'c1', question: 'q?', answer: 'a' }));
    await expect(review.approve({ conversationId: 'c1', reviewer: ' ' })).rejects.toMatchObject({
      code: 'input_invalid',
    });
    await expect(review.approve({ conversationId: 'nope', reviewer: 'ops' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      review.correct({ conversationId: 'c1', reviewer: 'ops', answer: '  ' }),
    ).rejects.toMatchObject({ code: 'input_invalid' });
  });

  it('adds an example by hand, once', async () => {
    const first = await datasets.addExample({
      question: 'What is the SLA?',
      answer: '99.9% monthly.',
      reviewer: 'ops',
    });
    expect(first.example.messages).toEqual([
      { role: 'user', content: 'What is the SLA?' },
      { role: 'assistant', content: '99.9% monthly.' },
    ]);
    expect(first.warnings).toHaveLength(1);
    expect(
      (await datasets.addExample({ question: 'What is the SLA?', answer: '99.9% monthly.', reviewer: 'ops' }))
        .changed,
    ).toBe(false);
  });
});

describe('diagnosis and retrieval QA set', () => {
  it('records the failure kind and expected sources, and exports them as question/relevant lines', async () => {
    await store.saveConversation(
      conversationRecord({
        id: 'c1',
        question: 'How do I export invoices?',
        answer: 'wrong',
        helpful: false,
        sources: [{ docId: 'docs/account.md', text: 'x', vectorScore: 0.1 }],
      }),
    );
    await store.saveConversation(conversationRecord({ id: 'c2', question: 'Other?', answer: 'a' }));
    const detail = await review.getReviewDetail('c1');
    expect(detail.hint.suggested).toBe('retrieval');
    const result = await review.diagnose({
      conversationId: 'c1',
      reviewer: 'ops',
      failureKind: 'retrieval',
      expectedSources: ['docs/billing.md', 'docs/billing.md', ' '],
    });
    expect(result.conversation).toMatchObject({
      failureKind: 'retrieval',
      expectedSources: ['docs/billing.md'],
      reviewer: 'ops',
    });
    expect(await review.retrievalQaSet()).toEqual([
      { question: 'How do I export invoices?', relevant: ['docs/billing.md'], conversationId: 'c1' },
    ]);
  });
});

describe('diagnosing with expected sources', () => {
  it('warns about an expected source that names no document of the knowledge base (it can never be found)', async () => {
    await store.replaceDocument('docs/billing.md', [
      {
        id: 'docs/billing.md#0',
        docId: 'docs/billing.md',
        source: 'docs/billing.md',
        title: 'Billing',
        headingPath: [],
        text: 'Invoices are exported from Settings > Billing.',
        embedding: [1, 0],
        sentences: [],
        tags: [],
        updatedAt: '2025-01-01T00:00:00.000Z',
        contentHash: 'c',
        documentHash: 'd',
        ordinal: 0,
      },
    ]);
    await store.saveConversation(
      conversationRecord({
        id: 'c1',
        question: 'How do I export invoices?',
        answer: 'wrong',
        helpful: false,
      }),
    );
    const typo = await review.diagnose({
      conversationId: 'c1',
      reviewer: 'ops',
      failureKind: 'retrieval',
      expectedSources: ['docs/billing.md', 'docs/biling.md'],
    });
    expect(typo.conversation.expectedSources).toEqual(['docs/billing.md', 'docs/biling.md']);
    expect(typo.warnings).toHaveLength(1);
    expect(typo.warnings[0]).toMatch(/docs\/biling\.md.*no document of the knowledge base/);
    expect(typo.warnings[0]).not.toMatch(/docs\/billing\.md/);

    const right = await review.diagnose({
      conversationId: 'c1',
      reviewer: 'ops',
      failureKind: 'retrieval',
      expectedSources: ['./docs/billing.md', 'billing.md'],
    });
    expect(right.warnings).toEqual([]);
  });
});

describe('secrets typed by operators', () => {
  const key = 'sk-proj-QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';

  it('are masked in a correction before it is stored on the conversation and in its example', async () => {
    await store.saveConversation(
      conversationRecord({ id: 'c1', question: 'My key fails?', answer: 'wrong' }),
    );
    const result = await review.correct({
      conversationId: 'c1',
      reviewer: 'ops',
      answer: `Rotate it: set OPENAI_API_KEY=${key} in .env [1].`,
    });
    const stored = await store.getConversation('c1');
    expect(stored?.correctedAnswer).toMatch(/^Rotate it: set OPENAI_API_KEY=.*in \.env \[1\]\.$/);
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(JSON.stringify(await store.getExample(result.example!.id))).not.toContain(key);
    expect(result.warnings.join(' ')).toMatch(/secret/);
  });

  it('are masked in a correction suggested from Slack or Discord and in a feedback comment', async () => {
    const core = createCore({
      config: learningLoopConfig(),
      store,
      embedder: createDeterministicEmbedder(),
      logger: silentLogger,
    });
    try {
      await store.saveConversation(
        conversationRecord({ id: 'c2', question: 'My key fails?', answer: 'wrong' }),
      );
      await core.recordFeedback('c2', { helpful: false, comment: `still fails with ${key}`, by: 'u1' });
      await core.suggestCorrection('c2', { answer: `Use ${key} [1].`, by: 'u1', source: 'user' });
      const stored = await store.getConversation('c2');
      expect(stored?.feedback?.comment).toMatch(/^still fails with /);
      expect(stored?.correctedAnswer).toMatch(/^Use .* \[1\]\.$/);
      expect(JSON.stringify(stored)).not.toContain(key);
    } finally {
      await core.close();
    }
  });

  it('are masked in a hand-written example', async () => {
    const result = await datasets.addExample({
      question: `Why does ${key} fail?`,
      answer: `Do not paste ${key} anywhere [1].`,
      reviewer: 'ops',
    });
    expect(JSON.stringify(await store.getExample(result.example.id))).not.toContain(key);
    expect(result.warnings.join(' ')).toMatch(/secret/);
  });
});

describe('staleness', () => {
  it('flags conversations and examples citing a changed document; snapshots leave them out until re-approved', async () => {
    for (const record of topicConversations(6)) {
      await store.saveConversation(record);
      await review.approve({ conversationId: record.id, reviewer: 'ops' });
    }
    const flagged = await review.flagStale(['docs/password.md']);
    expect(flagged).toEqual({ conversations: 1, examples: 1, verifiedAnswers: 0 });
    expect((await store.getConversation('conv-01'))?.stale).toBe(true);
    expect(await review.flagStale(['docs/password.md'])).toEqual({
      conversations: 0,
      examples: 0,
      verifiedAnswers: 0,
    });

    const snapshot = await datasets.snapshot({ createdBy: 'ops' });
    expect(snapshot.report.staleExcluded).toEqual(['support:conv-01']);
    expect(snapshot.version.examples.map((example) => example.id)).not.toContain('support:conv-01');

    const reapproved = await review.approve({ conversationId: 'conv-01', reviewer: 'ops' });
    expect(reapproved.changed).toBe(true);
    expect(reapproved.conversation.stale).toBe(false);
    expect(reapproved.example?.stale).toBe(false);
    const next = await datasets.snapshot({ createdBy: 'ops' });
    expect(next.version.version).toBe(2);
    expect(next.version.examples.map((example) => example.id)).toContain('support:conv-01');
  });

  it('flags every citing conversation, across pages', async () => {
    for (let index = 0; index < 230; index += 1) {
      await store.saveConversation(
        conversationRecord({
          id: `many-${index}`,
          question: `q${index}?`,
          answer: 'a',
          createdAt: new Date(Date.UTC(2025, 0, 1, 0, index)).toISOString(),
        }),
      );
    }
    expect(await review.flagStale(['docs/account.md'])).toEqual({
      conversations: 230,
      examples: 0,
      verifiedAnswers: 0,
    });
    expect((await store.listConversations({ stale: false })).total).toBe(0);
  });

  it('re-approves a stale hand-written example', async () => {
    const { example } = await datasets.addExample({
      question: 'q?',
      answer: 'a',
      reviewer: 'ops',
      sourceDocIds: ['docs/a.md'],
    });
    await review.flagStale(['docs/a.md']);
    expect((await store.getExample(example.id))?.stale).toBe(true);
    expect((await datasets.reapproveExample({ exampleId: example.id, reviewer: 'ops' })).stale).toBe(false);
  });
});

describe('snapshots', () => {
  it('scrubs, drops duplicates, splits by id and validates into an immutable version', async () => {
    const records = topicConversations(8);
    records[0] = conversationRecord({
      id: 'conv-01',
      question: 'How do I reset my password? I am jane@example.com, call +1 202 555 0143',
      answer: 'Open Settings, choose Security and click Reset password [1].',
    });
    records.push(
      conversationRecord({
        id: 'conv-dup',
        question: 'How do I invite a teammate?',
        answer: topicConversations(3)[2]!.answer,
        createdAt: '2025-02-02T00:00:00.000Z',
      }),
    );
    for (const record of records) {
      await store.saveConversation(record);
      await review.approve({ conversationId: record.id, reviewer: 'ops' });
    }
    const progress: string[] = [];
    const result = await datasets.snapshot({
      createdBy: 'ops',
      onProgress: (step) => progress.push(step.stage),
    });
    expect(result.created).toBe(true);
    expect(result.reference).toBe('support@1');
    expect(progress).toEqual(expect.arrayContaining(['scrubbing', 'deduplicating', 'validating', 'saving']));
    expect(result.report.scrub).toMatchObject({
      examplesChanged: 1,
      replacements: { email: 1, phone: 1 },
      changedExampleIds: ['support:conv-01'],
    });
    expect(JSON.stringify(result.version.examples)).not.toContain('jane@example.com');
    expect(result.report.duplicates).toEqual([
      expect.objectContaining({ id: 'support:conv-dup', duplicateOf: 'support:conv-03', kind: 'exact' }),
    ]);
    expect(result.version.examples).toHaveLength(8);
    expect(result.report.validation.valid).toBe(true);
    expect(result.report.validation.estimate.cost).toBeGreaterThan(0);

    // Same examples again: nothing new, the newest version is returned instead of a copy.
    expect((await datasets.snapshot({ createdBy: 'ops' })).created).toBe(false);
    const detail = await datasets.getVersion('support@1');
    expect(detail.trainExamples + detail.validationExamples).toBe(8);
    const exported = await datasets.exportVersion({ reference: 'support', format: 'openai' });
    expect(exported.counts).toEqual({ train: detail.trainExamples, validation: detail.validationExamples });
    expect(exported.train.trim().split('\n')).toHaveLength(detail.trainExamples);
    expect(detail.trainExamples).toBeGreaterThanOrEqual(3);
    expect(datasets.validateJsonl(exported.train).errors).toEqual([]);
    await expect(store.saveDatasetVersion({ ...result.version })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('keeps the version invalid and says why when there are too few examples', async () => {
    for (const record of topicConversations(2)) {
      await store.saveConversation(record);
      await review.approve({ conversationId: record.id, reviewer: 'ops' });
    }
    const result = await datasets.snapshot({ createdBy: 'ops' });
    expect(result.report.validation.valid).toBe(false);
    expect(result.report.validation.errors.map((issue) => issue.rule)).toEqual(['too_few_examples']);
    await expect(datasets.snapshot({ dataset: 'empty', createdBy: 'ops' })).rejects.toMatchObject({
      code: 'input_invalid',
    });
  });

  it('lists datasets with example, stale and version counts', async () => {
    for (const record of topicConversations(3)) {
      await store.saveConversation(record);
      await review.approve({ conversationId: record.id, reviewer: 'ops' });
    }
    await datasets.snapshot({ createdBy: 'ops' });
    expect(await datasets.listDatasets()).toEqual([
      expect.objectContaining({
        name: 'support',
        examples: 3,
        staleExamples: 0,
        versions: 1,
        latestVersion: 1,
      }),
    ]);
    expect(await datasets.countNewExamples('support', 'support@1')).toBe(0);
    const [extra] = topicConversations(4).slice(3);
    await store.saveConversation(extra!);
    await review.approve({ conversationId: extra!.id, reviewer: 'ops' });
    expect(await datasets.countNewExamples('support', 'support@1')).toBe(1);
  });
});
