import { describe, expect, it } from 'vitest';
import { missedByCause } from '../../bench/missed-by-cause.ts';
import type { AnswerOutcome } from '../../src/core/evaluation/answer-quality.ts';

const outcome = (question: string, fields: Partial<AnswerOutcome>): AnswerOutcome => ({
  question,
  kind: 'keyword',
  relevant: ['page.html'],
  answer: '',
  refused: false,
  confidence: 0.5,
  uncertain: false,
  citedRelevant: [],
  cited: [],
  similarity: null,
  ...fields,
});

describe('missedByCause', () => {
  it('names the first cause of each miss, from retrieval to the answer, and leaves right answers out', () => {
    const answers = [
      outcome('right', { citedRelevant: ['page.html'], cited: ['page.html'] }),
      outcome('right though ranked low', { citedRelevant: ['page.html'] }),
      outcome('nowhere', { refused: true }),
      outcome('one leg', {}),
      outcome('refused', { refused: true, confidence: 0.1 }),
      outcome('other page', { cited: ['other.html'] }),
      outcome('unknown asked', { kind: 'unanswerable', relevant: [] }),
      outcome('unknown refused', { kind: 'unanswerable', relevant: [], refused: true }),
    ];
    const ranks = (entries: Array<[string, number | null]>) => new Map(entries);
    const result = missedByCause(
      answers,
      {
        hybrid: ranks([
          ['right', 1],
          ['right though ranked low', 7],
          ['nowhere', null],
          ['one leg', 6],
          ['refused', 2],
          ['other page', 3],
        ]),
        bm25: ranks([
          ['nowhere', 9],
          ['one leg', 4],
        ]),
        vector: ranks([['nowhere', null]]),
      },
      5,
    );
    expect(result.questions.map((missed) => [missed.question, missed.cause])).toEqual([
      ['nowhere', 'neither leg finds the page'],
      ['one leg', 'fusion loses the page'],
      ['refused', 'refused though found'],
      ['other page', 'cited another page'],
      ['unknown asked', 'unanswerable answered'],
    ]);
    expect(result.counts).toEqual({
      'neither leg finds the page': 1,
      'fusion loses the page': 1,
      'refused though found': 1,
      'cited another page': 1,
      'unanswerable answered': 1,
    });
    expect([result.answerable, result.unanswerable]).toEqual([6, 2]);
    expect(result.questions[1]!.ranks).toEqual({ hybrid: 6, bm25: 4, vector: null });
  });
});
