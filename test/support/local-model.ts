import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localModelStatus } from '../../src/core/adapters/local-embedder/index.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface LocalModelForTests {
  model: string;
  /** Absolute folder holding `<model>/`. */
  modelDir: string;
  dtype: 'q8';
  dimensions: number;
}

let resolved: LocalModelForTests | undefined | null = null;

/**
 * The real local embedding model for tests, fetched into ./models with scripts/fetch-model.sh when missing
 * (under a file lock, so parallel test files fetch it once). When it cannot be had, returns undefined after
 * a loud warning so the caller can skip, except under CI=true, where it throws: CI must not pass by skipping.
 *
 * Call it at the top level of a test file: `const model = useLocalModel(); describe.skipIf(!model)(...)`.
 */
export function useLocalModel(): LocalModelForTests | undefined {
  if (resolved !== null) return resolved;
  const wanted: LocalModelForTests = {
    model: 'all-MiniLM-L6-v2',
    modelDir: path.join(projectRoot, 'models'),
    dtype: 'q8',
    dimensions: 384,
  };
  resolved = localModelStatus(wanted).present ? wanted : fetch(wanted);
  return resolved;
}

function fetch(wanted: LocalModelForTests): LocalModelForTests | undefined {
  const script = path.join(projectRoot, 'scripts/fetch-model.sh');
  // flock (util-linux) keeps parallel test workers from fetching at once; without it, fetch unguarded.
  const hasFlock = spawnSync('bash', ['-c', 'command -v flock'], { stdio: 'ignore' }).status === 0;
  const command = hasFlock
    ? ['flock', path.join(tmpdir(), 'answerloop-model-fetch.lock'), 'bash', script, wanted.modelDir]
    : ['bash', script, wanted.modelDir];
  const result = spawnSync(command[0]!, command.slice(1), {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status === 0 && localModelStatus(wanted).present) return wanted;
  const reason = result.error?.message ?? `${result.stderr || result.stdout}`.trim();
  const message = `The local embedding model could not be fetched into ${wanted.modelDir} (npm run model:fetch): ${reason}`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`\n*** SKIPPING tests that need the local embedding model. ${message}\n`);
  return undefined;
}
