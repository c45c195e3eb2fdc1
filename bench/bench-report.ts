import type { BurstResult } from './answer-burst.ts';
import type { AskConcurrencyResult } from './ask-overhead.ts';
import type { DocsQualityResult } from './docs-retrieval-quality.ts';
import type { EmbedderBenchResult } from './embedder-benchmarks.ts';
import type { PeerResult } from './langchain-peer.ts';
import { formatMs, formatRatio } from './latency-summary.ts';
import type { SlackEndToEndResult } from './slack-end-to-end.ts';
import type { LatencyAtSize, StoreBenchmarkResult } from './store-benchmarks.ts';
import { formatTable } from './terminal-table.ts';

export interface BenchResults {
  stores: { sqlite?: StoreBenchmarkResult; elasticsearch?: StoreBenchmarkResult };
  peers: PeerResult[];
  ask: AskConcurrencyResult[];
  fakeOpenAiHandlingP95Ms?: number;
  slack?: SlackEndToEndResult;
  quality?: DocsQualityResult;
  embedder?: EmbedderBenchResult;
  burst?: BurstResult;
}

export interface BenchReport {
  label: {
    date: string;
    mode: string;
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    elasticsearch: string | null;
    durationSeconds: number;
  };
  results: BenchResults;
  memory: { sampledPeakRssMb: number; maxRssMb: number; phasePeakMb: Record<string, number> };
  targets: Target[];
  skipped: string[];
}

export interface Target {
  target: string;
  measured: string;
  /** null when the run did not measure it. */
  met: boolean | null;
}

const three = (value: number) => value.toFixed(3);

/** The latency row at the given size, or the largest one measured when that size was not (quick runs). */
function atSize(latency: LatencyAtSize[] | undefined, chunks: number): LatencyAtSize | undefined {
  if (!latency || latency.length === 0) return undefined;
  return latency.find((row) => row.chunks >= chunks && row.chunks < chunks * 1.05) ?? latency.at(-1);
}

