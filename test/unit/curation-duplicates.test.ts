import { describe, expect, it } from 'vitest';
import { findDuplicates, jaccardSimilarity, wordTrigrams } from '../../src/core/curation/index.ts';

describe('word 3-gram Jaccard', () => {
  it('is 1 for the same words and 0 for unrelated texts', () => {
    expect(
      jaccardSimilarity(
        wordTrigrams('How do I reset my password'),
        wordTrigrams('how do I RESET my password!'),
      ),
    ).toBe(1);
    expect(
      jaccardSimilarity(
        wordTrigrams('How do I reset my password'),
        wordTrigrams('Where is the billing page'),
      ),
    ).toBe(0);
  });

  it('counts shared shingles over all distinct shingles', () => {
    // a b c d -> {abc, bcd}; a b c e -> {abc, bce}: 1 shared of 3.
    expect(jaccardSimilarity(wordTrigrams('a b c d'), wordTrigrams('a b c e'))).toBeCloseTo(1 / 3);
  });
});

describe('findDuplicates', () => {
  const answer =
    'Open Settings, choose Security, then click Reset password and follow the link we email you.';

  it('drops exact duplicates regardless of case and spacing, keeping the first', () => {
    const report = findDuplicates(
      [
        { id: 'first', question: 'How do I reset my password?', answer },
        { id: 'second', question: 'how do I  reset my password?', answer: answer.toUpperCase() },
      ],
      0.9,
    );
    expect(report.keptIds).toEqual(['first']);
    expect(report.dropped).toEqual([{ id: 'second', duplicateOf: 'first', kind: 'exact', similarity: 1 }]);
  });

  it('drops near duplicates at or above the threshold and keeps those below', () => {
    const candidates = [
      { id: 'a', question: 'How do I reset my password in the web app?', answer },
      { id: 'b', question: 'How do I reset my password in the web app today?', answer },
      {
        id: 'c',
        question: 'How do I export my invoices as PDF?',
        answer: 'Go to Billing, pick a month and click Download PDF.',
      },
    ];
    const strict = findDuplicates(candidates, 0.8);
    expect(strict.keptIds).toEqual(['a', 'c']);
    expect(strict.dropped[0]).toMatchObject({ id: 'b', duplicateOf: 'a', kind: 'near' });
    expect(strict.dropped[0]?.similarity).toBeGreaterThanOrEqual(0.8);

    const lenient = findDuplicates(candidates, 0.99);
    expect(lenient.keptIds).toEqual(['a', 'b', 'c']);
  });

  it('turns near-duplicate detection off above 1 but still drops exact copies', () => {
    const report = findDuplicates(
      [
        { id: 'a', question: 'q one two three', answer: 'x' },
        { id: 'b', question: 'q one two three', answer: 'x' },
      ],
      1.1,
    );
    expect(report.keptIds).toEqual(['a']);
  });
});
