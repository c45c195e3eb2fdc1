/**
 * `npm run bench [-- --quick] [-- --only stores,peer,ask,slack,quality,embedder,burst]`: retrieval latency and
 * ingestion on both stores, a peer (LangChain JS) side by side, ask() overhead, the Slack path, retrieval quality on
 * the project's own manual, and a burst of 60 offline questions to one process with the real local model (sentence
 * vectors stored at ingestion vs embedded at question time). Prints tables and writes bench/results/<date>-<mode>.json. See docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/core/index.ts';
import { useLocalModel } from '../test/support/local-model.ts';
import { type BurstResult, measureAnswerBurst } from './answer-burst.ts';
import { type AskConcurrencyResult, measureAsk, openAskBenchCore } from './ask-overhead.ts';
import { findElasticsearch } from './bench-stores.ts';
import { benchmarkEmbedder, type EmbedderBenchResult } from './embedder-benchmarks.ts';
import { type DocsQualityResult, measureDocsQuality } from './docs-retrieval-quality.ts';
import { startFakeOpenAi } from './fake-openai-process.ts';
import { benchmarkLangChain, type PeerResult } from './langchain-peer.ts';
import { startMemorySampler } from './memory-sampler.ts';
import { type SlackEndToEndResult, measureSlackEndToEnd } from './slack-end-to-end.ts';
import {
  benchmarkElasticsearch,
  benchmarkSqlite,
  queriesFor,
  type StoreBenchmarkResult,
} from './store-benchmarks.ts';
import { printReport, type Target, targetsOf } from './bench-report.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sections = ['stores', 'peer', 'ask', 'slack', 'quality', 'embedder', 'burst'] as const;
type Section = (typeof sections)[number];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(`Usage: npm run bench [-- --quick] [-- --only ${sections.join(',')}]\n`);
  process.exit(0);
}
const only = new Set((flags.only?.split(',') ?? sections).map((name) => name.trim()) as Section[]);
for (const name of only)
  if (!sections.includes(name))
    throw new Error(`Unknown section "${name}": choose from ${sections.join(', ')}.`);
const quick = flags.quick;

/** What each run measures: the quick one (CI) in well under two minutes, the full one in about a quarter of an hour. */
const plan = quick
  ? {
      sqlite: { sizes: [1_000], queries: 100, warmup: 10, portIngestUpTo: 1_000 },
      elasticsearch: { sizes: [1_000], queries: 100, warmup: 10, portIngestUpTo: 1_000 },
      peerSizes: [1_000],
      askChunks: 1_000,
      ask: [
        { concurrency: 1, requests: 50 },
        { concurrency: 20, requests: 200 },
      ],
      slack: { concurrency: 20, events: 60 },
      embedder: { variantPassages: 32, pages: 100, idleQuestions: 20 },
      tune: false,
    }
  : {
      sqlite: { sizes: [1_000, 10_000, 20_000, 100_000], queries: 500, warmup: 30, portIngestUpTo: 100_000 },
      elasticsearch: { sizes: [1_000, 10_000, 100_000], queries: 500, warmup: 30, portIngestUpTo: 10_000 },
      peerSizes: [10_000, 100_000],
      askChunks: 1_000,
      ask: [
        { concurrency: 1, requests: 300 },
        { concurrency: 20, requests: 1_000 },
        { concurrency: 100, requests: 2_000 },
      ],
      slack: { concurrency: 20, events: 400 },
      embedder: { variantPassages: 256, pages: 1_000, idleQuestions: 100 },
      tune: true,
    };

const log = (line: string) => process.stderr.write(`${line}\n`);
const startedAt = new Date();
const memory = startMemorySampler();
const config = loadConfig({ cwd: projectRoot, env: process.env });
const skipped: string[] = [];
const phasePeakMb: Record<string, number> = {};

const results: {
  stores: { sqlite?: StoreBenchmarkResult; elasticsearch?: StoreBenchmarkResult };
  peers: PeerResult[];
  ask: AskConcurrencyResult[];
  fakeOpenAiHandlingP95Ms?: number;
  slack?: SlackEndToEndResult;
  quality?: DocsQualityResult;
  embedder?: EmbedderBenchResult;
  burst?: BurstResult;
} = { stores: {}, peers: [], ask: [] };

const elasticsearch = await findElasticsearch(config);
if (!elasticsearch.url)
  log(
    `Elasticsearch: skipped (${elasticsearch.reason}). Start one with \`npm run es -- start\` for its figures.`,
  );

if (only.has('stores')) {
  log('Retrieval latency and ingestion: embedded SQLite store');
  results.stores.sqlite = await benchmarkSqlite(config, plan.sqlite, log);
  phasePeakMb.sqlite = memory.takePhasePeak();
  if (elasticsearch.url) {
    log('Retrieval latency and ingestion: Elasticsearch store');
    results.stores.elasticsearch = await benchmarkElasticsearch(
      config,
      elasticsearch.url,
      plan.elasticsearch,
      log,
      async (size) => {
        if (!plan.peerSizes.includes(size) || !only.has('peer')) return;
        log(`Peer: LangChain ElasticVectorSearch at ${size} chunks`);
        results.peers.push(
          await benchmarkLangChain(
            elasticsearch.url!,
            size,
            queriesFor(size, plan.elasticsearch.queries).queries,
            {
              warmup: plan.elasticsearch.warmup,
              batchSize: config.store.elasticsearch.bulkSize,
            },
          ),
        );
      },
    );
    phasePeakMb.elasticsearch = memory.takePhasePeak();
  } else {
    skipped.push('Elasticsearch store figures and the peer comparison (no Elasticsearch)');
  }
} else if (only.has('peer')) {
  skipped.push(
    'the peer comparison (it runs with the stores section, on the same Elasticsearch index sizes)',
  );
}