/** The issue's targets against what this run measured. */
export function targetsOf(results: BenchResults): Target[] {
  const targets: Target[] = [];
  const es = atSize(results.stores.elasticsearch?.latency, 100_000);
  const esHybrid = es?.modes.find((mode) => mode.mode === 'hybrid');
  targets.push({
    target: 'Elasticsearch hybrid at 100k chunks: our overhead over `took` <= 3 ms at p95',
    measured: esHybrid?.overhead
      ? `${formatMs(esHybrid.overhead.p95)} ms at ${es!.chunks} chunks`
      : 'not measured',
    met: esHybrid?.overhead && es!.chunks >= 100_000 ? esHybrid.overhead.p95 <= 3 : null,
  });
  const ratio = results.stores.elasticsearch?.bulkRatio;
  targets.push({
    target: 'Ingestion into Elasticsearch >= 80% of plain _bulk',
    measured: ratio === undefined ? 'not measured' : `${Math.round(ratio * 100)}%`,
    met: ratio === undefined ? null : ratio >= 0.8,
  });
  const indexed = results.stores.sqlite?.latency.filter((row) => row.method !== 'exact scan');
  for (const [chunks, limit] of [
    [20_000, 8],
    [100_000, 20],
  ] as const) {
    const sqlite = atSize(indexed, chunks);
    const sqliteHybrid = sqlite?.modes.find((mode) => mode.mode === 'hybrid');
    targets.push({
      target: `SQLite store: hybrid p95 <= ${limit} ms at ${chunks / 1000}k chunks`,
      measured: sqliteHybrid
        ? `${formatMs(sqliteHybrid.wall.p95)} ms at ${sqlite!.chunks} chunks`
        : 'not measured',
      met: sqliteHybrid && sqlite!.chunks >= chunks ? sqliteHybrid.wall.p95 <= limit : null,
    });
  }
  const agreement = indexed?.filter((row) => row.vectorRecallAt10VsExact !== undefined);
  const worst = agreement?.length
    ? Math.min(...agreement.map((row) => row.vectorRecallAt10VsExact!))
    : undefined;
  targets.push({
    target: "SQLite vector index: Recall@10 within 0.01 of the exact scan's top 10, at every size",
    measured:
      worst === undefined
        ? 'not measured'
        : `${three(worst)} at worst (${agreement!.map((row) => `${row.chunks}: ${three(row.vectorRecallAt10VsExact!)}`).join(', ')})`,
    met: worst === undefined ? null : worst >= 0.99,
  });
  const embedder = results.embedder;
  for (const store of ['sqlite', 'elasticsearch'] as const) {
    const row = embedder?.ingestion.find((entry) => entry.store === store);
    targets.push({
      target: `Ingestion into ${store} with the local model >= 90% of the bare embedder's rate`,
      measured: row
        ? `${Math.round(row.share * 100)}% (${row.ingestPerSecond.toFixed(1)} vs ${row.embedderPerSecond.toFixed(1)} passages/s)`
        : 'not measured',
      met: row ? row.share >= 0.9 : null,
    });
  }
  const during = embedder?.askWhileIngesting;
  targets.push({
    target: 'ask() p95 while a 1,000-page ingest runs in the same process <= 2x idle',
    measured: during
      ? `${formatRatio(during.p95Ratio)} (${formatMs(during.ingesting.p95)} vs ${formatMs(during.idle.p95)} ms, ${during.pages} pages)`
      : 'not measured',
    met: during && during.pages >= 1_000 ? during.p95Ratio <= 2 : null,
  });
  const ask20 = results.ask.find((step) => step.concurrency === 20);
  targets.push({
    target: 'ask() overhead excluding the model: p95 < 30 ms at concurrency 20',
    measured: ask20 ? `${formatMs(ask20.overhead.p95)} ms` : 'not measured',
    met: ask20 ? ask20.overhead.p95 < 30 : null,
  });
  const stored = results.burst?.runs.find((run) => run.method === 'stored');
  targets.push({
    target: 'A burst of 60 offline questions on one process: p95 <= 3 s (sentence vectors stored)',
    measured: stored
      ? `${(stored.latencyMs.p95 / 1000).toFixed(2)} s (${stored.questions} questions, ${stored.questionsPerSecond.toFixed(1)}/s)`
      : 'not measured',
    met: stored && stored.questions >= 60 ? stored.latencyMs.p95 <= 3000 : null,
  });
  const modes = results.quality?.evaluation.modes;
  if (modes) {
    const of = (name: string) => modes.find((mode) => mode.mode === name)!;
    const [hybrid, bm25, vector] = [of('hybrid'), of('bm25'), of('vector')];
    const recallOk = hybrid.recallAtK >= Math.max(bm25.recallAtK, vector.recallAtK);
    const mrrOk = hybrid.mrr >= Math.max(bm25.mrr, vector.mrr);
    targets.push({
      target: 'Hybrid >= the better of BM25 and vector on Recall@5 and MRR (docs QA set)',
      measured: `Recall@5 ${three(hybrid.recallAtK)} vs ${three(Math.max(bm25.recallAtK, vector.recallAtK))}; MRR ${three(hybrid.mrr)} vs ${three(Math.max(bm25.mrr, vector.mrr))}`,
      met: recallOk && mrrOk,
    });
  } else {
    targets.push({
      target: 'Hybrid >= the better of BM25 and vector on Recall@5 and MRR (docs QA set)',
      measured: 'not measured',
      met: null,
    });
  }
  return targets;
}

