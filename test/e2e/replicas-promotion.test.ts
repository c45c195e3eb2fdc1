/**
 * Two real processes of bin/answerloop.js on the real Elasticsearch node: a promotion, then a rollback, done by the
 * CLI in a third process becomes the active model of both replicas within seconds (their /metrics say so).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchStore } from '../../src/core/adapters/elasticsearch/index.ts';
import { silentLogger } from '../../src/core/ports/index.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { useLocalModel } from '../support/local-model.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const binary = path.join(repositoryRoot, 'bin/answerloop.js');
const url = await useElasticsearch();
const model = useLocalModel();
const candidate = 'ft:gpt-4o-mini-2024-07-18:acme:support:Repl1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function eventually(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(done).catch(() => false)) return true;
    await sleep(everyMs);
  }
  return done();
}

interface Replica {
  port: number;
  process: ChildProcess;
  stderr: string[];
  exit: Promise<number | null>;
}

async function activeModelOf(replica: Replica): Promise<string | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
  return /answerloop_active_model_info\{model="([^"]+)"\} 1/.exec(text)?.[1];
}

describe.skipIf(!url || !model)('a promotion seen by every replica', () => {
  const prefix = uniqueIndexPrefix('promotion');
  let workspace: string;
  let fake: FakeSlackApi;
  let env: NodeJS.ProcessEnv;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-promotion-'));
    fake = await startFakeSlackApi();
    const closedPort = await freePort();
    env = {
      PATH: process.env.PATH,
      HOME: workspace,
      ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
      ANSWERLOOP_LOG_FILE: '',
      ANSWERLOOP_LOG_LEVEL: 'warn',
      ANSWERLOOP_STORE: 'elasticsearch',
      ELASTICSEARCH_URL: url,
      ANSWERLOOP_STORE__ELASTICSEARCH__INDEX_PREFIX: prefix,
      // Answers from "OpenAI" (nothing is asked here: a closed local port stands in for it).
      OPENAI_API_KEY: 'sk-test-key-000000000000',
      ANSWERLOOP_OPENAI__BASE_URL: `http://127.0.0.1:${closedPort}/v1`,
      ANSWERLOOP_EMBEDDER__LOCAL__MODEL_DIR: model!.modelDir,
      SLACK_BOT_TOKEN: 'xoxb-promotion-test',
      SLACK_SIGNING_SECRET: 'promotion-test-secret',
      ANSWERLOOP_SLACK__MODE: 'http',
      ANSWERLOOP_SLACK__API_URL: fake.url,
      ANSWERLOOP_COORDINATION__LEASE_TTL_MS: '3000',
    };
    for (let index = 0; index < 2; index += 1) {
      const port = await freePort();
      const child = spawn(process.execPath, [binary, 'start'], { cwd: workspace, env: { ...env, ANSWERLOOP_SLACK__PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
      const replica: Replica = { port, process: child, stderr: [], exit: new Promise((resolve) => child.once('exit', resolve)) };
      child.stderr!.on('data', (chunk: Buffer) => replica.stderr.push(chunk.toString()));
      replicas.push(replica);
    }
    const ready = await eventually(
      async () => (await Promise.all(replicas.map(async (replica) => (await fetch(`http://127.0.0.1:${replica.port}/readyz`)).status === 200))).every(Boolean),
      120_000,
      500,
    );
    if (!ready) throw new Error(`The replicas did not get ready:\n${replicas.map((replica) => replica.stderr.join('')).join('\n---\n')}`);
    // A candidate in the registry, as a finished fine-tuning job leaves it.
    const store = createElasticsearchStore({ url: url!, indexPrefix: prefix, analyzer: 'english', requestTimeoutMs: 10_000, maxRetries: 0, bulkSize: 500, logger: silentLogger });
    await store.saveModel({
      name: candidate,
      baseModel: 'gpt-4o-mini-2024-07-18',
      jobId: 'ftjob-replicas',
      datasetVersion: 'support@1',
      status: 'candidate',
      evaluation: null,
      promotedAt: null,
      previousActive: null,
      createdAt: new Date().toISOString(),
    });
    await store.close();
  }, 240_000);

  afterAll(async () => {
    for (const replica of replicas) if (replica.process.exitCode === null) replica.process.kill('SIGKILL');
    await Promise.all(replicas.map((replica) => replica.exit));
    await fake?.close();
    if (url) await deleteIndices(url, prefix);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('switches both replicas to a model promoted by the CLI, and back on rollback, within seconds', { timeout: 120_000 }, async () => {
    const base = await activeModelOf(replicas[0]!);
    expect(base).toBe('gpt-4o-mini-2024-07-18');
    expect(await activeModelOf(replicas[1]!)).toBe(base);

    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [binary, ...args], { cwd: workspace, env, timeout: 60_000 });
    await cli('models', 'promote', candidate);
    const promotedAt = Date.now();
    const switched = await eventually(async () => (await Promise.all(replicas.map(activeModelOf))).every((name) => name === candidate), 10_000);
    const promotionSeenMs = Date.now() - promotedAt;

    await cli('models', 'rollback');
    const rolledBackAt = Date.now();
    const back = await eventually(async () => (await Promise.all(replicas.map(activeModelOf))).every((name) => name === base), 10_000);
    const rollbackSeenMs = Date.now() - rolledBackAt;
    console.log(`promotion seen by both replicas after ${promotionSeenMs} ms, rollback after ${rollbackSeenMs} ms`);

    expect(switched).toBe(true);
    expect(back).toBe(true);
    expect(promotionSeenMs).toBeLessThan(5000);
    expect(rollbackSeenMs).toBeLessThan(5000);
  });
});
