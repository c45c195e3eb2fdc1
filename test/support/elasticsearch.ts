import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const defaultUrl = 'http://127.0.0.1:9200';

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

function installed(command: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

let resolved: Promise<string | undefined> | undefined;

/**
 * The URL of an Elasticsearch for tests that need a real one, found in this order: ELASTICSEARCH_URL; a node
 * already answering on 127.0.0.1:9200; a node started with `scripts/elasticsearch start` when Java and Maven
 * exist (it keeps running for the next test run: `npm run es -- stop` ends it). Without any, returns undefined
 * after a loud warning so the caller can skip, except under CI=true, where it throws: CI must not pass by skipping.
 *
 * Call it at the top level of a test file: `const url = await useElasticsearch(); describe.skipIf(!url)(...)`.
 */
export function useElasticsearch(): Promise<string | undefined> {
  resolved ??= findElasticsearch();
  return resolved;
}

async function findElasticsearch(): Promise<string | undefined> {
  const configured = process.env.ELASTICSEARCH_URL;
  if (configured) return configured.replace(/\/$/, '');
  if (await answers(defaultUrl)) return defaultUrl;

  if (installed('java') && installed('mvn')) {
    try {
      // The script serialises concurrent starts with a lock: a second test file waits, then finds it running.
      await promisify(execFile)('bash', [path.join(projectRoot, 'scripts/elasticsearch'), 'start'], {
        timeout: 240_000,
      });
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `scripts/elasticsearch start failed:\n${output.stdout ?? ''}${output.stderr ?? output.message}`,
      );
    }
    if (await answers(defaultUrl)) return defaultUrl;
    throw new Error(`scripts/elasticsearch start reported success but ${defaultUrl} does not answer.`);
  }

  const reason =
    'No Elasticsearch for the tests: ELASTICSEARCH_URL is unset, nothing answers on 127.0.0.1:9200, and java or mvn is missing.';
  if (process.env.CI === 'true')
    throw new Error(
      `${reason} CI must run these tests: install a JDK 17 and Maven, or set ELASTICSEARCH_URL.`,
    );
  console.warn(
    `\n!!! ${reason}\n!!! SKIPPING the Elasticsearch tests. Install a JDK 17 and Maven, or run \`docker compose up -d elasticsearch\`.\n`,
  );
  return undefined;
}

/** An index prefix no other test file uses, so files can run in parallel against one node. */
export function uniqueIndexPrefix(name: string): string {
  return `answerloop-test-${name}-${process.pid}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

/**
 * Deletes every index whose name starts with the prefix. Lists them first and deletes by name, because
 * Elasticsearch refuses wildcard deletes by default.
 */
export async function deleteIndices(url: string, prefix: string): Promise<void> {
  const listed = await fetch(`${url}/_cat/indices/${prefix}-*?format=json&h=index&expand_wildcards=all`);
  if (!listed.ok)
    throw new Error(`Listing test indices ${prefix}-* failed: ${listed.status} ${await listed.text()}`);
  const names = ((await listed.json()) as Array<{ index: string }>).map((row) => row.index);
  if (names.length === 0) return;
  const deleted = await fetch(`${url}/${names.join(',')}`, { method: 'DELETE' });
  if (!deleted.ok)
    throw new Error(
      `Deleting test indices ${names.join(', ')} failed: ${deleted.status} ${await deleted.text()}`,
    );
}

export interface DedicatedElasticsearch {
  url: string;
  port: number;
  /** The node's JVM, for tests that pause it (SIGSTOP) or kill it. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * A node of this test's own, started by `scripts/elasticsearch start --port <free port>` with its data in a
 * temporary folder: for tests that pause or kill Elasticsearch, which must never touch the node other tests
 * share. Undefined (after a warning) where Java or Maven is missing; under CI=true that throws instead.
 */
export async function startDedicatedElasticsearch(): Promise<DedicatedElasticsearch | undefined> {
  if (!installed('java') || !installed('mvn')) {
    const reason =
      'A test needs an Elasticsearch node of its own (it pauses it), started by scripts/elasticsearch, and java or mvn is missing.';
    if (process.env.CI === 'true') throw new Error(`${reason} CI must run it: install a JDK 17 and Maven.`);
    console.warn(`\n!!! ${reason}\n!!! SKIPPING it.\n`);
    return undefined;
  }
  const { createServer } = await import('node:net');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-es-node-'));
  const script = path.join(projectRoot, 'scripts/elasticsearch');
  const env = { ...process.env, ES_DATA_DIR: dataDir, ES_START_TIMEOUT: '180' };
  try {
    await promisify(execFile)('bash', [script, 'start', '--port', String(port)], { timeout: 240_000, env });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; message: string };
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(
      `scripts/elasticsearch start --port ${port} failed:\n${output.stdout ?? ''}${output.stderr ?? output.message}`,
    );
  }
  const pid = Number(
    readFileSync(path.join(projectRoot, `.elasticsearch/node-${port}/elasticsearch.pid`), 'utf8').trim(),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid,
    async stop() {
      // A paused node cannot stop: let it run first.
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Already gone.
      }
      await promisify(execFile)('bash', [script, 'stop', '--port', String(port)], {
        timeout: 60_000,
        env,
      }).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(path.join(projectRoot, `.elasticsearch/node-${port}`), { recursive: true, force: true });
    },
  };
}