if (only.has('ask') || only.has('slack')) {
  const fakeOpenAi = await startFakeOpenAi();
  try {
    const { queries } = queriesFor(plan.askChunks, 500);
    if (only.has('ask')) {
      log(
        `ask() overhead: embedded store with ${plan.askChunks} chunks, fake OpenAI server in its own process`,
      );
      const bench = await openAskBenchCore({
        projectRoot,
        baseUrl: fakeOpenAi.baseUrl,
        chunks: plan.askChunks,
        queries,
      });
      memory.takePhasePeak();
      try {
        for (const step of plan.ask) {
          log(`  concurrency ${step.concurrency}: ${step.requests} questions`);
          results.ask.push(await measureAsk(bench.core, queries, { ...step, warmup: 20 }));
          phasePeakMb[`ask concurrency ${step.concurrency}`] = memory.takePhasePeak();
        }
      } finally {
        await bench.dispose();
      }
    }
    if (only.has('slack')) {
      log(`Slack end to end: signed app_mention events at concurrency ${plan.slack.concurrency}`);
      results.slack = await measureSlackEndToEnd({
        projectRoot,
        baseUrl: fakeOpenAi.baseUrl,
        chunks: plan.askChunks,
        queries,
        ...plan.slack,
        warmup: 5,
      });
      phasePeakMb['slack'] = memory.takePhasePeak();
    }
    const handling = (await fakeOpenAi.handlingMs()).sort((a, b) => a - b);
    results.fakeOpenAiHandlingP95Ms = handling[Math.max(0, Math.ceil(handling.length * 0.95) - 1)];
  } finally {
    await fakeOpenAi.stop();
  }
}

if (only.has('quality')) {
  const model = useLocalModel();
  if (!model) {
    skipped.push('retrieval quality on docs/ (the local embedding model is missing: npm run model:fetch)');
  } else {
    log('Retrieval quality: test/fixtures/qa/docs-qa.jsonl over docs/ with the local model');
    results.quality = await measureDocsQuality({
      projectRoot,
      qaFile: path.join(projectRoot, 'test/fixtures/qa/docs-qa.jsonl'),
      model,
      tune: plan.tune,
      log,
    });
    phasePeakMb['quality'] = memory.takePhasePeak();
  }
}

if (only.has('embedder')) {
  if (!useLocalModel()) {
    skipped.push('the local model figures (the local embedding model is missing: npm run model:fetch)');
  } else {
    const fakeOpenAi = await startFakeOpenAi();
    try {
      results.embedder = await benchmarkEmbedder({
        projectRoot,
        config,
        elasticsearchUrl: elasticsearch.url,
        fakeOpenAiUrl: fakeOpenAi.baseUrl,
        plan: plan.embedder,
        log,
      });
      phasePeakMb['embedder'] = memory.takePhasePeak();
    } finally {
      await fakeOpenAi.stop();
    }
  }
}

// The burst ingests a manual with the real model: minutes, so the quick run (CI) leaves it out unless asked.
if (only.has('burst') && (!quick || flags.only !== undefined)) {
  const model = useLocalModel();
  if (!model) {
    skipped.push('the answer burst (the local embedding model is missing: npm run model:fetch)');
  } else {
    log(
      `Answer burst: 60 questions at once to one process, offline answers, the real local model, ${os.cpus().length} CPUs`,
    );
    results.burst = await measureAnswerBurst({ projectRoot, model, questions: 60, log });
    phasePeakMb['burst'] = memory.takePhasePeak();
  }
}

const { sampledPeakMb, maxRssMb } = memory.stop();
const label = {
  date: startedAt.toISOString(),
  mode: quick ? 'quick' : 'full',
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  elasticsearch: elasticsearch.url ?? null,
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
};
const targets: Target[] = targetsOf(results);
const report = {
  label,
  settings: { retrieval: config.retrieval, bulkSize: config.store.elasticsearch.bulkSize },
  results,
  memory: { sampledPeakRssMb: sampledPeakMb, maxRssMb, phasePeakMb },
  targets,
  skipped,
};
printReport(report);
if (results.burst) {
  process.stdout.write(
    `\nAnswer burst: ${results.burst.runs[0]?.questions ?? 0} offline questions at once, one process, ${label.cpus} CPUs, ` +
      `${results.burst.passages} passages (ingested with sentence vectors in ${results.burst.ingestSeconds.toFixed(0)} s)\n`,
  );
  for (const run of results.burst.runs)
    process.stdout.write(
      `  ${run.method.padEnd(26)} p50 ${(run.latencyMs.p50 / 1000).toFixed(2)} s  p95 ${(run.latencyMs.p95 / 1000).toFixed(2)} s  ` +
        `${run.questionsPerSecond.toFixed(1)} questions/s  ${run.textsEmbedded} texts embedded\n`,
    );
}
const folder = path.join(projectRoot, 'bench/results');
mkdirSync(folder, { recursive: true });
const file = path.join(folder, `${startedAt.toISOString().replace(/[:.]/g, '-')}-${label.mode}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\nWrote ${path.relative(projectRoot, file)}\n`);
