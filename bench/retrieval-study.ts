/**
 * `npx tsx bench/retrieval-study.ts [--corpus a,b] [--misses] [--variants name,...]`
 *
 * A retrieval-only study of the evaluation corpora, to find out *why* a page is missed before changing anything:
 * the corpus is loaded and chunked with the project's own loaders and chunker, passages are embedded with the real
 * local model (vectors cached on disk in data/study-cache/, so a second run embeds nothing it has seen), BM25 runs
 * in an in-memory SQLite FTS5 index built like the embedded store's, and the legs are fused with the project's own
 * fusion. Each variant changes one thing (passage size, what the BM25 and the embedded text hold, fusion weight, how
 * passages are grouped into pages), and every variant is printed side by side on the same questions.
 *
 * With --misses, the hybrid misses of the first variant are dumped: the question, the relevant page, where each leg
 * ranked it, the passage each leg put first, and the text the relevant page's best passage was embedded with.
 *
 * With --bm25 elasticsearch, the BM25 leg runs on the Elasticsearch node at ELASTICSEARCH_URL (default
 * http://127.0.0.1:9200) with the store's analyzer (english) and query (store.elasticsearch.fieldScoring: combined_fields
 * by default, or multi_match best_fields with ANSWERLOOP_STORE__ELASTICSEARCH__FIELD_SCORING=best), in a temporary
 * index deleted at the end; the vector leg stays an exact scan (the store's is int8 HNSW).
 *
 * With --cost, instead: what bge-small-en-v1.5 costs beside MiniLM, measured side by side in one run (passages and
 * questions embedded in alternating slices, so both models see the same load; memory as the process's RSS growth
 * when each model loads). No cache.
 *
 * Not a replacement for `npm run eval` (which runs the real stores end to end): a faster way to try ideas.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { bm25Query } from '../src/core/adapters/elasticsearch/leg-search.ts';
import { createLocalEmbedder } from '../src/core/adapters/local-embedder/index.ts';
import { buildFullTextQuery } from '../src/core/adapters/sqlite/full-text-query.ts';
import { type ChunkingSettings } from '../src/core/knowledge/chunker.ts';
import { embeddingInput } from '../src/core/knowledge/embedding-input.ts';
import { titleFromFileName } from '../src/core/knowledge/ingest-pipeline.ts';
import { loadDocument } from '../src/core/knowledge/loaders/document-loader.ts';
import { loaderForExtension } from '../src/core/knowledge/loaders/loader-registry.ts';
import { countTokens } from '../src/core/knowledge/token-counter.ts';
import { passageSentences, plainText } from '../src/core/knowledge/passage-sentences.ts';
import { type Embedder, loadConfig, resolveConfigPath, silentLogger } from '../src/core/index.ts';
import type { Chunk, LegHit } from '../src/core/ports/index.ts';
import { convexScoreFusion } from '../src/core/retrieval/convex-score-fusion.ts';
import { parseQaSet, type QaItem, matchRelevant, mean } from '../src/core/retrieval/retrieval-evaluation.ts';

/** The store's BM25 field scoring, as configured (the environment may override it). */
const fieldScoring = loadConfig({ cwd: path.resolve(import.meta.dirname, '..'), env: process.env }).store
  .elasticsearch.fieldScoring;

const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values: flags } = parseArgs({
  options: {
    corpus: { type: 'string' },
    misses: { type: 'boolean', default: false },
    variants: { type: 'string' },
    'bge-dir': { type: 'string', default: 'data/models-x' },
    cost: { type: 'boolean', default: false },
    bm25: { type: 'string', default: 'sqlite' },
  },
});

interface Passage {
  id: string;
  docId: string;
  title: string;
  headingPath: string[];
  text: string;
}

/** One way of cutting a corpus into passages and of saying what each leg indexes of a passage. */
interface Chunking {
  name: string;
  chunking: ChunkingSettings;
  /** Text the vector leg embeds. */
  embedded: (passage: Passage) => string;
  /** BM25 columns: title, headings, text. */
  indexed: (passage: Passage) => [string, string, string];
}

