import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { silentLogger } from '../../src/core/index.ts';
import { conversationRecord } from '../support/conversation-fixtures.ts';
import { cliEnvironment } from '../support/cli-environment.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const binary = path.join(repositoryRoot, 'bin/answerloop.js');

/** An operator's slips on the command line (a file that is not there, a page past the end): clear words, no stack. */
describe('answerloop given operator slips, as a process on the embedded store', () => {
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
    env = cliEnvironment(workspace);
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

  const run = async (...args: string[]) =>
    (
      await promisify(execFile)(process.execPath, [binary, ...args], {
        cwd: workspace,
        env,
        timeout: 60_000,
      })
    ).stdout;

  /** Three conversations asked on 2025-02-01 at 10:00, 10:00 and 23:30 UTC, in the real SQLite store. */
  const seedConversations = async () => {
    const store = createSqliteStore({
      file: path.join(workspace, 'data', 'answerloop.db'),
      logger: silentLogger,
    });
    for (const [id, createdAt] of [
      ['c1', '2025-02-01T10:00:00.000Z'],
      ['c2', '2025-02-01T10:00:00.000Z'],
      ['c3', '2025-02-01T23:30:00.000Z'],
    ] as const)
      await store.saveConversation(
        conversationRecord({ id, question: `Question ${id}?`, answer: 'An answer [1].', createdAt }),
      );
    await store.close();
  };

  it('review list --page past the last page says so and which page is the last', async () => {
    await seedConversations();
    expect(await run('review', 'list', '--page-size', '2', '--page', '2')).toMatch(
      /Page 2 of 2 \(3 conversations\)/,
    );
    const past = await run('review', 'list', '--page-size', '2', '--page', '5');
    expect(past).toMatch(
      /Page 5 is past the last page: 3 conversations fit on 2 pages of 2\. Try --page 2\./,
    );
    expect(past).not.toMatch(/^id\s+asked/m);
  });

  it.each([
    [['review', 'qa-set', '--json', '--out', 'qa.json'], /'--json' cannot be used with option '--out/],
    [['gaps', '--json', '--markdown'], /'--markdown' cannot be used with option '--json'/],
    [
      ['review', 'correct', 'c1', '--answer', 'A [1].', '--answer-file', 'a.md'],
      /'--answer-file <path>' cannot be used with option '--answer/,
    ],
    [
      ['review', 'add', '--question', 'Q?', '--answer', 'A.', '--answer-file', 'a.md'],
      /'--answer-file <path>' cannot be used/,
    ],
    [
      ['verified', 'edit', 'v1', '--answer', 'A.', '--answer-file', 'a.md'],
      /'--answer-file <path>' cannot be used/,
    ],
    [
      ['docs', 'propose', '--gap', 'g1', '--text', 'A.', '--file', 'a.md'],
      /'--file <path>' cannot be used with option '--text/,
    ],
  ])(
    'answerloop %j refuses two options for one thing instead of silently ignoring one',
    async (args, message) => {
      const failure = await fails(...args);
      expect(failure.stderr).toMatch(message);
      expect(existsSync(path.join(workspace, 'qa.json'))).toBe(false);
    },
  );

  it('ends quietly when what reads its output stops early (| head), with no EPIPE stack', async () => {
    const child = spawn(process.execPath, [binary, 'review', 'list', '--json'], {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader goes away before the command prints, as `| head -0` would.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event|\n\s+at /);
    expect(code).toBe(0);
  });

  it('review list --until a date counts that whole day, as --since does (both inclusive)', async () => {
    await seedConversations();
    const day = await run('review', 'list', '--since', '2025-02-01', '--until', '2025-02-01');
    expect(day).toMatch(/\(3 conversations\)/);
    expect(await run('review', 'list', '--until', '2025-01-31')).toMatch(/No conversations match/);
    expect(await run('review', 'list', '--until', '2025-02-01T12:00:00Z')).toMatch(/\(2 conversations\)/);
  });

  it.each([['--since'], ['--until']])(
    'review list %s with no date names the option and the form it takes',
    async (option) => {
      const failure = await fails('review', 'list', option, 'yesterday');
      expect(failure.code).toBe(2);
      expect(failure.stderr).toMatch(
        new RegExp(
          `${option} expects an ISO date or time such as 2025-03-01 or 2025-03-01T09:00:00Z, got "yesterday"`,
        ),
      );
    },
  );

  it('eval with nothing to compare points at the QA-set evaluations too', async () => {
    const failure = await fails('eval');
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(
      /--candidate <model> or --shadow <model>, or .*answerloop eval retrieval\|answers\|calibrate --qa <file>/,
    );
  });

  it('review qa-set with no attached sources yet says how to attach them', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [binary, 'review', 'qa-set'], {
      cwd: workspace,
      env,
      timeout: 60_000,
    });
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /No question has operator-attached sources yet: .*answerloop review diagnose <id> --kind retrieval --source <path>/,
    );
  });
});