function latencyTables(results: BenchResults): string[] {
  const tables: string[] = [];
  const rows: string[][] = [];
  for (const store of [results.stores.sqlite, results.stores.elasticsearch]) {
    for (const size of store?.latency ?? []) {
      for (const mode of size.modes) {
        rows.push([
          size.method === 'exact scan' ? `${size.store} (exact scan)` : size.store,
          String(size.chunks),
          mode.mode,
          formatMs(mode.wall.p50),
          formatMs(mode.wall.p95),
          formatMs(mode.wall.p99),
          three(mode.recallAt5),
          three(mode.mrrAt10),
        ]);
      }
    }
  }
  if (rows.length > 0) {
    tables.push(
      formatTable(
        'Retrieval latency (ms): core search, one query at a time, precomputed query vectors, k = 10',
        ['store', 'chunks', 'mode', 'p50', 'p95', 'p99', 'Recall@5', 'MRR@10'],
        rows,
        'Recall@5 / MRR@10: how often the chunk each synthetic query was written for comes back (known answers). ' +
          'sqlite (exact scan): the same file with every vector compared, the earlier method.',
      ),
    );
  }
  const agreementRows = (results.stores.sqlite?.latency ?? [])
    .filter((size) => size.vectorRecallAt10VsExact !== undefined)
    .map((size) => [String(size.chunks), three(size.vectorRecallAt10VsExact!)]);
  if (agreementRows.length > 0) {
    tables.push(
      formatTable(
        'SQLite vector index against the exact scan: share of the exact top 10 it returns (Recall@10)',
        ['chunks', 'Recall@10 vs exact'],
        agreementRows,
        'Exact below 4,000 passages; beyond, one-bit codes pick 1,000 candidates that are scored exactly.',
      ),
    );
  }
  const engineRows: string[][] = [];
  for (const size of results.stores.elasticsearch?.latency ?? []) {
    for (const mode of size.modes) {
      if (!mode.engine || !mode.overhead) continue;
      engineRows.push([
        String(size.chunks),
        mode.mode,
        formatMs(mode.engine.p50),
        formatMs(mode.engine.p95),
        formatMs(mode.overhead.p50),
        formatMs(mode.overhead.p95),
        formatMs(mode.overhead.p99),
      ]);
    }
  }
  if (engineRows.length > 0) {
    tables.push(
      formatTable(
        'Elasticsearch: its own `took` and what we add on top (ms)',
        ['chunks', 'mode', 'took p50', 'took p95', 'ours p50', 'ours p95', 'ours p99'],
        engineRows,
        'ours = wall time of core search minus `took`, per query: client, HTTP, JSON, fusion.',
      ),
    );
  }
  return tables;
}

function ingestionTable(results: BenchResults): string[] {
  const rows: string[][] = [];
  const ratio = results.stores.elasticsearch?.bulkRatio;
  for (const store of [results.stores.sqlite, results.stores.elasticsearch]) {
    for (const row of store?.ingestion ?? []) {
      const share =
        row.store === 'elasticsearch' && row.method === 'port' && ratio !== undefined
          ? `${Math.round(ratio * 100)}%`
          : '';
      rows.push([
        row.store,
        row.method,
        String(row.chunks),
        String(row.documents),
        (row.ms / 1000).toFixed(1),
        row.chunksPerSecond.toFixed(0),
        share,
      ]);
    }
  }
  for (const { ingestion: peer } of results.peers) {
    rows.push([
      'elasticsearch',
      'LangChain addVectors',
      String(peer.chunks),
      String(peer.documents),
      (peer.ms / 1000).toFixed(1),
      peer.chunksPerSecond.toFixed(0),
      '',
    ]);
  }
  if (rows.length === 0) return [];
  return [
    formatTable(
      'Ingestion throughput (precomputed vectors)',
      ['store', 'method', 'chunks', 'docs', 'seconds', 'chunks/s', 'of _bulk'],
      rows,
      'port = replaceDocument per document, knowledge.writeConcurrency at a time, as `answerloop ingest` writes; plain _bulk = the same documents straight through @elastic/elasticsearch, 500 per request.',
    ),
  ];
}

function peerTables(results: BenchResults): string[] {
  return results.peers.map((peer) => peerTable(results, peer));
}

function peerTable(results: BenchResults, peer: PeerResult): string {
  const ours = results.stores.elasticsearch?.latency.find((size) => size.chunks === peer.chunks);
  const rows: string[][] = [];
  for (const mode of ours?.modes ?? []) {
    rows.push([
      `answerloop ${mode.mode}`,
      formatMs(mode.wall.p50),
      formatMs(mode.wall.p95),
      formatMs(mode.wall.p99),
      three(mode.recallAt5),
      three(mode.mrrAt10),
      formatRatio(mode.wall.p50 / peer.latency.p50),
      formatRatio(peer.recallAt5 > 0 ? mode.recallAt5 / peer.recallAt5 : Number.NaN),
      formatRatio(peer.mrrAt10 > 0 ? mode.mrrAt10 / peer.mrrAt10 : Number.NaN),
    ]);
  }
  rows.push([
    peer.system,
    formatMs(peer.latency.p50),
    formatMs(peer.latency.p95),
    formatMs(peer.latency.p99),
    three(peer.recallAt5),
    three(peer.mrrAt10),
    '1.00x',
    '1.00x',
    '1.00x',
  ]);
  return formatTable(
    `Side by side on Elasticsearch, ${peer.chunks} chunks, same queries (ms)`,
    ['system', 'p50', 'p95', 'p99', 'Recall@5', 'MRR@10', 'p50 vs peer', 'Recall vs peer', 'MRR vs peer'],
    rows,
    'Ratios are ours / LangChain. LangChain: ElasticVectorSearch with its defaults (HNSW, l2_norm, 200 candidates); its hybrid mode needs the server-side rrf retriever, which this node lacks.' +
      ` Index segments when searched: ours ${ours?.segments ?? '?'}, LangChain ${peer.segments ?? '?'} (each segment is searched on its own: more segments, slower kNN).`,
  );
}

