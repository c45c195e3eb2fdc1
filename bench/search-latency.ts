import { search, type RetrievalSettings, type SearchMode } from '../src/core/retrieval/index.ts';
import { mean, reciprocalRank } from '../src/core/retrieval/retrieval-evaluation.ts';
import type { ChunkStore } from '../src/core/index.ts';
import { createPrecomputedEmbedder } from './bench-stores.ts';
import { type LatencySummary, summarise } from './latency-summary.ts';
import type { SyntheticQuery } from './synthetic-corpus.ts';

/** Passages each benchmark query asks for: Recall@5 and MRR@10 are read from the same results. */
export const benchK = 10;

export interface QualityFigures {
  /** Share of queries whose target chunk is in the top 5. */
  recallAt5: number;
  /** Mean reciprocal rank of the target chunk in the top 10 (0 when absent). */
  mrrAt10: number;
}

export interface ModeLatency extends QualityFigures {
  mode: SearchMode;
  /** Wall time of core search, from query in to fused hits out. */
  wall: LatencySummary;
  /** The engine's own time (Elasticsearch `took`), when it reports one. */
  engine?: LatencySummary;
  /** Wall time minus the engine's time, per query: what our code, the client and the network add. */
  overhead?: LatencySummary;
}

/** Scores one ranking of chunk ids against the query's known answer. */
export function scoreRanking(
  rankedChunkIds: string[],
  targetChunkId: string,
): { hitAt5: number; reciprocalRank: number } {
  return {
    hitAt5: rankedChunkIds.slice(0, 5).includes(targetChunkId) ? 1 : 0,
    reciprocalRank: reciprocalRank(rankedChunkIds.slice(0, benchK), [targetChunkId]),
  };
}

export function qualityOf(scores: Array<{ hitAt5: number; reciprocalRank: number }>): QualityFigures {
  return {
    recallAt5: mean(scores.map((score) => score.hitAt5)),
    mrrAt10: mean(scores.map((score) => score.reciprocalRank)),
  };
}

/**
 * Runs every query through core search (BM25 and kNN legs in the store, fusion in our code) one at a time, after
 * a few warm-up queries, and reports latency percentiles and how often the known answer came back.
 */
export async function measureSearchLatency(
  store: ChunkStore,
  queries: SyntheticQuery[],
  options: { modes: SearchMode[]; settings: RetrievalSettings; warmup: number },
): Promise<ModeLatency[]> {
  const embedder = createPrecomputedEmbedder(new Map(queries.map((query) => [query.text, query.vector])));
  const dependencies = { store, embedder, settings: options.settings };
  const results: ModeLatency[] = [];
  for (const mode of options.modes) {
    for (const query of queries.slice(0, options.warmup))
      await search(query.text, { mode, k: benchK }, dependencies);
    const wall: number[] = [];
    const engine: number[] = [];
    const overhead: number[] = [];
    const scores: Array<{ hitAt5: number; reciprocalRank: number }> = [];
    for (const query of queries) {
      const started = performance.now();
      const result = await search(query.text, { mode, k: benchK }, dependencies);
      const elapsed = performance.now() - started;
      wall.push(elapsed);
      if (result.engineTookMs !== undefined) {
        engine.push(result.engineTookMs);
        overhead.push(elapsed - result.engineTookMs);
      }
      scores.push(
        scoreRanking(
          result.hits.map((hit) => hit.chunk.id),
          query.targetChunkId,
        ),
      );
    }
    results.push({
      mode,
      wall: summarise(wall),
      ...(engine.length === queries.length
        ? { engine: summarise(engine), overhead: summarise(overhead) }
        : {}),
      ...qualityOf(scores),
    });
  }
  return results;
}
