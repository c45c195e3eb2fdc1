/**
 * Real processes of bin/answerloop.js for the replica tests: started on a free loopback port, watched until they
 * exit, probed over HTTP. Only loopback addresses, and every wait is bounded.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const repositoryRoot = path.resolve(import.meta.dirname, '../..');
export const binary = path.join(repositoryRoot, 'bin/answerloop.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` holds (a check that throws counts as not yet), at most `timeoutMs`; false when it never did. */
export async function eventually(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(done)
        .catch(() => false)
    )
      return true;
    await sleep(everyMs);
  }
  return done();
}

export interface Replica {
  port: number;
  process: ChildProcess;
  stderr: string[];
  alive: boolean;
  exit: Promise<number | null>;
}

/** `answerloop start` in `workspace` with Slack's HTTP port (and so the probes) on `port`. */
export function startReplica(workspace: string, env: NodeJS.ProcessEnv, port: number): Replica {
  const child = spawn(process.execPath, [binary, 'start'], {
    cwd: workspace,
    env: { ...env, ANSWERLOOP_SLACK__PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const replica: Replica = {
    port,
    process: child,
    stderr: [],
    alive: true,
    exit: new Promise((resolve) =>
      child.once('exit', (code) => {
        replica.alive = false;
        resolve(code);
      }),
    ),
  };
  child.stderr!.on('data', (chunk: Buffer) => replica.stderr.push(chunk.toString()));
  return replica;
}

/** GET /readyz answered 200 within 3 s. */
export async function ready(replica: Replica): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${replica.port}/readyz`, {
      signal: AbortSignal.timeout(3000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The sum of a Prometheus metric's samples over all its labels. */
export function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** A folder with the answering test docs, and the environment of a Slack HTTP replica on Elasticsearch there. */
export function slackReplicaWorkspace(options: {
  name: string;
  elasticsearchUrl: string;
  modelDir: string;
  slackApiUrl: string;
  signingSecret: string;
  env?: Record<string, string>;
}): { workspace: string; env: NodeJS.ProcessEnv } {
  const workspace = mkdtempSync(path.join(tmpdir(), `answerloop-${options.name}-`));
  cpSync(path.join(repositoryRoot, 'test/fixtures/answering-docs'), path.join(workspace, 'docs'), {
    recursive: true,
  });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: workspace,
    ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
    ANSWERLOOP_LOG_FILE: '',
    ANSWERLOOP_LOG_LEVEL: 'warn',
    ANSWERLOOP_STORE: 'elasticsearch',
    ELASTICSEARCH_URL: options.elasticsearchUrl,
    ANSWERLOOP_ANSWERING__MODE: 'offline',
    ANSWERLOOP_EMBEDDER__LOCAL__MODEL_DIR: options.modelDir,
    SLACK_BOT_TOKEN: `xoxb-${options.name}`,
    SLACK_SIGNING_SECRET: options.signingSecret,
    ANSWERLOOP_SLACK__MODE: 'http',
    ANSWERLOOP_SLACK__API_URL: options.slackApiUrl,
    ANSWERLOOP_SLACK__STREAM: 'off',
    ANSWERLOOP_SLACK__RATE_LIMIT_PER_MINUTE: '0',
    ANSWERLOOP_COORDINATION__SWEEP_INTERVAL_MS: '1000',
    ANSWERLOOP_COORDINATION__LEASE_TTL_MS: '3000',
    ANSWERLOOP_OPS__SHUTDOWN_GRACE_SECONDS: '10',
    ...options.env,
  };
  return { workspace, env };
}

/**
 * Ingests the workspace's docs once (unless `ingest` is false), then starts `count` replicas (each with `envOf(index)`
 * over `env`) and waits until every one is ready.
 */
export async function startReadyReplicas(
  workspace: string,
  env: NodeJS.ProcessEnv,
  count: number,
  options: { ingest?: boolean; envOf?: (index: number) => NodeJS.ProcessEnv } = {},
): Promise<Replica[]> {
  if (options.ingest !== false)
    await promisify(execFile)(process.execPath, [binary, 'ingest', 'docs'], {
      cwd: workspace,
      env,
      timeout: 120_000,
    });
  const replicas: Replica[] = [];
  for (let index = 0; index < count; index += 1)
    replicas.push(startReplica(workspace, { ...env, ...options.envOf?.(index) }, await freePort()));
  const allReady = await eventually(
    async () => (await Promise.all(replicas.map(ready))).every(Boolean),
    90_000,
    500,
  );
  if (!allReady) {
    for (const replica of replicas) replica.process.kill('SIGKILL');
    throw new Error(
      `The replicas did not get ready:\n${replicas.map((replica) => replica.stderr.join('')).join('\n---\n')}`,
    );
  }
  return replicas;
}

/** Kills what is still running and waits for every replica to exit. */
export async function killReplicas(replicas: Replica[]): Promise<void> {
  for (const replica of replicas) if (replica.alive) replica.process.kill('SIGKILL');
  await Promise.all(replicas.map((replica) => replica.exit));
}
