import type { LegHit } from '../ports/index.ts';

export interface FusedHit extends LegHit {
  /** Weighted reciprocal-rank score. */
  fusedScore: number;
  /** 1-based rank in each leg, when the chunk was found there. */
  bm25Rank?: number;
  vectorRank?: number;
  bm25Score?: number;
  vectorScore?: number;
}

export interface FusionOptions {
  /** The RRF constant: larger values flatten the advantage of the top ranks. */
  rrfK: number;
  weights: { bm25: number; vector: number };
}

/**
 * Weighted reciprocal rank fusion: score(d) = sum over legs of weight / (rrfK + rank).
 * Ties are broken by the better single-leg rank, then by chunk id, so the order is deterministic.
 * One function serves every store.
 */
export function reciprocalRankFusion(bm25: LegHit[], vector: LegHit[], options: FusionOptions): FusedHit[] {
  const byId = new Map<string, FusedHit>();
  const add = (hits: LegHit[], leg: 'bm25' | 'vector') => {
    hits.forEach((hit, index) => {
      const rank = index + 1;
      const entry = byId.get(hit.chunk.id) ?? { chunk: hit.chunk, score: 0, fusedScore: 0 };
      entry.fusedScore += options.weights[leg] / (options.rrfK + rank);
      if (leg === 'bm25') {
        entry.bm25Rank = rank;
        entry.bm25Score = hit.score;
      } else {
        entry.vectorRank = rank;
        entry.vectorScore = hit.score;
      }
      byId.set(hit.chunk.id, entry);
    });
  };
  add(bm25, 'bm25');
  add(vector, 'vector');
  return rankFused([...byId.values()]);
}

/**
 * Best fused score first; ties broken by the better single-leg rank, then by chunk id, so the order is
 * deterministic. Shared by every fusion function.
 */
export function rankFused(hits: FusedHit[]): FusedHit[] {
  const bestRank = (hit: FusedHit) => Math.min(hit.bm25Rank ?? Infinity, hit.vectorRank ?? Infinity);
  return hits
    .map((hit) => ({ ...hit, score: hit.fusedScore }))
    .sort(
      (a, b) =>
        b.fusedScore - a.fusedScore ||
        bestRank(a) - bestRank(b) ||
        (a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0),
    );
}
