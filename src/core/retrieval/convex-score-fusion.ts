import type { LegHit } from '../ports/index.ts';
import { type FusedHit, rankFused } from './reciprocal-rank-fusion.ts';

export type ScoreNormalisation = 'min-max' | 'theoretical-min';

export interface ConvexFusionOptions {
  /** Weight of the vector leg in 0..1; BM25 gets the rest. */
  vectorWeight: number;
  normalisation: ScoreNormalisation;
}

/**
 * The lowest score each leg can give: BM25 never goes below 0 and cosine similarity never below -1. Used by the
 * theoretical-minimum normalisation, which keeps a weak query's scores low instead of stretching them to 0..1.
 */
const theoreticalMinimum = { bm25: 0, vector: -1 } as const;

function normaliser(
  hits: LegHit[],
  leg: 'bm25' | 'vector',
  normalisation: ScoreNormalisation,
): (score: number) => number {
  if (hits.length === 0) return () => 0;
  const scores = hits.map((hit) => hit.score);
  const top = Math.max(...scores);
  const bottom =
    normalisation === 'min-max' ? Math.min(...scores) : Math.min(theoreticalMinimum[leg], ...scores);
  const range = top - bottom;
  // One hit (or all equal): it is the best this leg found, so it counts fully.
  if (range <= 0) return () => 1;
  return (score) => (score - bottom) / range;
}

/**
 * Convex combination of normalised leg scores: score(d) = a * norm(cosine) + (1 - a) * norm(bm25), a chunk
 * missing from a leg scoring that leg's minimum (0). Unlike rank fusion it keeps how far apart the hits are, and
 * normalising per query makes Elasticsearch's and FTS5's BM25 scales equivalent. Ties break by the better single-leg
 * rank, then by chunk id, so the order is deterministic. One function serves every store.
 */
export function convexScoreFusion(
  bm25: LegHit[],
  vector: LegHit[],
  options: ConvexFusionOptions,
): FusedHit[] {
  const weight = Math.min(1, Math.max(0, options.vectorWeight));
  const byId = new Map<string, FusedHit>();
  const add = (hits: LegHit[], leg: 'bm25' | 'vector', legWeight: number) => {
    const normalise = normaliser(hits, leg, options.normalisation);
    hits.forEach((hit, index) => {
      const entry = byId.get(hit.chunk.id) ?? { chunk: hit.chunk, score: 0, fusedScore: 0 };
      entry.fusedScore += legWeight * normalise(hit.score);
      if (leg === 'bm25') {
        entry.bm25Rank = index + 1;
        entry.bm25Score = hit.score;
      } else {
        entry.vectorRank = index + 1;
        entry.vectorScore = hit.score;
      }
      byId.set(hit.chunk.id, entry);
    });
  };
  add(bm25, 'bm25', 1 - weight);
  add(vector, 'vector', weight);
  return rankFused([...byId.values()]);
}
