import { InputError } from '../errors/index.ts';
import type { ChunkStore, Embedder, SearchFilters } from '../ports/index.ts';
import { fillerWords } from './filler-words.ts';
import { convexScoreFusion, type ScoreNormalisation } from './convex-score-fusion.ts';
import { type FusedHit, reciprocalRankFusion } from './reciprocal-rank-fusion.ts';

export type SearchMode = 'hybrid' | 'bm25' | 'vector';

export interface SearchOptions {
  k?: number;
  mode?: SearchMode;
  filters?: SearchFilters;
}

export interface SearchHit {
  /** 1-based position in the result. */
  rank: number;
  /** Fused score in hybrid mode; the leg's raw score otherwise. */
  score: number;
  chunk: FusedHit['chunk'];
  bm25Rank?: number;
  vectorRank?: number;
  bm25Score?: number;
  vectorScore?: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** How many query terms BM25 saw, to normalise its raw score. */
  queryTerms: number;
  engineTookMs?: number;
  /** Milliseconds spent embedding the query. */
  embedMs: number;
  /** Raw per-leg evidence before fusion and the relevance floor: what the answerability score reads. */
  evidence: LegEvidence;
  /** The query's embedding, when the vector leg ran. */
  queryVector?: number[];
}

export interface LegEvidence {
  /** The best raw scores of each leg, best first (at most ten). */
  bm25: number[];
  vector: number[];
  /** The document each leg put first. */
  bm25TopDoc?: string;
  vectorTopDoc?: string;
}

export interface RetrievalSettings {
  k: number;
  candidates: number;
  numCandidates: number;
  /** How the two legs are fused: convex combination of normalised scores, or reciprocal rank fusion. */
  fusion: 'convex' | 'rrf';
  convex: { vectorWeight: number; normalisation: ScoreNormalisation };
  rrfK: number;
  weights: { bm25: number; vector: number };
  boosts: { title: number; headings: number; text: number };
  minBm25PerTerm: number;
  minCosine: number;
  /** Hybrid mode with convex fusion: what a fused score loses per doubling of its page's passage count (0: nothing). */
  pageLengthPenalty?: number;
}

export interface SearchDependencies {
  store: ChunkStore;
  embedder: Embedder;
  settings: RetrievalSettings;
}

/** Content words of the query: a count used only to normalise BM25 scores across query lengths. */
export function countQueryTerms(query: string): number {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  return Math.max(1, words.filter((word) => !fillerWords.has(word)).length);
}

/**
 * A long page (a reference of every option, a changelog) has many passages, so one of them matches almost any
 * question a little; the short page about the question has one chance. Each fused score loses `penalty` per doubling
 * of its page's passage count (a one-passage page loses nothing). Ties keep the fused order. When the store cannot
 * count, the fused order stands.
 */
async function penaliseLongPages<Hit extends { chunk: FusedHit['chunk']; score: number }>(
  hits: Hit[],
  penalty: number,
  store: ChunkStore,
): Promise<Hit[]> {
  let counts: Map<string, number>;
  try {
    counts = await store.passageCounts([...new Set(hits.map((hit) => hit.chunk.docId))]);
  } catch {
    return hits;
  }
  const penalised = hits.map((hit, order) => ({
    hit: { ...hit, score: hit.score - penalty * Math.log2(Math.max(1, counts.get(hit.chunk.docId) ?? 1)) },
    order,
  }));
  penalised.sort((a, b) => b.hit.score - a.hit.score || a.order - b.order);
  return penalised.map(({ hit }) => hit);
}

/**
 * Hybrid retrieval: BM25 and kNN run in the store (one round trip where it can), then fusion in our code
 * (convex combination of normalised scores by default, or reciprocal rank fusion), so every Elasticsearch 8.x node and the embedded store behave alike.
 * A hit survives the relevance floor when either leg's raw evidence clears its threshold.
 */
export async function search(
  query: string,
  options: SearchOptions,
  dependencies: SearchDependencies,
): Promise<SearchResult> {
  const text = query.trim();
  if (!text) throw new InputError('The search query is empty: type a few words to search for.');
  const { store, embedder, settings } = dependencies;
  const mode = options.mode ?? 'hybrid';
  const k = options.k ?? settings.k;
  const legK = Math.max(k, settings.candidates);

  const embedStart = performance.now();
  const vector = mode === 'bm25' ? undefined : (await embedder.embed([text], { purpose: 'query' }))[0];
  const embedMs = performance.now() - embedStart;

  const legs = await store.searchLegs({
    text: mode === 'vector' ? undefined : text,
    vector,
    k: legK,
    numCandidates: Math.max(settings.numCandidates, legK),
    filters: options.filters ?? {},
    boosts: settings.boosts,
  });
  const queryTerms = countQueryTerms(text);
  const passes = (hit: { bm25Score?: number; vectorScore?: number }) => {
    if (settings.minBm25PerTerm <= 0 && settings.minCosine <= 0) return true;
    const bm25Ok = hit.bm25Score !== undefined && hit.bm25Score / queryTerms >= settings.minBm25PerTerm;
    const vectorOk = hit.vectorScore !== undefined && hit.vectorScore >= settings.minCosine;
    return bm25Ok || vectorOk;
  };

  let hits: Omit<SearchHit, 'rank'>[];
  if (mode === 'hybrid') {
    hits =
      settings.fusion === 'convex'
        ? convexScoreFusion(legs.bm25, legs.vector, settings.convex)
        : reciprocalRankFusion(legs.bm25, legs.vector, { rrfK: settings.rrfK, weights: settings.weights });
    // Scaled for convex scores (0..1); rank fusion's scores are a hundred times smaller.
    if (settings.fusion === 'convex' && (settings.pageLengthPenalty ?? 0) > 0 && hits.length > 1)
      hits = await penaliseLongPages(hits, settings.pageLengthPenalty!, store);
  } else if (mode === 'bm25') {
    hits = legs.bm25.map((hit, index) => ({
      chunk: hit.chunk,
      score: hit.score,
      bm25Rank: index + 1,
      bm25Score: hit.score,
    }));
  } else {
    hits = legs.vector.map((hit, index) => ({
      chunk: hit.chunk,
      score: hit.score,
      vectorRank: index + 1,
      vectorScore: hit.score,
    }));
  }
  const evidence: LegEvidence = {
    bm25: legs.bm25.slice(0, 10).map((hit) => hit.score),
    vector: legs.vector.slice(0, 10).map((hit) => hit.score),
    ...(legs.bm25[0] ? { bm25TopDoc: legs.bm25[0].chunk.docId } : {}),
    ...(legs.vector[0] ? { vectorTopDoc: legs.vector[0].chunk.docId } : {}),
  };
  return {
    evidence,
    ...(vector ? { queryVector: vector } : {}),
    hits: hits
      .filter(passes)
      .slice(0, k)
      .map((hit, index) => ({ ...hit, rank: index + 1 })),
    queryTerms,
    engineTookMs: legs.engineTookMs,
    embedMs,
  };
}
