/**
 * The local model's figures: the rate of each ONNX variant on the same passages (and how close its vectors are
 * to fp32), ingestion through each store against the bare embedder on the same pages, and ask() latency while a
 * large ingest runs in the same process against idle.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalEmbedder, localModelStatus } from '../src/core/adapters/local-embedder/index.ts';
import type { Config, Embedder, Store } from '../src/core/index.ts';
import { createCore, createLogger, loadConfig, silentLogger } from '../src/core/index.ts';
import { openElasticsearchBenchStore, openSqliteBenchStore, benchIndexPrefix } from './bench-stores.ts';
import { type LatencySummary, summarise } from './latency-summary.ts';

type Dtype = 'int8' | 'q8' | 'fp32';
const variants: Dtype[] = ['q8', 'int8', 'fp32'];

export interface ModelVariantRate {
  dtype: Dtype;
  file: string;
  passages: number;
  passagesPerSecond: number;
  /** Cosine of each vector with the fp32 vector of the same passage (when fp32 is present). */
  cosineToFp32?: { mean: number; min: number };
}

export interface IngestAgainstEmbedder {
  store: 'sqlite' | 'elasticsearch';
  pages: number;
  chunks: number;
  /** Chunks per second through `core.ingest` (read, chunk, embed, write). */
  ingestPerSecond: number;
  /** The same embedder on the same page texts, nothing else. */
  embedderPerSecond: number;
  /** ingestPerSecond / embedderPerSecond. */
  share: number;
}

export interface AskWhileIngesting {
  pages: number;
  idle: LatencySummary;
  ingesting: LatencySummary;
  /** p95 while ingesting / p95 idle. */
  p95Ratio: number;
  /** Chunks per second of the ingest that ran meanwhile. */
  ingestPerSecond: number;
}

export interface EmbedderBenchResult {
  dtype: string;
  variants: ModelVariantRate[];
  ingestion: IngestAgainstEmbedder[];
  askWhileIngesting?: AskWhileIngesting;
}

export interface EmbedderPlan {
  /** Passages each model variant embeds. */
  variantPassages: number;
  /** Pages of the ingests (one passage each). */
  pages: number;
  /** Questions asked idle. */
  idleQuestions: number;
}

/** Passages of about 100 words from the project's own manual: real English, as support pages are. */
function manualPassages(projectRoot: string): string[] {
  const folder = path.join(projectRoot, 'docs');
  const words = readdirSync(folder)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .flatMap((name) => readFileSync(path.join(folder, name), 'utf8').split(/\s+/).filter(Boolean));
  const passages: string[] = [];
  for (let start = 0; start + 100 <= words.length; start += 100)
    passages.push(words.slice(start, start + 100).join(' '));
  return passages;
}

/** `count` Markdown pages of one passage each (numbered, so no two are alike), written to a new folder. */
function writePages(
  projectRoot: string,
  count: number,
): { folder: string; texts: string[]; dispose(): void } {
  const passages = manualPassages(projectRoot);
  const folder = mkdtempSync(path.join(tmpdir(), 'answerloop-bench-pages-'));
  mkdirSync(path.join(folder, 'pages'));
  const texts: string[] = [];
  for (let page = 0; page < count; page += 1) {
    const text = `Page ${page}. ${passages[page % passages.length]!}`;
    texts.push(`Bench page ${page}\n\n${text}`);
    writeFileSync(
      path.join(folder, 'pages', `page-${String(page).padStart(5, '0')}.md`),
      `# Bench page ${page}\n\n${text}\n`,
    );
  }
  return {
    folder: path.join(folder, 'pages'),
    texts,
    dispose: () => rmSync(folder, { recursive: true, force: true }),
  };
}

function embedderFor(config: Config, modelDir: string, dtype: Dtype): Embedder {
  const local = config.embedder.local;
  return createLocalEmbedder({
    model: local.model,
    modelDir,
    allowRemote: false,
    dtype,
    dimensions: local.dimensions,
    logger: silentLogger,
  });
}

/** Embeds in slices of 64, as ingestion does, and returns the vectors and the rate. */
async function timedEmbed(
  embedder: Embedder,
  texts: string[],
): Promise<{ vectors: number[][]; perSecond: number }> {
  await embedder.embed(texts.slice(0, 4));
  const started = performance.now();
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += 64)
    vectors.push(...(await embedder.embed(texts.slice(start, start + 64))));
  return { vectors, perSecond: (texts.length / (performance.now() - started)) * 1000 };
}

const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

async function measureVariants(
  config: Config,
  modelDir: string,
  passages: string[],
  log: (line: string) => void,
): Promise<ModelVariantRate[]> {
  const results: ModelVariantRate[] = [];
  const vectorsOf = new Map<Dtype, number[][]>();
  for (const dtype of variants) {
    const status = localModelStatus({ model: config.embedder.local.model, modelDir, dtype });
    if (!status.present) {
      log(`  ${dtype}: skipped (missing ${status.missing.join(', ')}: npm run model:fetch)`);
      continue;
    }
    log(`  ${dtype}: ${passages.length} passages`);
    const embedder = embedderFor(config, modelDir, dtype);
    try {
      const { vectors, perSecond } = await timedEmbed(embedder, passages);
      vectorsOf.set(dtype, vectors);
      results.push({ dtype, file: status.folder, passages: passages.length, passagesPerSecond: perSecond });
    } finally {
      await embedder.close?.();
    }
  }
  const reference = vectorsOf.get('fp32');
  if (reference) {
    for (const result of results) {
      const cosines = vectorsOf.get(result.dtype)!.map((vector, index) => dot(vector, reference[index]!));
      result.cosineToFp32 = {
        mean: cosines.reduce((sum, value) => sum + value, 0) / cosines.length,
        min: Math.min(...cosines),
      };
    }
  }
  return results;
}

