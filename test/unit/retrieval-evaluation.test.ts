import { describe, expect, it } from 'vitest';
import { AnswerloopError } from '../../src/core/index.ts';
import type { SearchHit } from '../../src/core/retrieval/index.ts';
import {
  mean,
  ndcgAtK,
  parseQaSet,
  rankDocuments,
  recallAtK,
  reciprocalRank,
} from '../../src/core/retrieval/retrieval-evaluation.ts';

describe('recallAtK', () => {
  it('counts the relevant documents found in the first k', () => {
    expect(recallAtK(['a', 'b', 'c', 'd'], ['b', 'd'], 2)).toBe(0.5);
    expect(recallAtK(['a', 'b', 'c', 'd'], ['b', 'd'], 4)).toBe(1);
    expect(recallAtK(['a', 'b', 'c'], ['x'], 3)).toBe(0);
    // A relevant document just below the cut-off does not count.
    expect(recallAtK(['a', 'b', 'c'], ['c'], 2)).toBe(0);
  });

  it('counts a relevant document once even when the ranking repeats it', () => {
    expect(recallAtK(['b', 'b', 'a'], ['b', 'c'], 3)).toBe(0.5);
  });

  it('is 0 when nothing is relevant or the ranking is empty', () => {
    expect(recallAtK(['a'], [], 5)).toBe(0);
    expect(recallAtK([], ['a'], 5)).toBe(0);
  });
});

describe('reciprocalRank', () => {
  it('is one over the rank of the first relevant document', () => {
    expect(reciprocalRank(['a', 'b', 'c'], ['a'])).toBe(1);
    expect(reciprocalRank(['a', 'b', 'c'], ['c', 'b'])).toBe(0.5);
    expect(reciprocalRank(['a', 'b', 'c', 'd'], ['d'])).toBe(0.25);
  });

  it('is 0 when no relevant document was ranked', () => {
    expect(reciprocalRank(['a', 'b'], ['z'])).toBe(0);
  });
});

