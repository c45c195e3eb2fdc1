import { describe, expect, it } from 'vitest';
import {
  answerabilityFeatureNames,
  type AnswerabilityFeatures,
  answerabilityFeatures,
  bestSentenceCosine,
  type AnswerabilityModel,
  answerabilityScore,
  contentWords,
  fitAnswerabilityModel,
} from '../../src/core/answering/answerability.ts';
import { calibrateRefusal } from '../../src/core/evaluation/refusal-calibration.ts';
import type { Chunk, SearchHit, SearchResult } from '../../src/core/index.ts';

const chunk = (docId: string, text: string): Chunk => ({
  id: `${docId}#0`,
  docId,
  source: docId,
  title: docId,
  headingPath: [],
  text,
  embedding: [],
  tags: [],
  updatedAt: '2026-01-01T00:00:00.000Z',
  contentHash: docId,
  documentHash: docId,
  ordinal: 0,
});
const hit = (docId: string, text: string, rank: number): SearchHit => ({
  rank,
  score: 1 / rank,
  chunk: chunk(docId, text),
});

function result(
  hits: SearchHit[],
  evidence: Partial<SearchResult['evidence']> = {},
): Pick<SearchResult, 'hits' | 'evidence'> {
  return { hits, evidence: { bm25: [], vector: [], ...evidence } };
}

describe('answerability features', () => {
  const hits = [
    hit('reconcile.md', 'Reconciling an account matches it with the bank statement.', 1),
    hit('other.md', 'Reports list accounts.', 2),
  ];

  it('counts the share of rare question words the top passages cover', () => {
    const words = contentWords('How do I reconcile my account with the bank statement?');
    expect(words).toEqual(['reconcile', 'account', 'bank', 'statement']);
    const features = answerabilityFeatures(result(hits), words, { chunks: 100, counts: [3, 40, 5, 5] });
    expect(features.coverage).toBe(1);
    expect(features.unknownShare).toBe(0);
  });

  it('weighs a word no passage holds by its rarity: absent words say most', () => {
    const words = contentWords('android app for my account');
    const features = answerabilityFeatures(result(hits), words, { chunks: 100, counts: [0, 0, 40] });
    expect(features.coverage).toBeGreaterThan(0);
    expect(features.coverage).toBeLessThan(0.25);
    expect(features.unknownShare).toBeGreaterThan(0.75);
  });

  it('reads the legs: best cosine, its margin, how peaked BM25 is and whether the legs agree', () => {
    const features = answerabilityFeatures(
      result(hits, {
        vector: [0.8, 0.4, 0.4],
        bm25: [10, 5, 5],
        bm25TopDoc: 'reconcile.md',
        vectorTopDoc: 'reconcile.md',
      }),
      ['reconcile'],
      { chunks: 10, counts: [1] },
    );
    expect(features.topCosine).toBe(0.8);
    expect(features.cosineMargin).toBeCloseTo(0.4);
    expect(features.bm25Peak).toBeCloseTo(1 - 20 / 3 / 10);
    expect(features.legsAgree).toBe(1);
    expect(
      answerabilityFeatures(result(hits, { bm25TopDoc: 'a', vectorTopDoc: 'b' }), [], {
        chunks: 0,
        counts: [],
      }).legsAgree,
    ).toBe(0);
  });
});

describe('sentence evidence', () => {
  it('scores the best stored sentence of the top three passages, embedding nothing', () => {
    const passages = [
      hit('a.md', 'Open the Reconcile window from the Actions menu.', 1),
      hit('b.md', 'Budgets compare planned amounts with real spending over a period.', 2),
      hit('c.md', 'Scheduled transactions repeat on a calendar.', 3),
      hit('d.md', 'Fourth passage, never read for this feature.', 4),
    ];
    const stored = new Map([
      [
        passages[0]!.chunk.id,
        [{ text: 'Open the Reconcile window from the Actions menu.', vector: [0.6, 0.8] }],
      ],
      [
        passages[1]!.chunk.id,
        [{ text: 'Budgets compare planned amounts with real spending over a period.', vector: [0.8, 0.6] }],
      ],
      [passages[3]!.chunk.id, [{ text: 'Fourth passage, never read for this feature.', vector: [1, 0] }]],
    ]);
    expect(bestSentenceCosine([1, 0], passages, (id) => stored.get(id))).toBeCloseTo(0.8);
    // No sentences at all: no evidence, which the caller fills with the passage's cosine, rather than a cosine of 0.
    expect(bestSentenceCosine([1, 0], passages.slice(2, 3), (id) => stored.get(id))).toBeUndefined();
  });
});

