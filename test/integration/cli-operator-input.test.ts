import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const binary = path.join(repositoryRoot, 'bin/answerloop.js');

/** Files and folders an operator names on the command line, wrong: a clear error, never a stack trace. */
describe('answerloop with a file or folder that is not there, as a process on the embedded store', () => {
  let workspace: string;
  let env: NodeJS.ProcessEnv;

  const fails = async (...args: string[]) => {
    try {
      await promisify(execFile)(process.execPath, [binary, ...args], {
        cwd: workspace,
        env,
        timeout: 60_000,
      });
    } catch (error) {
      return error as { code: number; stderr: string };
    }
    throw new Error(`answerloop ${args.join(' ')} succeeded`);
  };

  beforeAll(() => {
    workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-operator-input-'));
    env = {
      PATH: process.env.PATH,
      HOME: workspace,
      ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
      ANSWERLOOP_LOG_FILE: '',
      ANSWERLOOP_LOG_LEVEL: 'warn',
      ANSWERLOOP_STORE: 'embedded',
      ANSWERLOOP_ANSWERING__MODE: 'offline',
    };
    writeFileSync(path.join(workspace, 'a-file'), 'not a folder\n');
  });

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it.each([
    [['review', 'correct', 'some-id', '--answer-file', 'missing-answer.md'], /open .*missing-answer\.md/],
    [
      ['review', 'add', '--question', 'q?', '--answer-file', 'missing-answer.md'],
      /open .*missing-answer\.md/,
    ],
    [['docs', 'propose', '--gap', 'abc', '--file', 'missing-page.md'], /open .*missing-page\.md/],
    [['verified', 'edit', 'abc', '--answer-file', 'missing-answer.md'], /open .*missing-answer\.md/],
    [['review', 'qa-set', '--out', 'a-file/qa.jsonl'], /open .*a-file\/qa\.jsonl/],
  ])('answerloop %j says which file it could not use', { timeout: 60_000 }, async (args, where) => {
    const failure = await fails(...args);
    expect(failure.stderr).toMatch(/^error \(file\): could not /);
    expect(failure.stderr).toMatch(where);
    expect(failure.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(failure.code).toBe(2);
  });

  it('dataset validate names the JSONL file that is not there, not a bad dataset name', async () => {
    const failure = await fails('dataset', 'validate', 'exports/support-train.jsonl');
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/No file exports\/support-train\.jsonl/);
    expect(failure.stderr).not.toMatch(/Dataset name/);
  });
});