/** Ingests the pages into a fresh store through the core, as `answerloop ingest` does. */
async function ingestInto(
  config: Config,
  store: Store,
  embedder: Embedder,
  folder: string,
): Promise<{ chunks: number; ms: number }> {
  const core = createCore({ config, store, embedder, logger: silentLogger });
  try {
    const started = performance.now();
    const report = await core.ingest([folder]);
    return { chunks: report.chunks, ms: performance.now() - started };
  } finally {
    await core.close();
  }
}

export async function benchmarkEmbedder(options: {
  projectRoot: string;
  config: Config;
  elasticsearchUrl?: string;
  fakeOpenAiUrl: string;
  plan: EmbedderPlan;
  log: (line: string) => void;
}): Promise<EmbedderBenchResult> {
  const { projectRoot, config, plan, log } = options;
  const modelDir = path.resolve(projectRoot, config.embedder.local.modelDir);
  const dtype = config.embedder.local.dtype;
  log(
    `Local model variants on the same ${plan.variantPassages} passages of this manual (about 100 words each)`,
  );
  const passages = manualPassages(projectRoot);
  const variantRates = await measureVariants(
    config,
    modelDir,
    Array.from({ length: plan.variantPassages }, (_, index) => passages[index % passages.length]!),
    log,
  );

  const pages = writePages(projectRoot, plan.pages);
  const ingestion: IngestAgainstEmbedder[] = [];
  const embedder = embedderFor(config, modelDir, dtype);
  try {
    log(`Ingestion against the bare embedder (${dtype}): ${plan.pages} pages of one passage`);
    const bare = await timedEmbed(embedder, pages.texts);
    const stores: Array<{
      name: 'sqlite' | 'elasticsearch';
      open: () => { store: Store; dispose(): Promise<void> };
    }> = [{ name: 'sqlite', open: () => openSqliteBenchStore() }];
    if (options.elasticsearchUrl) {
      const url = options.elasticsearchUrl;
      stores.push({
        name: 'elasticsearch',
        open: () => openElasticsearchBenchStore(config, url, benchIndexPrefix('ingest')),
      });
    }
    for (const { name, open } of stores) {
      log(`  ${name}: ingesting ${plan.pages} pages`);
      const bench = open();
      try {
        const { chunks, ms } = await ingestInto(config, bench.store, embedder, pages.folder);
        const perSecond = (chunks / ms) * 1000;
        ingestion.push({
          store: name,
          pages: plan.pages,
          chunks,
          ingestPerSecond: perSecond,
          embedderPerSecond: bare.perSecond,
          share: perSecond / bare.perSecond,
        });
      } finally {
        await bench.dispose();
      }
    }

    log(
      `ask() idle, then while ${plan.pages} pages are ingested in the same process (embedded store, ${dtype})`,
    );
    const askWhileIngesting = await measureAskWhileIngesting(
      projectRoot,
      options.fakeOpenAiUrl,
      embedder,
      pages.folder,
      plan,
    );
    return { dtype, variants: variantRates, ingestion, askWhileIngesting };
  } finally {
    await embedder.close?.();
    pages.dispose();
  }
}

/**
 * A core as `npm start` builds it (embedded store, the OpenAI adapter against the fake server, the local model
 * for questions and passages), with this manual ingested. Questions from the manual's QA set are asked one at a
 * time: first idle, then for as long as an ingest of the bench pages runs beside them.
 */
async function measureAskWhileIngesting(
  projectRoot: string,
  baseUrl: string,
  embedder: Embedder,
  pagesFolder: string,
  plan: EmbedderPlan,
): Promise<AskWhileIngesting> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-bench-ask-ingest-'));
  const config = loadConfig({
    cwd: projectRoot,
    env: {
      ANSWERLOOP_DATA_DIR: dataDir,
      OPENAI_API_KEY: 'sk-bench-0000000000000000',
      OPENAI_BASE_URL: baseUrl,
    },
    overrides: { answering: { refusalThreshold: 0 }, openai: { maxRetries: 0 } },
  });
  const logger = createLogger({
    level: config.logLevel,
    file: path.join(dataDir, 'answerloop.log'),
    stderr: false,
  });
  const core = createCore({ config, embedder, logger });
  const questions = readFileSync(path.join(projectRoot, 'test/fixtures/qa/docs-qa.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { question: string }).question);
  const ask = async (index: number) => {
    const started = performance.now();
    await core.ask({
      question: questions[index % questions.length]!,
      context: { platform: 'api', userId: `bench-${index % 20}` },
    });
    return performance.now() - started;
  };
  try {
    await core.ingest([path.join(projectRoot, 'docs')]);
    for (let index = 0; index < 5; index += 1) await ask(index);
    const idle: number[] = [];
    for (let index = 0; index < plan.idleQuestions; index += 1) idle.push(await ask(index));
    let ingestDone = false;
    const started = performance.now();
    const ingest = core.ingest([pagesFolder]).finally(() => {
      ingestDone = true;
    });
    const ingesting: number[] = [];
    // A question after another while the ingest runs; bounded in case the ingest never ends.
    for (let index = 0; !ingestDone && index < 100_000; index += 1) ingesting.push(await ask(index));
    const report = await ingest;
    const ingestPerSecond = (report.chunks / (performance.now() - started)) * 1000;
    const idleSummary = summarise(idle);
    const ingestingSummary = summarise(ingesting);
    return {
      pages: plan.pages,
      idle: idleSummary,
      ingesting: ingestingSummary,
      p95Ratio: ingestingSummary.p95 / idleSummary.p95,
      ingestPerSecond,
    };
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
