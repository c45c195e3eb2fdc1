/**
 * A burst of questions to one process, answered offline with the real local embedding model: what a busy channel
 * costs. Every question is sent at once; each answer's latency runs from the burst's start to its answer.
 *
 * Side by side in one run, on the same knowledge base (the project's own manual) and the same questions:
 * - stored: sentence vectors stored with the passages at ingestion; answering embeds the question alone.
 * - embedded at question time: the same passages without stored sentence vectors, as a store ingested before they
 *   were kept serves them: each answer embeds its question and the sentences of its passages (one batch). The
 *   method before stored vectors embedded those sentences twice (once for the answerability score, once for the
 *   offline answer), so this is a lower bound of its cost.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalEmbedder } from '../src/core/adapters/local-embedder/index.ts';
import { createSqliteStore } from '../src/core/adapters/sqlite/index.ts';
import { createCore, loadConfig, silentLogger } from '../src/core/index.ts';
import { parseQaSet } from '../src/core/retrieval/retrieval-evaluation.ts';
import type { LocalModelForTests } from '../test/support/local-model.ts';
import { type LatencySummary, summarise } from './latency-summary.ts';

export interface BurstRun {
  method: 'stored' | 'embedded at question time';
  questions: number;
  latencyMs: LatencySummary;
  questionsPerSecond: number;
  /** Texts the model embedded during the burst. */
  textsEmbedded: number;
}

export interface BurstResult {
  passages: number;
  /** Ingestion of the manual with sentence vectors, and the sentences stored. */
  ingestSeconds: number;
  runs: BurstRun[];
}

export async function measureAnswerBurst(options: {
  projectRoot: string;
  model: LocalModelForTests;
  questions: number;
  log: (line: string) => void;
}): Promise<BurstResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-bench-burst-'));
  const qaFile = path.join(options.projectRoot, 'test/fixtures/qa/docs-qa.jsonl');
  const qa = parseQaSet(readFileSync(qaFile, 'utf8'), qaFile);
  const questions = Array.from({ length: options.questions }, (_, index) => qa[index % qa.length]!.question);
  const config = loadConfig({
    cwd: options.projectRoot,
    env: { ANSWERLOOP_DATA_DIR: dataDir },
    overrides: { logFile: '', answering: { mode: 'offline' } },
  });
  const texts = { count: 0 };
  const inner = createLocalEmbedder({
    model: options.model.model,
    modelDir: options.model.modelDir,
    allowRemote: false,
    dtype: options.model.dtype,
    dimensions: options.model.dimensions,
    logger: silentLogger,
  });
  const embedder = {
    id: inner.id,
    dimensions: inner.dimensions,
    embed: (batch: string[], embedOptions?: Parameters<typeof inner.embed>[1]) => {
      texts.count += batch.length;
      return inner.embed(batch, embedOptions);
    },
  };
  const store = createSqliteStore({
    file: path.join(dataDir, config.store.embedded.file),
    logger: silentLogger,
  });
  try {
    const ingestCore = createCore({ config, store, embedder, logger: silentLogger });
    const started = performance.now();
    const report = await ingestCore.ingest([path.join(options.projectRoot, config.knowledge.docsDir)]);
    const ingestSeconds = (performance.now() - started) / 1000;
    options.log(
      `  ingested ${report.chunks} passages with their sentence vectors in ${ingestSeconds.toFixed(0)} s`,
    );

    const burst = async (method: BurstRun['method']): Promise<BurstRun> => {
      // A fresh core per run: nothing cached from the run before.
      const core = createCore({ config, store, embedder, logger: silentLogger });
      await core.ask({ question: 'warm up the model', context: { platform: 'cli' } });
      texts.count = 0;
      const burstStarted = performance.now();
      const latencies = await Promise.all(
        questions.map(async (question) => {
          await core.ask({ question, context: { platform: 'cli' } });
          return performance.now() - burstStarted;
        }),
      );
      const seconds = (performance.now() - burstStarted) / 1000;
      const run = {
        method,
        questions: questions.length,
        latencyMs: summarise(latencies),
        questionsPerSecond: questions.length / seconds,
        textsEmbedded: texts.count,
      };
      options.log(
        `  ${method}: p50 ${run.latencyMs.p50.toFixed(0)} ms, p95 ${run.latencyMs.p95.toFixed(0)} ms, ` +
          `${run.questionsPerSecond.toFixed(1)} questions/s, ${run.textsEmbedded} texts embedded`,
      );
      return run;
    };

    const stored = await burst('stored');
    // The same passages as a store ingested before sentence vectors were kept holds them.
    for (const document of await store.listDocuments()) {
      const ids = Array.from({ length: document.chunkCount }, (_, ordinal) => `${document.docId}#${ordinal}`);
      const chunks = (await store.getChunks(ids)).map(({ sentences: _sentences, ...chunk }) => chunk);
      await store.replaceDocument(document.docId, chunks);
    }
    const atQuestionTime = await burst('embedded at question time');
    return { passages: report.chunks, ingestSeconds, runs: [atQuestionTime, stored] };
  } finally {
    await store.close();
    await inner.close?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