interface Variant {
  name: string;
  chunking: Chunking;
  vectorWeight: number;
  boosts: [number, number, number];
  /** The vector leg: MiniLM alone, bge alone, or both (min-max per query then averaged, or raw cosines averaged). */
  vectorLeg?: 'minilm' | 'bge' | 'ensemble-minmax' | 'ensemble-mean';
  /** How a page's score comes from its passages' fused scores. */
  aggregate: 'max' | 'sum2';
  /** sum2: the weight of a page's second-best passage. */
  secondWeight?: number;
  candidates: number;
  /**
   * Re-scoring the fused candidates with their best stored sentence's cosine to the question (min-max over the
   * candidates), weighted this much against the fused score; a passage with no quotable sentence counts its own cosine.
   */
  sentenceWeight?: number;
  /** Each fused hit gains this weight times its page title's cosine to the question (min-max over the hits). */
  titleWeight?: number;
  /** A page's score loses this much per doubling of its passage count (hub pages have more chances to match). */
  pageLengthPenalty?: number;
  /** Pseudo-relevance feedback: the query vector moved this far toward the mean of the vector leg's top 3 passages. */
  feedback?: number;
}

const prefixed = (passage: Passage) =>
  embeddingInput({ title: passage.title, headingPath: passage.headingPath, text: passage.text });
const fields = (passage: Passage): [string, string, string] => [
  passage.title,
  passage.headingPath.join('\n'),
  passage.text,
];
const oneField = (passage: Passage): [string, string, string] => ['', '', prefixed(passage)];

/** The passage as a reader sees it: Markdown markup, image links, link targets and table rules gone. */
function readerText(markdown: string): string {
  return markdown
    .split('\n')
    .filter((line) => !/^\s*\|?\s*:?-{3,}/.test(line) && !/^\s*(```|~~~)/.test(line))
    .map((line) =>
      plainText(
        line
          .replace(/^\s*\|(.*)\|\s*$/, '$1')
          .replace(/\s\|\s/g, ' ; ')
          .replace(/`/g, ''),
      ),
    )
    .filter((line) => line.length > 0)
    .join('\n');
}
const plainPassage = (passage: Passage): Passage => ({
  ...passage,
  title: readerText(passage.title),
  headingPath: passage.headingPath.map(readerText),
  text: readerText(passage.text),
});

const chunkings: Record<string, Chunking> = {
  current: {
    name: 'current',
    chunking: { chunkTokens: 200, chunkOverlapTokens: 30 },
    embedded: prefixed,
    indexed: fields,
  },
  'bm25-prefix': {
    name: 'bm25-prefix',
    chunking: { chunkTokens: 200, chunkOverlapTokens: 30 },
    embedded: prefixed,
    indexed: oneField,
  },
  plain: {
    name: 'plain',
    chunking: { chunkTokens: 200, chunkOverlapTokens: 30 },
    embedded: (passage) => prefixed(plainPassage(passage)),
    indexed: (passage) => fields(plainPassage(passage)),
  },
  'plain-260': {
    name: 'plain-260',
    chunking: { chunkTokens: 260, chunkOverlapTokens: 30 },
    embedded: (passage) => prefixed(plainPassage(passage)),
    indexed: (passage) => fields(plainPassage(passage)),
  },
  'no-prefix': {
    name: 'no-prefix',
    chunking: { chunkTokens: 200, chunkOverlapTokens: 30 },
    embedded: (passage) => passage.text,
    indexed: fields,
  },
};

