import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createElasticsearchStore } from '../src/core/adapters/elasticsearch/index.ts';
import { createSqliteStore } from '../src/core/adapters/sqlite/index.ts';
import type { VectorIndexOptions } from '../src/core/adapters/sqlite/vector-index.ts';
import {
  type Config,
  type Embedder,
  type EmbeddingSpace,
  silentLogger,
  type Store,
} from '../src/core/index.ts';
import { dimensions } from './synthetic-corpus.ts';

/** The embedding space of the synthetic corpus: vectors are written and queried precomputed. */
export const syntheticSpace: EmbeddingSpace = { embedderId: 'bench-synthetic-384', dimensions };

/**
 * An Embedder that answers from a table of precomputed vectors, so search is measured without a model in the
 * way. Asking for a text it does not know is a bug in the benchmark, and says so.
 */
export function createPrecomputedEmbedder(
  vectors: Map<string, number[]>,
  space: EmbeddingSpace = syntheticSpace,
): Embedder {
  return {
    id: space.embedderId,
    dimensions: space.dimensions,
    async embed(texts) {
      return texts.map((text) => {
        const vector = vectors.get(text);
        if (!vector) throw new Error(`No precomputed vector for the query "${text}".`);
        return vector;
      });
    },
  };
}

export interface BenchStore {
  name: 'sqlite' | 'elasticsearch';
  store: Store;
  /** SQLite: the database file. */
  file?: string;
  /** Removes what the benchmark wrote (the SQLite file, the Elasticsearch indices). */
  dispose(): Promise<void>;
}

/**
 * An embedded store in a temporary folder, or a second one on the `file` of another (which then owns the
 * folder: close this one's store, dispose the other).
 */
export function openSqliteBenchStore(
  options: { file?: string; vectorIndex?: VectorIndexOptions } = {},
): BenchStore {
  const folder = options.file
    ? path.dirname(options.file)
    : mkdtempSync(path.join(tmpdir(), 'answerloop-bench-'));
  const file = options.file ?? path.join(folder, 'bench.db');
  const store = createSqliteStore({ file, logger: silentLogger, vectorIndex: options.vectorIndex });
  return {
    name: 'sqlite',
    store,
    file,
    async dispose() {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A prefix no other run uses, so the benchmark never touches an operator's or a test's indices. */
export function benchIndexPrefix(name: string): string {
  return `answerloop-bench-${name}-${process.pid}`;
}

export function openElasticsearchBenchStore(config: Config, url: string, prefix: string): BenchStore {
  const settings = config.store.elasticsearch;
  const store = createElasticsearchStore({
    url,
    indexPrefix: prefix,
    analyzer: settings.analyzer,
    requestTimeoutMs: Math.max(settings.requestTimeoutMs, 60_000),
    maxRetries: settings.maxRetries,
    bulkSize: settings.bulkSize,
    logger: silentLogger,
  });
  return {
    name: 'elasticsearch',
    store,
    async dispose() {
      await store.close();
      await deleteIndices(url, prefix);
    },
  };
}

/** Deletes every index whose name starts with the prefix, by name (clusters refuse wildcard deletes). */
export async function deleteIndices(url: string, prefix: string): Promise<void> {
  const listed = await fetch(`${url}/_cat/indices/${prefix}*?format=json&h=index&expand_wildcards=all`);
  if (!listed.ok) return;
  const names = ((await listed.json()) as Array<{ index: string }>).map((row) => row.index);
  if (names.length > 0) await fetch(`${url}/${names.join(',')}`, { method: 'DELETE' });
}

/** The Elasticsearch URL to benchmark against, or undefined (with the reason) when none answers. */
export async function findElasticsearch(config: Config): Promise<{ url?: string; reason?: string }> {
  const url = (process.env.ELASTICSEARCH_URL ?? config.store.elasticsearch.url).replace(/\/$/, '');
  try {
    const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(3000) });
    if (response.ok) return { url };
    return { reason: `${url} answered ${response.status}` };
  } catch (error) {
    return {
      reason: `nothing answers at ${url} (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}
