import { Client } from '@elastic/elasticsearch';
import { indexNames } from '../src/core/adapters/elasticsearch/index-names.ts';
import type { Config } from '../src/core/index.ts';
import type { SearchMode } from '../src/core/retrieval/index.ts';
import {
  type BenchStore,
  benchIndexPrefix,
  openElasticsearchBenchStore,
  openSqliteBenchStore,
  syntheticSpace,
} from './bench-stores.ts';
import { benchK, type ModeLatency, measureSearchLatency } from './search-latency.ts';
import { createTwinIndex, type IngestionFigures, ingestThroughPort, plainBulk } from './store-ingestion.ts';
import { corpusSize, type SyntheticQuery, syntheticQueries } from './synthetic-corpus.ts';

export const allModes: SearchMode[] = ['hybrid', 'bm25', 'vector'];

export interface LatencyAtSize {
  store: 'sqlite' | 'elasticsearch';
  chunks: number;
  documents: number;
  queries: number;
  modes: ModeLatency[];
  /** Elasticsearch: Lucene segments of the index when it was searched (more segments, slower kNN). */
  segments?: number;
  /** SQLite: 'index' (the store as shipped) or 'exact scan' (every vector compared, the earlier method). */
  method?: 'index' | 'exact scan';
  /** SQLite index rows: the share of the exact scan's vector top 10 that the index returned, over the queries. */
  vectorRecallAt10VsExact?: number;
}

export interface IngestionResult extends IngestionFigures {
  store: 'sqlite' | 'elasticsearch';
  /** 'port': replaceDocument per document, knowledge.writeConcurrency at a time, as `answerloop ingest` writes; 'plain _bulk': the baseline. */
  method: string;
}

export interface StorePlan {
  sizes: number[];
  queries: number;
  warmup: number;
  /** Elasticsearch: grow the index through the port up to this many chunks; beyond, fill it with plain _bulk. */
  portIngestUpTo: number;
}

export interface StoreBenchmarkResult {
  latency: LatencyAtSize[];
  ingestion: IngestionResult[];
  /** Elasticsearch: the store's ingestion throughput as a share of plain _bulk on the same documents. */
  bulkRatio?: number;
}

/** Queries for a corpus size: the same seed and size give the same queries in every run and for every system. */
export function queriesFor(
  chunks: number,
  count: number,
): { documents: number; chunks: number; queries: SyntheticQuery[] } {
  const size = corpusSize(chunks);
  return { ...size, queries: syntheticQueries(count, size.documents) };
}

async function latencyAt(
  bench: BenchStore,
  config: Config,
  size: number,
  plan: StorePlan,
  log: (line: string) => void,
): Promise<LatencyAtSize> {
  const { documents, chunks, queries } = queriesFor(size, plan.queries);
  log(`  ${bench.name}: ${plan.queries} queries x ${allModes.length} modes at ${chunks} chunks`);
  const modes = await measureSearchLatency(bench.store, queries, {
    modes: allModes,
    settings: config.retrieval,
    warmup: plan.warmup,
  });
  return { store: bench.name, chunks, documents, queries: queries.length, modes };
}

export async function segmentCount(client: Client, index: string): Promise<number | undefined> {
  const stats = await client.indices.stats({ index, metric: 'segments' });
  return stats._all.primaries?.segments?.count;
}

/**
 * How much of the exact scan's vector top 10 the index returns, over the queries: the price of not comparing
 * every vector.
 */
async function vectorAgreement(
  indexed: BenchStore['store'],
  exact: BenchStore['store'],
  queries: SyntheticQuery[],
): Promise<number> {
  let agreed = 0;
  let total = 0;
  for (const query of queries) {
    const request = {
      vector: query.vector,
      k: benchK,
      numCandidates: 100,
      filters: {},
      boosts: { title: 1, headings: 1, text: 1 },
    };
    const [fast, reference] = [await indexed.searchLegs(request), await exact.searchLegs(request)];
    const wanted = new Set(reference.vector.map((hit) => hit.chunk.id));
    agreed += fast.vector.filter((hit) => wanted.has(hit.chunk.id)).length;
    total += wanted.size;
  }
  return total > 0 ? agreed / total : 1;
}

/**
 * The embedded store: ingestion through the port at every size, then latency at that size, with the vector index
 * as shipped and, on the same file, with the exact scan of every vector (the earlier method) side by side.
 */