function baseVariants(): Variant[] {
  const base = {
    vectorWeight: 0.7,
    boosts: [2, 1.5, 1] as [number, number, number],
    aggregate: 'max' as const,
    candidates: 40,
  };
  const list: Variant[] = [{ name: 'current', chunking: chunkings.current!, ...base }];
  list.push({ name: 'a=0.8', chunking: chunkings.current!, ...base, vectorWeight: 0.8 });
  list.push({ name: 'bm25 prefix', chunking: chunkings['bm25-prefix']!, ...base });
  list.push({ name: 'no vector prefix', chunking: chunkings['no-prefix']!, ...base });
  list.push({ name: 'sum2 pages', chunking: chunkings.current!, ...base, aggregate: 'sum2' });
  for (const vectorLeg of ['bge', 'ensemble-minmax', 'ensemble-mean'] as const)
    for (const vectorWeight of [0.7, 0.8])
      list.push({
        name: `${vectorLeg} a=${vectorWeight}`,
        chunking: chunkings.current!,
        ...base,
        vectorLeg,
        vectorWeight,
      });
  for (const secondWeight of [0.1, 0.25])
    list.push({
      name: `sum2 x${secondWeight}`,
      chunking: chunkings.current!,
      ...base,
      aggregate: 'sum2',
      secondWeight,
    });
  for (const sentenceWeight of [0.1, 0.2, 0.3, 0.35, 0.5])
    list.push({
      name: `sentences x${sentenceWeight}`,
      chunking: chunkings.current!,
      ...base,
      sentenceWeight,
    });
  for (const titleWeight of [0.1, 0.2, 0.3])
    list.push({ name: `title x${titleWeight}`, chunking: chunkings.current!, ...base, titleWeight });
  for (const pageLengthPenalty of [0.01, 0.015, 0.02, 0.03, 0.04])
    list.push({
      name: `long pages -${pageLengthPenalty}`,
      chunking: chunkings.current!,
      ...base,
      pageLengthPenalty,
    });
  for (const pageLengthPenalty of [0.01, 0.02, 0.03])
    list.push({
      name: `long pages -${pageLengthPenalty} title x0.1`,
      chunking: chunkings.current!,
      ...base,
      pageLengthPenalty,
      titleWeight: 0.1,
    });
  for (const feedback of [0.2, 0.4])
    list.push({ name: `feedback ${feedback}`, chunking: chunkings.current!, ...base, feedback });
  list.push({ name: 'candidates 100', chunking: chunkings.current!, ...base, candidates: 100 });
  list.push({ name: 'candidates 20', chunking: chunkings.current!, ...base, candidates: 20 });
  list.push({ name: 'boosts 1/1/1', chunking: chunkings.current!, ...base, boosts: [1, 1, 1] });
  list.push({ name: 'boosts 4/3/1', chunking: chunkings.current!, ...base, boosts: [4, 3, 1] });
  list.push({ name: 'plain', chunking: chunkings.plain!, ...base });
  list.push({ name: 'plain a=0.8', chunking: chunkings.plain!, ...base, vectorWeight: 0.8 });
  list.push({ name: 'plain-260', chunking: chunkings['plain-260']!, ...base });
  list.push({ name: 'plain-260 a=0.8', chunking: chunkings['plain-260']!, ...base, vectorWeight: 0.8 });
  return list;
}

// ---- embedding with a disk cache -------------------------------------------------------------------------------

const cacheDir = path.join(projectRoot, 'data/study-cache');

function cachedEmbedder(inner: Embedder): Embedder & { flush(): void } {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `${inner.id.replace(/[^\w.-]+/g, '_')}.jsonl`);
  const known = new Map<string, number[]>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const { h, v } = JSON.parse(line) as { h: string; v: string };
      const bytes = Buffer.from(v, 'base64');
      known.set(h, Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)));
    }
  }
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    async embed(texts, options) {
      const key = (text: string) =>
        createHash('sha1')
          .update(options?.purpose === 'query' ? `query\u0000${text}` : text)
          .digest('hex');
      const missing = [...new Set(texts.filter((text) => !known.has(key(text))))];
      for (let start = 0; start < missing.length; start += 64) {
        const slice = missing.slice(start, start + 64);
        const vectors = await inner.embed(slice, {
          ...options,
          priority: slice.length === 1 ? 'interactive' : 'background',
        });
        const lines = slice.map((text, index) => {
          known.set(key(text), vectors[index]!);
          return JSON.stringify({
            h: key(text),
            v: Buffer.from(new Float32Array(vectors[index]!).buffer).toString('base64'),
          });
        });
        appendFileSync(file, `${lines.join('\n')}\n`);
        if (missing.length > 64)
          process.stderr.write(`\r  embedded ${Math.min(start + 64, missing.length)}/${missing.length}`);
      }
      if (missing.length > 64) process.stderr.write('\n');
      return texts.map((text) => known.get(key(text))!);
    },
    flush() {},
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

// ---- corpus ----------------------------------------------------------------------------------------------------

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function loadPassages(pagesDir: string, chunking: ChunkingSettings): Passage[] {
  const passages: Passage[] = [];
  for (const file of walk(pagesDir).sort()) {
    const loader = loaderForExtension(path.extname(file).toLowerCase());
    if (!loader) continue;
    const docId = path.relative(pagesDir, file);
    const document = loadDocument(loader, readFileSync(file, 'utf8'), chunking, { path: docId });
    const title = document.title ?? titleFromFileName(docId);
    document.chunks.forEach((chunk, ordinal) =>
      passages.push({
        id: `${docId}#${ordinal}`,
        docId,
        title,
        headingPath: chunk.headingPath,
        text: chunk.text,
      }),
    );
  }
  return passages;
}