function askTables(report: BenchReport): string[] {
  const { results } = report;
  const tables: string[] = [];
  if (results.ask.length > 0) {
    tables.push(
      formatTable(
        'ask() against a fake OpenAI server that answers at once (ms)',
        [
          'concurrency',
          'requests',
          'e2e p50',
          'e2e p95',
          'e2e p99',
          'model p50',
          'overhead p50',
          'overhead p95',
          'overhead p99',
          'req/s',
          'CPU ms/req',
          'RSS MB',
        ],
        results.ask.map((step) => [
          String(step.concurrency),
          String(step.requests),
          formatMs(step.endToEnd.p50),
          formatMs(step.endToEnd.p95),
          formatMs(step.endToEnd.p99),
          formatMs(step.model.p50),
          formatMs(step.overhead.p50),
          formatMs(step.overhead.p95),
          formatMs(step.overhead.p99),
          step.requestsPerSecond.toFixed(0),
          step.cpuMsPerRequest.toFixed(1),
          String(report.memory.phasePeakMb[`ask concurrency ${step.concurrency}`] ?? ''),
        ]),
        `overhead = e2e minus the model's time as the adapter measured it (ChatResponse.modelMs); the fake server itself spent ${formatMs(results.fakeOpenAiHandlingP95Ms)} ms at p95.` +
          (results.ask.some((step) => step.notAnswered > 0)
            ? ` Not answered by the model: ${results.ask.map((step) => step.notAnswered).join('/')}.`
            : ''),
      ),
    );
  }
  if (results.slack) {
    const slack = results.slack;
    tables.push(
      formatTable(
        'Slack end to end: signed app_mention -> finished answer on the fake Web API (ms)',
        ['concurrency', 'events', 'p50', 'p95', 'p99', 'events/s', 'API calls/question'],
        [
          [
            String(slack.concurrency),
            String(slack.events),
            formatMs(slack.eventToAnswer.p50),
            formatMs(slack.eventToAnswer.p95),
            formatMs(slack.eventToAnswer.p99),
            slack.eventsPerSecond.toFixed(0),
            slack.webApiCallsPerQuestion.toFixed(1),
          ],
        ],
      ),
    );
  }
  return tables;
}

function qualityTables(quality: DocsQualityResult | undefined): string[] {
  if (!quality) return [];
  const tables = [
    formatTable(
      `Retrieval quality on ${quality.qaFile}: ${quality.questions} questions over docs/ (${quality.documents} pages, ${quality.chunks} chunks)`,
      ['mode', 'Recall@5', 'MRR', 'nDCG@5', 'found in top 5'],
      quality.evaluation.modes.map((mode) => [
        mode.mode,
        three(mode.recallAtK),
        three(mode.mrr),
        three(mode.ndcgAtK),
        `${mode.answeredInTopK}/${quality.questions}`,
      ]),
      `Settings: chunks of ${quality.settings.chunkTokens} tokens, rrfK ${quality.settings.rrfK}, weights bm25 ${quality.settings.weights.bm25} / vector ${quality.settings.weights.vector}.` +
        (quality.evaluation.unknownRelevant.length > 0
          ? ` Unknown relevant paths: ${quality.evaluation.unknownRelevant.join(', ')}.`
          : ''),
    ),
  ];
  if (quality.variants.length > 0) {
    tables.push(
      formatTable(
        'Hybrid under other settings (best first)',
        ['chunk tokens', 'rrfK', 'bm25 : vector', 'Recall@5', 'MRR', 'nDCG@5'],
        quality.variants.map((variant) => [
          String(variant.chunkTokens),
          String(variant.rrfK),
          `${variant.weights.bm25} : ${variant.weights.vector}`,
          three(variant.recallAt5),
          three(variant.mrr),
          three(variant.ndcgAt5),
        ]),
      ),
    );
  }
  return tables;
}

