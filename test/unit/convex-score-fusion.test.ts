import { describe, expect, it } from 'vitest';
import { convexScoreFusion } from '../../src/core/retrieval/convex-score-fusion.ts';
import type { Chunk, LegHit } from '../../src/core/index.ts';

const chunk = (id: string): Chunk => ({
  id,
  docId: id,
  source: `${id}.md`,
  title: id,
  headingPath: [],
  text: id,
  embedding: [],
  tags: [],
  updatedAt: '2026-01-01T00:00:00.000Z',
  contentHash: id,
  documentHash: id,
  ordinal: 0,
});
const scored = (...pairs: Array<[string, number]>): LegHit[] =>
  pairs.map(([id, score]) => ({ chunk: chunk(id), score }));

describe('convexScoreFusion', () => {
  it('keeps how far apart the hits are: a clear vector winner beats a chunk two legs rank second', () => {
    const bm25 = scored(['a', 10], ['b', 9.8], ['c', 1]);
    const vector = scored(['d', 0.9], ['b', 0.4], ['c', 0.35]);
    const fused = convexScoreFusion(bm25, vector, { vectorWeight: 0.7, normalisation: 'min-max' });
    // Rank fusion would put b first (second in both legs); its cosine is far below d's.
    expect(fused.map((hit) => hit.chunk.id)).toEqual(['d', 'b', 'a', 'c']);
    expect(fused[1]).toMatchObject({ bm25Rank: 2, vectorRank: 2, bm25Score: 9.8, vectorScore: 0.4 });
  });

  it('weighs the legs by the vector weight', () => {
    const bm25 = scored(['a', 5], ['b', 1]);
    const vector = scored(['b', 0.8], ['a', 0.2]);
    expect(
      convexScoreFusion(bm25, vector, { vectorWeight: 0.9, normalisation: 'min-max' })[0]!.chunk.id,
    ).toBe('b');
    expect(
      convexScoreFusion(bm25, vector, { vectorWeight: 0.1, normalisation: 'min-max' })[0]!.chunk.id,
    ).toBe('a');
  });

  it('gives the same order whatever the scale of BM25 scores (Elasticsearch and FTS5 differ)', () => {
    const vector = scored(['a', 0.6], ['b', 0.55], ['c', 0.3]);
    const small = convexScoreFusion(scored(['c', 2], ['b', 1.5], ['a', 0.5]), vector, {
      vectorWeight: 0.6,
      normalisation: 'min-max',
    });
    const large = convexScoreFusion(scored(['c', 20], ['b', 15], ['a', 5]), vector, {
      vectorWeight: 0.6,
      normalisation: 'min-max',
    });
    expect(large.map((hit) => hit.chunk.id)).toEqual(small.map((hit) => hit.chunk.id));
  });

  it('theoretical-min normalisation keeps weak cosines low instead of stretching them', () => {
    const vector = scored(['a', 0.2], ['b', 0.1]);
    const minMax = convexScoreFusion([], vector, { vectorWeight: 1, normalisation: 'min-max' });
    const theoretical = convexScoreFusion([], vector, { vectorWeight: 1, normalisation: 'theoretical-min' });
    expect(minMax.map((hit) => hit.score)).toEqual([1, 0]);
    expect(theoretical[1]!.score).toBeCloseTo((0.1 + 1) / (0.2 + 1));
  });

  it('is deterministic on ties and empty for empty legs', () => {
    const fused = convexScoreFusion(scored(['z', 1]), scored(['y', 1]), {
      vectorWeight: 0.5,
      normalisation: 'min-max',
    });
    expect(fused.map((hit) => hit.chunk.id)).toEqual(['y', 'z']);
    expect(convexScoreFusion([], [], { vectorWeight: 0.5, normalisation: 'min-max' })).toEqual([]);
  });
});