interface Index {
  passages: Passage[];
  vectors: Float32Array[];
  /** bge-small-en-v1.5's vectors, when a variant needs them. */
  bgeVectors?: Float32Array[];
  /** Each passage's stored sentences' vectors (the sentences ingestion stores), when a variant needs them. */
  sentenceVectors?: Float32Array[][];
  /** Each page's title vector, by docId, when a variant needs them. */
  titleVectors?: Map<string, Float32Array>;
  database: Database.Database;
  /** The Elasticsearch index of the passages, with --bm25 elasticsearch. */
  elasticIndex?: string;
}

async function buildIndex(pagesDir: string, chunking: Chunking, embedder: Embedder): Promise<Index> {
  const passages = loadPassages(pagesDir, chunking.chunking);
  const started = performance.now();
  const embeddedVectors = await embedder.embed(passages.map(chunking.embedded));
  process.stderr.write(
    `  ${chunking.name}: ${passages.length} passages embedded in ${((performance.now() - started) / 1000).toFixed(0)} s (0 when cached), RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`,
  );
  const vectors = embeddedVectors.map((vector) => Float32Array.from(vector));
  const database = new Database(':memory:');
  database.exec(
    "CREATE VIRTUAL TABLE chunk_search USING fts5(title, headings, text, tokenize = 'porter unicode61 remove_diacritics 2')",
  );
  const insert = database.prepare(
    'INSERT INTO chunk_search (rowid, title, headings, text) VALUES (?, ?, ?, ?)',
  );
  passages.forEach((passage, index) => insert.run(index, ...chunking.indexed(passage)));
  const elasticIndex = flags.bm25 === 'elasticsearch' ? await elasticIndexOf(passages, chunking) : undefined;
  return { passages, vectors, database, ...(elasticIndex ? { elasticIndex } : {}) };
}

