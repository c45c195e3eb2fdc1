import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOpenAiChatModel } from '../src/core/adapters/openai/index.ts';
import { createSqliteStore } from '../src/core/adapters/sqlite/index.ts';
import {
  type ChatModel,
  type Config,
  type Core,
  createCore,
  createLogger,
  loadConfig,
  type Store,
} from '../src/core/index.ts';
import { createPrecomputedEmbedder, syntheticSpace } from './bench-stores.ts';
import { type LatencySummary, summarise } from './latency-summary.ts';
import { ingestThroughPort } from './store-ingestion.ts';
import type { SyntheticQuery } from './synthetic-corpus.ts';

/** Time the chat model took for the ask() running in this async context. */
const modelTime = new AsyncLocalStorage<{ modelMs: number }>();

/** Wraps the real OpenAI chat adapter to note its modelMs (SDK + HTTP + server) against the ask() that called it. */
function timedChatModel(inner: ChatModel): ChatModel {
  return {
    async complete(request) {
      const response = await inner.complete(request);
      const slot = modelTime.getStore();
      if (slot) slot.modelMs += response.modelMs;
      return response;
    },
  };
}

export interface AskBenchCore {
  core: Core;
  store: Store;
  dispose(): Promise<void>;
}

/**
 * A core as `npm start` builds it (embedded SQLite store, the OpenAI chat adapter, a JSON log file), pointed at
 * the fake OpenAI server, with the synthetic corpus and an embedder of precomputed query vectors. The refusal
 * threshold is 0 so every question reaches the model, which is the path being measured.
 */
export async function openAskBenchCore(options: {
  projectRoot: string;
  baseUrl: string;
  chunks: number;
  queries: SyntheticQuery[];
  env?: Record<string, string>;
}): Promise<AskBenchCore> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-bench-ask-'));
  const config: Config = loadConfig({
    cwd: options.projectRoot,
    env: {
      ANSWERLOOP_DATA_DIR: dataDir,
      OPENAI_API_KEY: 'sk-bench-0000000000000000',
      OPENAI_BASE_URL: options.baseUrl,
      ...options.env,
    },
    overrides: { answering: { refusalThreshold: 0 }, openai: { maxRetries: 0 } },
  });
  const logger = createLogger({
    level: config.logLevel,
    file: path.join(dataDir, 'answerloop.log'),
    stderr: false,
  });
  const store = createSqliteStore({ file: path.join(dataDir, config.store.embedded.file), logger });
  await store.init(syntheticSpace);
  await ingestThroughPort(store, options.chunks, { from: 0 });
  const chatModel = timedChatModel(
    createOpenAiChatModel({
      apiKey: config.secrets.openaiApiKey!,
      baseUrl: config.openai.baseUrl,
      timeoutMs: config.openai.timeoutMs,
      maxRetries: 0,
      logger,
    }),
  );
  const embedder = createPrecomputedEmbedder(
    new Map(options.queries.map((query) => [query.text, query.vector])),
  );
  const core = createCore({ config, store, embedder, chatModel, logger });
  return {
    core,
    store,
    async dispose() {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface AskConcurrencyResult {
  concurrency: number;
  requests: number;
  /** ask() from call to result. */
  endToEnd: LatencySummary;
  /** The chat model's own time as the adapter measured it (ChatResponse.modelMs). */
  model: LatencySummary;
  /** End to end minus the model's time, per request: what ask() adds. */
  overhead: LatencySummary;
  requestsPerSecond: number;
  /** Processor time of this process per question (user + system): what one question costs, whatever the load. */
  cpuMsPerRequest: number;
  /** Answers that did not come from the model (refused or failed): should be 0. */
  notAnswered: number;
}

/**
 * Runs `requests` ask() calls with `concurrency` of them in flight at any time (a closed loop). The first
 * `2 x concurrency` answers are a ramp (every worker starts at the same instant) and are not counted.
 */
export async function measureAsk(
  core: Core,
  queries: SyntheticQuery[],
  options: { concurrency: number; requests: number; warmup: number },
): Promise<AskConcurrencyResult> {
  const ask = (index: number) =>
    core.ask({
      question: queries[index % queries.length]!.text,
      context: { platform: 'api', userId: `bench-user-${index % 50}` },
    });
  for (let index = 0; index < options.warmup; index += 1) await ask(index);

  const ramp = 2 * options.concurrency;
  const total = options.requests + ramp;
  const endToEnd: number[] = [];
  const model: number[] = [];
  const overhead: number[] = [];
  let notAnswered = 0;
  let next = 0;
  let completed = 0;
  let measuredFrom = performance.now();
  let cpuFrom = process.cpuUsage();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const slot = { modelMs: 0 };
        const askStarted = performance.now();
        const result = await modelTime.run(slot, () => ask(index));
        const elapsed = performance.now() - askStarted;
        completed += 1;
        if (completed === ramp) {
          measuredFrom = performance.now();
          cpuFrom = process.cpuUsage();
        }
        if (completed <= ramp) continue;
        if (result.route !== 'retrieve' || slot.modelMs === 0) notAnswered += 1;
        endToEnd.push(elapsed);
        model.push(slot.modelMs);
        overhead.push(elapsed - slot.modelMs);
      }
    }),
  );
  const seconds = (performance.now() - measuredFrom) / 1000;
  const cpu = process.cpuUsage(cpuFrom);
  return {
    concurrency: options.concurrency,
    requests: endToEnd.length,
    endToEnd: summarise(endToEnd),
    model: summarise(model),
    overhead: summarise(overhead),
    requestsPerSecond: endToEnd.length / seconds,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / endToEnd.length,
    notAnswered,
  };
}
