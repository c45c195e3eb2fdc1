import { describe, expect, it } from 'vitest';
import { bm25Query } from '../../src/core/adapters/elasticsearch/leg-search.ts';

describe("the Elasticsearch BM25 leg's query", () => {
  it('combined: one BM25 over the fields, weights scaled so the smallest is 1, zero-boosted fields left out', () => {
    expect(bm25Query('reset password', { title: 2, headings: 1.5, text: 1 }, 'combined')).toEqual({
      combined_fields: { query: 'reset password', fields: ['title^2', 'headings^1.5', 'text^1'] },
    });
    expect(bm25Query('reset password', { title: 1, headings: 0, text: 0.5 }, 'combined')).toEqual({
      combined_fields: { query: 'reset password', fields: ['title^2', 'text^1'] },
    });
  });

  it('best: the best field plus 0.3 of the others, boosts as given', () => {
    expect(bm25Query('reset password', { title: 2, headings: 1.5, text: 0.5 }, 'best')).toEqual({
      multi_match: {
        query: 'reset password',
        fields: ['title^2', 'headings^1.5', 'text^0.5'],
        type: 'best_fields',
        tie_breaker: 0.3,
      },
    });
  });

  it('has no query when every field is boosted to zero', () => {
    expect(bm25Query('reset', { title: 0, headings: 0, text: 0 }, 'combined')).toBeUndefined();
    expect(bm25Query('reset', { title: 0, headings: 0, text: 0 }, 'best')).toBeUndefined();
  });
});