const elasticUrl = (process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200').replace(/\/$/, '');
const elasticIndices: string[] = [];

async function elastic(method: string, route: string, body?: unknown, ndjson = false): Promise<unknown> {
  const response = await fetch(`${elasticUrl}${route}`, {
    method,
    headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    ...(body === undefined ? {} : { body: ndjson ? (body as string) : JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`Elasticsearch ${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The passages in a temporary index mapped like the store's text fields (english analyzer). */
async function elasticIndexOf(passages: Passage[], chunking: Chunking): Promise<string> {
  const name = `answerloop-study-${process.pid}-${elasticIndices.length}`;
  const field = { type: 'text', analyzer: 'english' };
  await elastic('PUT', `/${name}`, {
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: { properties: { seq: { type: 'integer' }, title: field, headings: field, text: field } },
  });
  elasticIndices.push(name);
  for (let start = 0; start < passages.length; start += 500) {
    const lines = passages.slice(start, start + 500).flatMap((passage, offset) => {
      const [title, headings, text] = chunking.indexed(passage);
      return [
        JSON.stringify({ index: { _id: String(start + offset) } }),
        JSON.stringify({ seq: start + offset, title, headings, text }),
      ];
    });
    await elastic('POST', `/${name}/_bulk?refresh=true`, `${lines.join('\n')}\n`, true);
  }
  return name;
}

async function elasticBm25Leg(
  index: Index,
  question: string,
  k: number,
  boosts: [number, number, number],
): Promise<LegHit[]> {
  const [title, headings, text] = boosts;
  const query = bm25Query(question, { title, headings, text }, fieldScoring);
  if (!query) return [];
  const result = (await elastic('POST', `/${index.elasticIndex}/_search`, { size: k, query })) as {
    hits: { hits: Array<{ _score: number; _source: { seq: number } }> };
  };
  return result.hits.hits.map((hit) => ({
    chunk: asChunk(index.passages[hit._source.seq]!),
    score: hit._score,
  }));
}

function asChunk(passage: Passage): Chunk {
  return { ...passage, source: passage.docId } as unknown as Chunk;
}

function bm25Leg(index: Index, question: string, k: number, boosts: [number, number, number]): LegHit[] {
  const match = buildFullTextQuery(question);
  if (!match) return [];
  const rows = index.database
    .prepare(
      'SELECT rowid AS seq, -bm25(chunk_search, ?, ?, ?) AS score FROM chunk_search WHERE chunk_search MATCH ? ORDER BY score DESC, rowid LIMIT ?',
    )
    .all(...boosts, match, k) as Array<{ seq: number; score: number }>;
  return rows.map((row) => ({ chunk: asChunk(index.passages[row.seq]!), score: row.score }));
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

function cosines(vectors: Float32Array[], query: Float32Array): number[] {
  return vectors.map((vector) => dot(vector, query));
}

function minMax(scores: number[]): number[] {
  const top = Math.max(...scores);
  const bottom = Math.min(...scores);
  return scores.map((score) => (top > bottom ? (score - bottom) / (top - bottom) : 1));
}

function vectorLeg(
  index: Index,
  query: Float32Array,
  k: number,
  leg: Variant['vectorLeg'] = 'minilm',
  bgeQuery?: Float32Array,
): LegHit[] {
  let combined: number[];
  if (leg === 'minilm') combined = cosines(index.vectors, query);
  else if (leg === 'bge') combined = cosines(index.bgeVectors!, bgeQuery!);
  else {
    const first = cosines(index.vectors, query);
    const second = cosines(index.bgeVectors!, bgeQuery!);
    if (leg === 'ensemble-mean') combined = first.map((score, position) => (score + second[position]!) / 2);
    else {
      const a = minMax(first);
      const b = minMax(second);
      combined = a.map((score, position) => (score + b[position]!) / 2);
    }
  }
  const scored = combined.map((score, position) => ({ position, score }));
  scored.sort((a, b) => b.score - a.score);
  return scored
    .slice(0, k)
    .map((hit) => ({ chunk: asChunk(index.passages[hit.position]!), score: hit.score }));
}

const positionsOf = new WeakMap<Index, Map<string, number>>();
/** A passage's position in the index, by chunk id (built once per index). */
function positionOf(index: Index, chunk: Chunk): number {
  let positions = positionsOf.get(index);
  if (!positions) {
    positions = new Map(index.passages.map((passage, position) => [passage.id, position]));
    positionsOf.set(index, positions);
  }
  return positions.get(chunk.id)!;
}

/** The fused candidates re-scored with their best sentence's cosine (min-max over the candidates). */
function bySentences(
  index: Index,
  fused: Array<{ chunk: Chunk; score: number }>,
  query: Float32Array,
  weight: number,
): Array<{ chunk: Chunk; score: number }> {
  const best = fused.map((hit) => {
    const position = positionOf(index, hit.chunk);
    const sentences = index.sentenceVectors![position]!;
    if (sentences.length === 0) return dot(index.vectors[position]!, query);
    return Math.max(...sentences.map((vector) => dot(vector, query)));
  });
  const stretched = minMax(best);
  const fusedScores = minMax(fused.map((hit) => hit.score));
  return fused
    .map((hit, position) => ({
      chunk: hit.chunk,
      score: (1 - weight) * fusedScores[position]! + weight * stretched[position]!,
    }))
    .sort((a, b) => b.score - a.score);
}

const countsOf = new WeakMap<Index, Map<string, number>>();
function passageCounts(index: Index): Map<string, number> {
  let counts = countsOf.get(index);
  if (!counts) {
    counts = new Map();
    for (const passage of index.passages) counts.set(passage.docId, (counts.get(passage.docId) ?? 0) + 1);
    countsOf.set(index, counts);
  }
  return counts;
}

/** Rocchio feedback: the query moved toward the mean of its three nearest passages, renormalised. */
function withFeedback(index: Index, query: Float32Array, beta: number): Float32Array {
  const nearest = cosines(index.vectors, query)
    .map((score, position) => ({ score, position }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 3);
  const moved = Float32Array.from(query, (value, i) => {
    const centroid = nearest.reduce((sum, hit) => sum + index.vectors[hit.position]![i]!, 0) / nearest.length;
    return (1 - beta) * value + beta * centroid;
  });
  const norm = Math.hypot(...moved);
  return moved.map((value) => value / norm);
}

/** Pages in order: by their best passage (max), or by the sum of their two best passages (sum2). */
function rankPages(
  hits: Array<{ chunk: Chunk; score: number }>,
  relevant: string[],
  aggregate: Variant['aggregate'],
  secondWeight = 0.5,
): string[] {
  const byPage = new Map<string, number[]>();
  for (const hit of hits) {
    const name = matchRelevant(hit.chunk, relevant) ?? hit.chunk.docId;
    const scores = byPage.get(name) ?? [];
    scores.push(hit.score);
    byPage.set(name, scores);
  }
  const pageScore = (scores: number[]) =>
    aggregate === 'max' ? scores[0]! : scores[0]! + secondWeight * (scores[1] ?? 0);
  return [...byPage.entries()].sort((a, b) => pageScore(b[1]) - pageScore(a[1])).map(([name]) => name);
}

interface Outcome {
  question: string;
  relevant: string[];
  hybrid: string[];
  bm25: string[];
  vector: string[];
}

function firstRank(ranked: string[], relevant: string[]): number | null {
  const index = ranked.findIndex((name) => relevant.includes(name));
  return index < 0 ? null : index + 1;
}

function figures(outcomes: Outcome[], leg: 'hybrid' | 'bm25' | 'vector') {
  const recall = mean(
    outcomes.map((outcome) => {
      const top = new Set(outcome[leg].slice(0, 5));
      return outcome.relevant.filter((name) => top.has(name)).length / outcome.relevant.length;
    }),
  );
  const mrr = mean(
    outcomes.map((outcome) => {
      const rank = firstRank(outcome[leg], outcome.relevant);
      return rank === null ? 0 : 1 / rank;
    }),
  );
  return `${recall.toFixed(3)} / ${mrr.toFixed(3)}`;
}

async function main() {
  const config = loadConfig({ cwd: projectRoot, env: {} });
  const local = config.embedder.local;
  const embedder = cachedEmbedder(
    createLocalEmbedder({
      model: local.model,
      modelDir: resolveConfigPath(config, local.modelDir),
      allowRemote: false,
      dtype: local.dtype,
      dimensions: local.dimensions,
      logger: silentLogger,
    }),
  );
  const bge = cachedEmbedder(
    createLocalEmbedder({
      model: 'bge-small-en-v1.5',
      modelDir: path.resolve(projectRoot, flags['bge-dir']!),
      allowRemote: false,
      dtype: 'q8',
      dimensions: 384,
      logger: silentLogger,
    }),
  );
  const root = path.join(projectRoot, 'test/fixtures/eval');
  if (flags.cost) {
    await measureCost(root, local);
    return;
  }
  const wanted = flags.corpus?.split(',');
  const corpora = readdirSync(root).filter((name) => !wanted || wanted.includes(name));
  const only = flags.variants?.split(',');
  const variants = baseVariants().filter((variant) => !only || only.includes(variant.name));
  process.stdout.write(
    `retrieval study, ${os.cpus().length} CPUs, ${local.model} ${local.dtype}, BM25 on ${flags.bm25 === 'elasticsearch' ? `Elasticsearch (${elasticUrl})` : 'SQLite FTS5'}\n`,
  );
  for (const corpus of corpora) {
    const manifest = JSON.parse(readFileSync(path.join(root, corpus, 'corpus.json'), 'utf8')) as {
      pages: string;
      qa: string;
    };
    const qa = parseQaSet(readFileSync(path.join(root, corpus, manifest.qa), 'utf8')).filter(
      (item: QaItem) => item.relevant.length > 0,
    );
    const pagesDir = path.join(root, corpus, manifest.pages);
    const indexes = new Map<string, Index>();
    const rows: string[] = [];
    let firstOutcomes: Outcome[] | undefined;
    let firstIndex: Index | undefined;
    for (const variant of variants) {
      let index = indexes.get(variant.chunking.name);
      if (!index) {
        index = await buildIndex(pagesDir, variant.chunking, embedder);
        indexes.set(variant.chunking.name, index);
      }
      const queries = await embedder.embed(
        qa.map((item) => item.question),
        { purpose: 'query' },
      );
      const needsBge = (variant.vectorLeg ?? 'minilm') !== 'minilm';
      if (needsBge && !index.bgeVectors) {
        const started = performance.now();
        index.bgeVectors = (await bge.embed(index.passages.map(variant.chunking.embedded))).map((vector) =>
          Float32Array.from(vector),
        );
        process.stderr.write(
          `  bge: ${index.passages.length} passages embedded in ${((performance.now() - started) / 1000).toFixed(0)} s (0 when cached), RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`,
        );
      }
      if (variant.sentenceWeight !== undefined && !index.sentenceVectors) {
        const perPassage = index.passages.map((passage) => passageSentences(passage.text));
        const flat = perPassage.flat();
        const started = performance.now();
        const vectors = (await embedder.embed(flat)).map((vector) => Float32Array.from(vector));
        process.stderr.write(
          `  sentences: ${flat.length} embedded in ${((performance.now() - started) / 1000).toFixed(0)} s (0 when cached)\n`,
        );
        let next = 0;
        index.sentenceVectors = perPassage.map((sentences) => sentences.map(() => vectors[next++]!));
      }
      if (variant.titleWeight !== undefined && !index.titleVectors) {
        const pages = [...new Map(index.passages.map((passage) => [passage.docId, passage.title])).entries()];
        const vectors = await embedder.embed(pages.map(([, title]) => title));
        index.titleVectors = new Map(
          pages.map(([docId], position) => [docId, Float32Array.from(vectors[position]!)]),
        );
      }
      const bgeQueries = needsBge
        ? await bge.embed(
            qa.map((item) => item.question),
            { purpose: 'query' },
          )
        : [];
      const bm25Hits: LegHit[][] = [];
      for (const item of qa)
        bm25Hits.push(
          index.elasticIndex
            ? await elasticBm25Leg(index, item.question, variant.candidates, variant.boosts)
            : bm25Leg(index, item.question, variant.candidates, variant.boosts),
        );
      const outcomes: Outcome[] = qa.map((item, position) => {
        let query: Float32Array = Float32Array.from(queries[position]!);
        const bm25 = bm25Hits[position]!;
        if (variant.feedback) query = withFeedback(index, query, variant.feedback);
        const vector = vectorLeg(
          index,
          query,
          variant.candidates,
          variant.vectorLeg,
          needsBge ? Float32Array.from(bgeQueries[position]!) : undefined,
        );
        let fused: Array<{ chunk: Chunk; score: number }> = convexScoreFusion(bm25, vector, {
          vectorWeight: variant.vectorWeight,
          normalisation: 'min-max',
        });
        if (variant.sentenceWeight !== undefined)
          fused = bySentences(index, fused, Float32Array.from(queries[position]!), variant.sentenceWeight);
        if (variant.titleWeight !== undefined) {
          const titles = minMax(fused.map((hit) => dot(index.titleVectors!.get(hit.chunk.docId)!, query)));
          const weight = variant.titleWeight;
          fused = fused
            .map((hit, at) => ({ chunk: hit.chunk, score: hit.score + weight * titles[at]! }))
            .sort((a, b) => b.score - a.score);
        }
        if (variant.pageLengthPenalty !== undefined) {
          const penalty = variant.pageLengthPenalty;
          const counts = passageCounts(index);
          fused = fused
            .map((hit) => ({
              chunk: hit.chunk,
              score: hit.score - penalty * Math.log2(counts.get(hit.chunk.docId)!),
            }))
            .sort((a, b) => b.score - a.score);
        }
        return {
          question: item.question,
          relevant: item.relevant,
          hybrid: rankPages(fused, item.relevant, variant.aggregate, variant.secondWeight),
          bm25: rankPages(bm25, item.relevant, 'max'),
          vector: rankPages(vector, item.relevant, 'max'),
        };
      });
      firstOutcomes ??= outcomes;
      firstIndex ??= index;
      const tokens = index.passages.map((passage) => countTokens(passage.text));
      rows.push(
        `${variant.name.padEnd(22)} ${String(index.passages.length).padStart(5)} passages, median ${tokens.sort((a, b) => a - b)[Math.floor(tokens.length / 2)]} tokens | bm25 ${figures(outcomes, 'bm25')} | vector ${figures(outcomes, 'vector')} | hybrid ${figures(outcomes, 'hybrid')}`,
      );
    }
    process.stdout.write(`\n${corpus} (${qa.length} answerable questions)\n${rows.join('\n')}\n`);
    if (flags.misses && firstOutcomes && firstIndex) dumpMisses(firstOutcomes, firstIndex, variants[0]!);
  }
  await embedder.close?.();
  await bge.close?.();
  for (const name of elasticIndices) await elastic('DELETE', `/${name}`);
}

/** Seconds per passage and per question of MiniLM and bge, in alternating slices, and RSS growth per model. */
async function measureCost(
  root: string,
  local: { model: string; dtype: 'q8' | 'int8' | 'fp32'; dimensions: number },
) {
  const config = loadConfig({ cwd: projectRoot, env: {} });
  const models = {
    minilm: createLocalEmbedder({
      model: local.model,
      modelDir: resolveConfigPath(config, config.embedder.local.modelDir),
      allowRemote: false,
      dtype: local.dtype,
      dimensions: local.dimensions,
      logger: silentLogger,
    }),
    bge: createLocalEmbedder({
      model: 'bge-small-en-v1.5',
      modelDir: path.resolve(projectRoot, flags['bge-dir']!),
      allowRemote: false,
      dtype: 'q8',
      dimensions: 384,
      logger: silentLogger,
    }),
  };
  const passages = loadPassages(path.join(root, 'gnucash-help/pages'), {
    chunkTokens: 200,
    chunkOverlapTokens: 30,
  })
    .slice(0, 120)
    .map(prefixed);
  const questions = parseQaSet(readFileSync(path.join(root, 'gnucash-help/qa.jsonl'), 'utf8'))
    .slice(0, 40)
    .map((item) => item.question);
  const rss: Record<string, number> = {};
  let before = process.memoryUsage().rss;
  for (const [name, model] of Object.entries(models)) {
    await model.embed(['warm up'], { purpose: 'query' });
    const after = process.memoryUsage().rss;
    rss[name] = after - before;
    before = after;
  }
  const spent = { minilm: { passages: 0, questions: 0 }, bge: { passages: 0, questions: 0 } };
  for (let start = 0; start < passages.length; start += 10) {
    for (const [name, model] of Object.entries(models)) {
      const began = performance.now();
      await model.embed(passages.slice(start, start + 10));
      spent[name as keyof typeof spent].passages += performance.now() - began;
    }
  }
  for (const question of questions) {
    for (const [name, model] of Object.entries(models)) {
      const began = performance.now();
      await model.embed([question], { purpose: 'query' });
      spent[name as keyof typeof spent].questions += performance.now() - began;
    }
  }
  for (const name of ['minilm', 'bge'] as const) {
    process.stdout.write(
      `${name.padEnd(7)} ${(spent[name].passages / passages.length).toFixed(0)} ms per passage, ${(spent[name].questions / questions.length).toFixed(0)} ms per question, RSS +${(rss[name]! / 1e6).toFixed(0)} MB when loaded\n`,
    );
  }
  process.stdout.write(
    `bge / MiniLM: passages x${(spent.bge.passages / spent.minilm.passages).toFixed(2)}, questions x${(spent.bge.questions / spent.minilm.questions).toFixed(2)} (${passages.length} passages, ${questions.length} questions, ${os.cpus().length} CPUs)\n`,
  );
  await models.minilm.close?.();
  await models.bge.close?.();
}

function dumpMisses(outcomes: Outcome[], index: Index, variant: Variant) {
  for (const outcome of outcomes) {
    const rank = firstRank(outcome.hybrid, outcome.relevant);
    if (rank !== null && rank <= 1) continue;
    const relevantPassages = index.passages.filter((passage) =>
      outcome.relevant.some((name) => passage.docId === name || passage.docId.endsWith(`/${name}`)),
    );
    process.stdout.write(
      `\n- ${outcome.question}\n  relevant ${outcome.relevant.join(', ')}: hybrid ${rank ?? '-'}, bm25 ${firstRank(outcome.bm25, outcome.relevant) ?? '-'}, vector ${firstRank(outcome.vector, outcome.relevant) ?? '-'}; ${relevantPassages.length} passages\n` +
        `  hybrid top: ${outcome.hybrid.slice(0, 3).join(' | ')}\n` +
        `  bm25 top: ${outcome.bm25.slice(0, 3).join(' | ')}\n  vector top: ${outcome.vector.slice(0, 3).join(' | ')}\n` +
        `  relevant page's first passage embedded as: ${JSON.stringify(variant.chunking.embedded(relevantPassages[0]!).slice(0, 200))}\n`,
    );
  }
}

await main();