describe('the answerability model', () => {
  const strong: AnswerabilityFeatures = {
    topCosine: 0.7,
    cosineMargin: 0.25,
    bm25Peak: 0.5,
    coverage: 0.9,
    unknownShare: 0,
    legsAgree: 1,
    sentenceCosine: 0.6,
  };
  const weak: AnswerabilityFeatures = {
    topCosine: 0.3,
    cosineMargin: 0.03,
    bm25Peak: 0.1,
    coverage: 0.3,
    unknownShare: 0.6,
    legsAgree: 0,
    sentenceCosine: 0.3,
  };
  const jitter = (features: AnswerabilityFeatures, amount: number): AnswerabilityFeatures => ({
    ...features,
    topCosine: features.topCosine + amount,
    coverage: Math.min(1, Math.max(0, features.coverage - amount)),
  });
  const examples = [-0.1, -0.05, 0, 0.05, 0.1].flatMap((amount) => [
    { features: jitter(strong, amount), answerable: true },
    { features: jitter(strong, amount / 2), answerable: true },
    { features: jitter(weak, amount), answerable: false },
  ]);

  it('is a probability that grows with the evidence', () => {
    const model: AnswerabilityModel = {
      intercept: -3,
      weights: {
        topCosine: 4,
        cosineMargin: 2,
        bm25Peak: 1,
        coverage: 2,
        unknownShare: -2,
        legsAgree: 0.5,
        sentenceCosine: 1,
      },
    };
    expect(answerabilityScore(strong, model)).toBeGreaterThan(answerabilityScore(weak, model));
    for (const features of [strong, weak]) {
      expect(answerabilityScore(features, model)).toBeGreaterThan(0);
      expect(answerabilityScore(features, model)).toBeLessThan(1);
    }
  });

  it('scores 0 when no word of the question appears anywhere in the knowledge base', () => {
    const model: AnswerabilityModel = {
      intercept: 5,
      weights: {
        topCosine: 4,
        cosineMargin: 2,
        bm25Peak: 1,
        coverage: 2,
        unknownShare: -2,
        legsAgree: 0.5,
        sentenceCosine: 1,
      },
    };
    expect(answerabilityScore({ ...strong, coverage: 0, unknownShare: 1 }, model)).toBe(0);
    expect(answerabilityScore({ ...strong, coverage: 0, unknownShare: 0.9 }, model)).toBeGreaterThan(0.5);
  });

  it('fits coefficients that separate labelled questions, deterministically', () => {
    const model = fitAnswerabilityModel(examples);
    expect(fitAnswerabilityModel(examples)).toEqual(model);
    for (const example of examples)
      expect(answerabilityScore(example.features, model) >= 0.5).toBe(example.answerable);
    expect(model.weights.unknownShare).toBeLessThan(0);
    expect(model.weights.topCosine).toBeGreaterThan(0);
  });

  it('fits on a subset of the features, leaving the others at weight 0', () => {
    const model = fitAnswerabilityModel(examples, { features: ['coverage', 'unknownShare'], l2: 0.1 });
    expect(Object.keys(model.weights).sort()).toEqual([...answerabilityFeatureNames].sort());
    for (const name of answerabilityFeatureNames)
      if (name !== 'coverage' && name !== 'unknownShare') expect(model.weights[name]).toBe(0);
    expect(model.weights.coverage).toBeGreaterThan(0);
    expect(model.weights.unknownShare).toBeLessThan(0);
  });

  it('shrinks the weights more under a stronger L2 penalty', () => {
    const size = (model: ReturnType<typeof fitAnswerabilityModel>) =>
      Object.values(model.weights).reduce((sum, weight) => sum + Math.abs(weight), 0);
    expect(size(fitAnswerabilityModel(examples, { l2: 1 }))).toBeLessThan(
      size(fitAnswerabilityModel(examples, { l2: 0.01 })),
    );
  });

  it('refuses to fit without both kinds of question', () => {
    expect(() => fitAnswerabilityModel(examples.filter((example) => example.answerable))).toThrow(
      /answerable and unanswerable/,
    );
  });

  it('calibrates the threshold for a target share of answerable questions kept, with the trade-off table', () => {
    const model = fitAnswerabilityModel(examples);
    const calibration = calibrateRefusal(examples, { model, targetKept: 0.9 });
    expect(calibration.chosen.answerableKept).toBeGreaterThanOrEqual(0.9);
    expect(calibration.chosen.unanswerableRefused).toBe(1);
    expect(calibration.table.map((row) => row.threshold)).toEqual(
      Array.from({ length: 19 }, (_, index) => (index + 1) / 20),
    );
    // A higher threshold never answers more.
    const kept = calibration.table.map((row) => row.answerableKept);
    expect(kept).toEqual([...kept].sort((a, b) => b - a));
    const refit = calibrateRefusal(examples, { model, targetKept: 1, fit: true });
    expect(refit.fitted).toBe(true);
    expect(refit.chosen.answerableKept).toBe(1);
  });

  it('says what is missing when the QA sets cannot calibrate', () => {
    const model = fitAnswerabilityModel(examples);
    expect(() =>
      calibrateRefusal(
        examples.filter((example) => !example.answerable),
        { model, targetKept: 0.9 },
      ),
    ).toThrow(/answerable questions/);
    expect(() =>
      calibrateRefusal(
        examples.filter((example) => example.answerable),
        { model, targetKept: 0.9, fit: true },
      ),
    ).toThrow(/unanswerable/);
  });
});
