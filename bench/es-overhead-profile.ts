/**
 * `node --import tsx bench/es-overhead-profile.ts [chunks]`: where answerloop's time over Elasticsearch's `took`
 * goes in a hybrid search. The same queries, interleaved so that load on the machine hits every method alike:
 * core search (both legs and the fusion), the store's `_msearch` alone, the same request body sent with plain
 * fetch (HTTP and JSON only), and fetch with the response trimmed by `filter_path`. Prints p50 / p95 of the wall
 * time minus `took` for each, and the size and parse time of the response.
 */
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { loadConfig } from '../src/core/index.ts';
import { search } from '../src/core/retrieval/hybrid-search.ts';
import { indexNames } from '../src/core/adapters/elasticsearch/index-names.ts';
import { withoutEmbedding } from '../src/core/adapters/elasticsearch/chunk-documents.ts';
import {
  benchIndexPrefix,
  createPrecomputedEmbedder,
  openElasticsearchBenchStore,
  syntheticSpace,
} from './bench-stores.ts';
import { ingestThroughPort } from './store-ingestion.ts';
import { queriesFor } from './store-benchmarks.ts';
import { bm25Query } from '../src/core/adapters/elasticsearch/leg-search.ts';

const url = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
const size = Number(process.argv[2] ?? 10_000);
const config = loadConfig({ env: {} });
const prefix = benchIndexPrefix('overhead');
const bench = openElasticsearchBenchStore(config, url, prefix);
const alias = indexNames(prefix).chunks.alias;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

try {
  await bench.store.init(syntheticSpace);
  await ingestThroughPort(bench.store, size, { from: 0, concurrency: 4 });
  await fetch(`${url}/${alias}/_refresh`, { method: 'POST' });
  const { queries } = queriesFor(size, 400);
  const embedder = createPrecomputedEmbedder(new Map(queries.map((query) => [query.text, query.vector])));
  const settings = config.retrieval;
  const legK = Math.max(settings.k, settings.candidates);
  const body = (query: (typeof queries)[number]) =>
    [
      { index: alias },
      {
        size: legK,
        _source: withoutEmbedding,
        query: {
          bool: {
            must: [bm25Query(query.text, settings.boosts, config.store.elasticsearch.fieldScoring)!],
            filter: [],
          },
        },
      },
      { index: alias },
      {
        size: legK,
        _source: withoutEmbedding,
        knn: {
          field: 'embedding',
          query_vector: query.vector,
          k: legK,
          num_candidates: Math.max(settings.numCandidates, legK),
          filter: [],
        },
      },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n') + '\n';
  const over: Record<string, number[]> = {
    'core search (legs + fusion)': [],
    'store _msearch': [],
    'plain fetch': [],
    'plain fetch + filter_path': [],
  };
  const parseMs: number[] = [];
  const bytes: number[] = [];
  const filteredBytes: number[] = [];
  const filterPath =
    'took,responses.status,responses.error,responses.hits.hits._score,responses.hits.hits._source';
  for (const [index, query] of queries.entries()) {
    const warm = index < 40;
    let started = performance.now();
    const found = await search(query.text, { mode: 'hybrid' }, { store: bench.store, embedder, settings });
    const coreWall = performance.now() - started;
    started = performance.now();
    const legs = await bench.store.searchLegs({
      text: query.text,
      vector: query.vector,
      k: legK,
      numCandidates: Math.max(settings.numCandidates, legK),
      filters: {},
      boosts: settings.boosts,
    });
    const storeWall = performance.now() - started;
    started = performance.now();
    const response = await fetch(`${url}/_msearch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: body(query),
    });
    const text = await response.text();
    const parseStart = performance.now();
    const parsed = JSON.parse(text) as { took: number };
    const fetchWall = performance.now() - started;
    const parsedIn = performance.now() - parseStart;
    started = performance.now();
    const trimmed = await fetch(`${url}/_msearch?filter_path=${filterPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: body(query),
    });
    const trimmedText = await trimmed.text();
    const trimmedParsed = JSON.parse(trimmedText) as { took: number };
    const trimmedWall = performance.now() - started;
    if (warm) continue;
    over['core search (legs + fusion)']!.push(coreWall - (found.engineTookMs ?? 0));
    over['store _msearch']!.push(storeWall - (legs.engineTookMs ?? 0));
    over['plain fetch']!.push(fetchWall - parsed.took);
    over['plain fetch + filter_path']!.push(trimmedWall - trimmedParsed.took);
    parseMs.push(parsedIn);
    bytes.push(text.length);
    filteredBytes.push(trimmedText.length);
  }
  process.stdout.write(
    `Elasticsearch, ${size} chunks, ${over['store _msearch']!.length} hybrid queries, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}\n`,
  );
  for (const [name, values] of Object.entries(over))
    process.stdout.write(
      `${name.padEnd(30)} ours p50 ${percentile(values, 50).toFixed(2)}  p95 ${percentile(values, 95).toFixed(2)} ms\n`,
    );
  process.stdout.write(
    `response ${Math.round(percentile(bytes, 50) / 1024)} KB (filter_path ${Math.round(percentile(filteredBytes, 50) / 1024)} KB), JSON.parse p50 ${percentile(parseMs, 50).toFixed(2)} ms\n`,
  );
} finally {
  await bench.dispose();
}