describe('ndcgAtK', () => {
  it('is 1 for a perfect ranking', () => {
    expect(ndcgAtK(['a', 'b', 'c'], ['a', 'b'], 3)).toBe(1);
  });

  it('discounts a relevant document found lower down by log2(rank + 1)', () => {
    // One relevant document at rank 2: DCG = 1/log2(3), ideal = 1.
    expect(ndcgAtK(['x', 'a', 'y'], ['a'], 3)).toBeCloseTo(1 / Math.log2(3), 12);
    // Two relevant at ranks 1 and 3: DCG = 1 + 1/2; ideal = 1 + 1/log2(3).
    expect(ndcgAtK(['a', 'x', 'b'], ['a', 'b'], 3)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 12);
  });

  it('caps the ideal ranking at k when more documents are relevant than fit', () => {
    // Three relevant, k = 2, both slots relevant: a perfect top 2.
    expect(ndcgAtK(['a', 'b', 'x'], ['a', 'b', 'c'], 2)).toBe(1);
    // Relevant document below the cut-off counts nothing.
    expect(ndcgAtK(['x', 'y', 'a'], ['a'], 2)).toBe(0);
  });

  it('counts a repeated relevant document once', () => {
    expect(ndcgAtK(['a', 'a'], ['a', 'b'], 2)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
  });
});

describe('mean', () => {
  it('averages, and is 0 for no values', () => {
    expect(mean([1, 0, 0.5])).toBe(0.5);
    expect(mean([])).toBe(0);
  });
});

function hit(docId: string, source = docId): SearchHit {
  return {
    rank: 0,
    score: 0,
    chunk: {
      id: `${docId}#0`,
      docId,
      source,
      title: docId,
      headingPath: [],
      text: '',
      embedding: [],
      tags: [],
      updatedAt: '',
      contentHash: '',
      documentHash: '',
      ordinal: 0,
    },
  };
}

describe('rankDocuments', () => {
  it('ranks documents by their best passage and names them as the QA set does', () => {
    const hits = [
      hit('docs/a.md'),
      hit('docs/b.md'),
      hit('docs/a.md'),
      hit('guide', 'https://example.com/guide'),
      hit('docs/c.md'),
    ];
    expect(rankDocuments(hits, ['https://example.com/guide'])).toEqual([
      'docs/a.md',
      'docs/b.md',
      'https://example.com/guide',
      'docs/c.md',
    ]);
  });

  it('matches a relevant path that a doc id ends with, on a path boundary only', () => {
    const hits = [
      hit('test/fixtures/eval/x/pages/commands/npm-ci.md'),
      hit('test/fixtures/eval/x/pages/commands/xnpm-ci.md'),
    ];
    expect(rankDocuments(hits, ['commands/npm-ci.md'])).toEqual([
      'commands/npm-ci.md',
      'test/fixtures/eval/x/pages/commands/xnpm-ci.md',
    ]);
  });
});

describe('parseQaSet', () => {
  it('reads one question per line, skipping blank lines and tidying paths', () => {
    const items = parseQaSet(
      '{"question": "How do I start?", "relevant": ["./docs/a.md", "docs/a.md"]}\n\n{"question":"Why?","relevant":["docs/b.md"]}\n',
      'qa.jsonl',
    );
    expect(items).toEqual([
      { question: 'How do I start?', relevant: ['docs/a.md'], kind: 'keyword', line: 1 },
      { question: 'Why?', relevant: ['docs/b.md'], kind: 'keyword', line: 3 },
    ]);
  });

  it('reads kinds, reference answers and unanswerable questions', () => {
    const items = parseQaSet(
      [
        '{"question": "how do i reconcle", "kind": "paraphrase", "relevant": ["pages/reconcile.html"], "answer": "Use the Reconcile window."}',
        '{"question": "is there an android app", "kind": "unanswerable", "relevant": [], "answer": ""}',
      ].join('\n'),
      'qa.jsonl',
    );
    expect(items).toEqual([
      {
        question: 'how do i reconcle',
        kind: 'paraphrase',
        relevant: ['pages/reconcile.html'],
        answer: 'Use the Reconcile window.',
        line: 1,
      },
      { question: 'is there an android app', kind: 'unanswerable', relevant: [], line: 2 },
    ]);
  });

  it('reads an unanswerable question written without "relevant" (it names no page)', () => {
    expect(parseQaSet('{"question": "Can I pay with PayPal?", "kind": "unanswerable"}', 'qa.jsonl')).toEqual([
      { question: 'Can I pay with PayPal?', kind: 'unanswerable', relevant: [], line: 1 },
    ]);
  });

  it.each([
    ['{"question": "ok", "relevant": ["a"]}\n{not json}', /qa\.jsonl line 2 is not valid JSON/],
    ['{"question": "ok", "relevant": ["a"]}\n\n["a"]', /qa\.jsonl line 3 must be a JSON object/],
    ['{"question": "", "relevant": ["a"]}', /qa\.jsonl line 1: "question" must be a non-empty string/],
    [
      '{"question": "ok", "relevant": []}',
      /qa\.jsonl line 1: "relevant" must name at least one source path .* or set "kind": "unanswerable"/,
    ],
    [
      '{"question": "ok"}',
      /qa\.jsonl line 1: "relevant" must name at least one source path .* or set "kind": "unanswerable"/,
    ],
    [
      '{"question": "ok", "relevant": "docs/a.md"}',
      /qa\.jsonl line 1: "relevant" must be a list of source paths/,
    ],
    [
      '{"question": "ok", "relevant": ["a", 3]}',
      /qa\.jsonl line 1: "relevant" must be a list of source paths/,
    ],
    [
      '{"question": "ok", "kind": "vague", "relevant": ["a"]}',
      /qa\.jsonl line 1: "kind" must be one of keyword, paraphrase, multi, unanswerable/,
    ],
    [
      '{"question": "ok", "kind": "unanswerable", "relevant": ["a"]}',
      /qa\.jsonl line 1: an unanswerable question names no relevant pages/,
    ],
    ['\n\n', /qa\.jsonl holds no questions/],
  ])('rejects a bad file with the line at fault: %s', (text, message) => {
    let thrown: unknown;
    try {
      parseQaSet(text, 'qa.jsonl');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AnswerloopError);
    expect((thrown as AnswerloopError).code).toBe('input_invalid');
    expect((thrown as Error).message).toMatch(message);
  });
});