export async function benchmarkSqlite(
  config: Config,
  plan: StorePlan,
  log: (line: string) => void,
): Promise<StoreBenchmarkResult> {
  const bench = openSqliteBenchStore();
  const exact = openSqliteBenchStore({
    file: bench.file,
    vectorIndex: { exactUpTo: Number.POSITIVE_INFINITY },
  });
  const result: StoreBenchmarkResult = { latency: [], ingestion: [] };
  try {
    await bench.store.init(syntheticSpace);
    let nextDocument = 0;
    let ingested = { chunks: 0, documents: 0, ms: 0 };
    for (const size of plan.sizes) {
      log(`  sqlite: ingesting up to ${size} chunks`);
      const step = await ingestThroughPort(bench.store, size, {
        from: nextDocument,
        concurrency: config.knowledge.writeConcurrency,
      });
      nextDocument = step.nextDocument;
      ingested = {
        chunks: ingested.chunks + step.chunks,
        documents: ingested.documents + step.documents,
        ms: ingested.ms + step.ms,
      };
      const { queries } = queriesFor(size, plan.queries);
      result.latency.push({
        ...(await latencyAt(bench, config, size, plan, log)),
        method: 'index',
        vectorRecallAt10VsExact: await vectorAgreement(bench.store, exact.store, queries),
      });
      result.latency.push({
        ...(await latencyAt({ ...exact, name: 'sqlite' }, config, size, plan, log)),
        method: 'exact scan',
      });
    }
    result.ingestion.push({
      store: 'sqlite',
      method: 'port',
      ...ingested,
      chunksPerSecond: (ingested.chunks / ingested.ms) * 1000,
    });
  } finally {
    await exact.store.close();
    await bench.dispose();
  }
  return result;
}

/**
 * Elasticsearch: first the plain _bulk baseline into a twin of the store's index (same mapping and analysis),
 * then the store's own ingestion through the port, then latency at each size. Sizes beyond `portIngestUpTo` are
 * filled with plain _bulk into the store's index, so the full run stays within minutes.
 */
export async function benchmarkElasticsearch(
  config: Config,
  url: string,
  plan: StorePlan,
  log: (line: string) => void,
  /** Runs after the latency at each size is measured, e.g. the peer at the same size, before the index grows. */
  afterSize?: (size: number) => Promise<void>,
): Promise<StoreBenchmarkResult> {
  const prefix = benchIndexPrefix('store');
  const bench = openElasticsearchBenchStore(config, url, prefix);
  const client = new Client({ node: url, requestTimeout: 120_000 });
  const alias = indexNames(prefix).chunks.alias;
  const result: StoreBenchmarkResult = { latency: [], ingestion: [] };
  try {
    await bench.store.init(syntheticSpace);
    const ingestTarget = Math.min(plan.portIngestUpTo, Math.max(...plan.sizes));
    const twin = `${prefix}-plain-bulk`;
    await createTwinIndex(client, alias, twin);
    log(`  elasticsearch: plain _bulk of ${ingestTarget} chunks (the baseline)`);
    const baseline = await plainBulk(client, twin, ingestTarget, {
      from: 0,
      batchSize: config.store.elasticsearch.bulkSize,
    });
    await client.indices.delete({ index: twin });
    result.ingestion.push({ store: 'elasticsearch', method: 'plain _bulk', ...baseline });

    let nextDocument = 0;
    let ingested = { chunks: 0, documents: 0, ms: 0 };
    let filled = { chunks: 0, documents: 0, ms: 0 };
    for (const size of plan.sizes) {
      if (size <= plan.portIngestUpTo) {
        log(`  elasticsearch: ingesting up to ${size} chunks through the store`);
        const step = await ingestThroughPort(bench.store, size, {
          from: nextDocument,
          concurrency: config.knowledge.writeConcurrency,
        });
        nextDocument = step.nextDocument;
        ingested = {
          chunks: ingested.chunks + step.chunks,
          documents: ingested.documents + step.documents,
          ms: ingested.ms + step.ms,
        };
      } else {
        log(`  elasticsearch: filling up to ${size} chunks with plain _bulk`);
        const step = await plainBulk(client, alias, size, {
          from: nextDocument,
          batchSize: config.store.elasticsearch.bulkSize,
        });
        nextDocument = corpusSize(size).documents;
        filled = {
          chunks: filled.chunks + step.chunks,
          documents: filled.documents + step.documents,
          ms: filled.ms + step.ms,
        };
      }
      result.latency.push({
        ...(await latencyAt(bench, config, size, plan, log)),
        segments: await segmentCount(client, alias),
      });
      await afterSize?.(size);
    }
    result.ingestion.push({
      store: 'elasticsearch',
      method: 'port',
      ...ingested,
      chunksPerSecond: (ingested.chunks / ingested.ms) * 1000,
    });
    if (filled.chunks > 0)
      result.ingestion.push({
        store: 'elasticsearch',
        method: 'plain _bulk fill',
        ...filled,
        chunksPerSecond: (filled.chunks / filled.ms) * 1000,
      });
    result.bulkRatio = ((ingested.chunks / ingested.ms) * 1000) / baseline.chunksPerSecond;
  } finally {
    await client.close();
    await bench.dispose();
  }
  return result;
}
