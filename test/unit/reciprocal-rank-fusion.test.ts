import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from '../../src/core/retrieval/reciprocal-rank-fusion.ts';
import type { Chunk, LegHit } from '../../src/core/index.ts';

const chunk = (id: string): Chunk => ({
  id,
  docId: id.split('#')[0] ?? id,
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
const hits = (...ids: string[]): LegHit[] =>
  ids.map((id, index) => ({ chunk: chunk(id), score: 10 - index }));

describe('reciprocalRankFusion', () => {
  it('ranks a chunk found by both legs above chunks found by one', () => {
    const fused = reciprocalRankFusion(hits('a', 'b'), hits('c', 'b'), {
      rrfK: 60,
      weights: { bm25: 1, vector: 1 },
    });
    expect(fused.map((hit) => hit.chunk.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0]).toMatchObject({ bm25Rank: 2, vectorRank: 2, bm25Score: 9, vectorScore: 9 });
    expect(fused[0]?.fusedScore).toBeCloseTo(2 / 62);
  });

  it('lets the heavier leg win a tie of ranks', () => {
    const fused = reciprocalRankFusion(hits('a'), hits('b'), { rrfK: 60, weights: { bm25: 1, vector: 1.5 } });
    expect(fused.map((hit) => hit.chunk.id)).toEqual(['b', 'a']);
  });

  it('is deterministic when scores tie exactly', () => {
    const fused = reciprocalRankFusion(hits('z'), hits('y'), { rrfK: 60, weights: { bm25: 1, vector: 1 } });
    expect(fused.map((hit) => hit.chunk.id)).toEqual(['y', 'z']);
  });

  it('returns nothing for two empty legs', () => {
    expect(reciprocalRankFusion([], [], { rrfK: 60, weights: { bm25: 1, vector: 1 } })).toEqual([]);
  });
});
