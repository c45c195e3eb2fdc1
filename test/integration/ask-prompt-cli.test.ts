import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalModel } from '../support/local-model.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/docs/', import.meta.url));
const model = useLocalModel();

/** Runs the real program with `input` on its standard input (a pipe, not a terminal). */
function answerloop(
  args: string[],
  env: Record<string, string>,
  input = '',
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/answerloop.js', ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(input);
  });
}

describe.skipIf(!model)('answerloop ask with questions piped in', { timeout: 240_000 }, () => {
  let workspace: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'answerloop-ask-prompt-'));
    await cp(fixtures, path.join(workspace, 'docs'), { recursive: true });
    env = {
      ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
      ANSWERLOOP_STORE: 'embedded',
      ANSWERLOOP_LOG_FILE: '',
      ANSWERLOOP_LOG_LEVEL: 'error',
      OPENAI_API_KEY: '',
      CI: process.env.CI ?? '',
    };
    const ingested = await answerloop(['ingest', path.join(workspace, 'docs')], env);
    expect(ingested.code, ingested.stderr).toBe(0);
  });

  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('answers every line, in order, blank lines skipped, however fast the lines arrive', async () => {
    // A pipe delivers every line at once, while the first question is still being answered.
    const questions = [
      'How do I reset my password?',
      '',
      'What does the release add?',
      'How much does the team plan cost?',
    ];
    const { stdout, stderr, code } = await answerloop(
      ['ask', '--no-stream'],
      env,
      `${questions.join('\n')}\n`,
    );
    expect(code, stderr).toBe(0);
    const footers = stdout.match(/^— .* · route \w+ · confidence/gm) ?? [];
    expect(footers).toHaveLength(3);
    const answers = stdout.split(/^— .*$/m).slice(0, 3);
    expect(answers[0]).toContain('password-reset.md');
    expect(stderr).not.toContain('Could not answer');
  });
});
