import type { SearchHit } from '../retrieval/index.ts';

/**
 * The previous, hand-set confidence, kept as the baseline that `npm run eval` prints beside the answerability
 * score (answerability.ts), which replaced it in ask(). How well the retrieved passages support an answer, in 0..1, from the raw per-leg evidence (fused RRF
 * scores encode ranks only and cannot tell answerable from unanswerable questions). BM25 is normalised by
 * query length; cosine is mapped from the range where unrelated and related text usually fall.
 */
export function retrievalConfidence(hits: SearchHit[], queryTerms: number): number {
  if (hits.length === 0) return 0;
  const topBm25 = Math.max(0, ...hits.map((hit) => hit.bm25Score ?? 0));
  const topCosine = Math.max(-1, ...hits.map((hit) => hit.vectorScore ?? -1));
  const bm25Evidence = clamp(topBm25 / Math.max(1, queryTerms) / 2.5);
  const vectorEvidence = clamp((topCosine - 0.15) / 0.45);
  return round(Math.max(bm25Evidence, vectorEvidence));
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
