/**
 * Real processes of bin/answerloop.js for the replica tests: started on a free loopback port, watched until they
 * exit, probed over HTTP. Only loopback addresses, and every wait is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

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

/** Polls until `done` holds, at most `timeoutMs`; false when it never did. */
export async function eventually(done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
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
    const response = await fetch(`http://127.0.0.1:${replica.port}/readyz`, { signal: AbortSignal.timeout(3000) });
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