function embedderTables(result: EmbedderBenchResult | undefined): string[] {
  if (!result) return [];
  const tables = [
    formatTable(
      'Local model variants: passages per second on the same passages, and closeness to fp32',
      ['dtype', 'passages', 'passages/s', 'cosine to fp32 mean', 'min'],
      result.variants.map((variant) => [
        variant.dtype,
        String(variant.passages),
        variant.passagesPerSecond.toFixed(1),
        variant.cosineToFp32 ? variant.cosineToFp32.mean.toFixed(4) : '-',
        variant.cosineToFp32 ? variant.cosineToFp32.min.toFixed(4) : '-',
      ]),
      'int8: per-channel dynamic int8 (model_int8.onnx); q8: per-tensor int8 (model_quantized.onnx, the earlier default); fp32: model.onnx.',
    ),
  ];
  if (result.ingestion.length > 0) {
    tables.push(
      formatTable(
        `Ingestion with the local model (${result.dtype}) against the bare embedder on the same pages`,
        ['store', 'pages', 'chunks', 'ingest chunks/s', 'embedder alone/s', 'share'],
        result.ingestion.map((row) => [
          row.store,
          String(row.pages),
          String(row.chunks),
          row.ingestPerSecond.toFixed(1),
          row.embedderPerSecond.toFixed(1),
          `${Math.round(row.share * 100)}%`,
        ]),
        'ingest = core.ingest on a folder (read, chunk, embed, write); embedder alone = the same texts, 64 per call.',
      ),
    );
  }
  const during = result.askWhileIngesting;
  if (during) {
    tables.push(
      formatTable(
        `ask() one at a time, idle and while ${during.pages} pages are ingested in the same process (ms)`,
        ['when', 'questions', 'p50', 'p95', 'p99'],
        [
          [
            'idle',
            String(during.idle.count),
            formatMs(during.idle.p50),
            formatMs(during.idle.p95),
            formatMs(during.idle.p99),
          ],
          [
            'ingesting',
            String(during.ingesting.count),
            formatMs(during.ingesting.p50),
            formatMs(during.ingesting.p95),
            formatMs(during.ingesting.p99),
          ],
        ],
        `Embedded store, local model for the questions and the pages, fake OpenAI server in its own process; the ingest ran at ${during.ingestPerSecond.toFixed(1)} chunks/s meanwhile.`,
      ),
    );
  }
  return tables;
}

export function printReport(report: BenchReport): void {
  const { label } = report;
  const out = [
    `answerloop benchmarks (${label.mode}) ${label.date}: ${label.cpus} CPUs (${label.cpuModel}), ${label.memoryGb} GB, Node ${label.node}, ${label.platform}`,
    ...latencyTables(report.results),
    ...ingestionTable(report.results),
    ...peerTables(report.results),
    ...askTables(report),
    ...qualityTables(report.results.quality),
    ...embedderTables(report.results.embedder),
    formatTable(
      'Memory of this process (MB)',
      ['phase', 'peak RSS'],
      [
        ...Object.entries(report.memory.phasePeakMb).map(([phase, mb]) => [phase, String(mb)]),
        ['whole run (sampled)', String(report.memory.sampledPeakRssMb)],
        ['whole run (maxRSS)', String(report.memory.maxRssMb)],
      ],
    ),
    formatTable(
      'Targets',
      ['target', 'measured', 'met'],
      report.targets.map((target) => [
        target.target,
        target.measured,
        target.met === null ? 'n/a' : target.met ? 'yes' : 'NO',
      ]),
      'n/a: not measured in this run (quick runs skip the large sizes).',
    ),
    ...(report.skipped.length > 0 ? ['', ...report.skipped.map((reason) => `Skipped: ${reason}`)] : []),
    '',
    `Finished in ${label.durationSeconds} s.`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
