import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalModel } from '../support/local-model.ts';
import { cliEnvironment } from '../support/cli-environment.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const binary = path.join(repositoryRoot, 'bin/answerloop.js');
const model = useLocalModel();

describe.skipIf(!model)('answerloop verified, as a process on the embedded store', () => {
  let workspace: string;
  let env: NodeJS.ProcessEnv;

  const run = async (...args: string[]) =>
    (await promisify(execFile)(process.execPath, [binary, ...args], { cwd: workspace, env, timeout: 60_000 }))
      .stdout;
  const json = async <T = Record<string, unknown>>(...args: string[]) =>
    JSON.parse(await run(...args, '--json')) as T;
  const fails = async (...args: string[]) => {
    try {
      await run(...args);
    } catch (error) {
      return error as { code: number; stderr: string };
    }
    throw new Error(`answerloop ${args.join(' ')} succeeded`);
  };

  beforeAll(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-verified-cli-'));
    cpSync(path.join(repositoryRoot, 'test/fixtures/answering-docs'), path.join(workspace, 'docs'), {
      recursive: true,
    });
    env = cliEnvironment(workspace, { ANSWERLOOP_EMBEDDER__LOCAL__MODEL_DIR: model!.modelDir });
    await run('ingest', 'docs');
  }, 240_000);

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it(
    'publishes a corrected answer, lists, edits, retires and shows it, and ask sees it',
    { timeout: 300_000 },
    async () => {
      const first = await json<{ conversationId: string }>('ask', 'How do I reset my password?');

      const early = await fails('verified', 'publish', first.conversationId);
      expect(early.code).toBe(2);
      expect(early.stderr).toMatch(
        /only an approved or corrected answer can be published.*answerloop review approve/,
      );

      await run(
        'review',
        'correct',
        first.conversationId,
        '--answer',
        'Click "Send reset link" under Settings, Security [1]. No email? Check the spam folder.',
        '--by',
        'maria',
      );
      const published = await run('verified', 'publish', first.conversationId, '--by', 'maria');
      const id = /Published verified answer ([0-9a-f]{12}) \(by maria\)/.exec(published)?.[1];
      expect(id).toBeDefined();
      expect(await run('verified', 'list')).toMatch(new RegExp(`${id}\\s+active\\s.*maria`));

      const answered = await run('ask', 'I lost my password, how do I get a new one?', '--no-stream');
      expect(answered).toContain('Check the spam folder');
      expect(answered).toContain('Verified by the support team (maria');

      expect(
        await run(
          'verified',
          'edit',
          id!,
          '--answer',
          'Settings, Security, "Send reset link" [1]. Ask us if it never arrives.',
          '--by',
          'li',
        ),
      ).toContain(`Edited verified answer ${id} (by li)`);
      expect(await run('verified', 'retire', id!, '--by', 'li')).toContain(
        `Retired verified answer ${id} (by li)`,
      );
      const shown = await run('verified', 'show', id!.slice(0, 6));
      expect(shown).toMatch(/\(retired\)/);
      expect(shown).toMatch(/Retired by li/);
      expect(shown).toMatch(
        /Answer:\nSettings, Security, "Send reset link" \[1\]\. Ask us if it never arrives\.[\s\S]*Rests on:\n {2}\[1\] Accounts and sign-in/,
      );
    },
  );
});
