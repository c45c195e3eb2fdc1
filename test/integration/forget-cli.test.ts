import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { silentLogger } from '../../src/core/index.ts';
import { cliEnvironment, runAnswerloop } from '../support/cli-environment.ts';
import { useLocalModel } from '../support/local-model.ts';

const model = useLocalModel();

interface ForgetJson {
  documents: Array<{ docId: string; chunkCount: number }>;
  dryRun: boolean;
}

/** Taking documents out of the knowledge base without a rebuild: a folder, a file, a dry run, a typo. */
describe.skipIf(!model)('answerloop forget, as a process on the embedded store', () => {
  let workspace: string;
  let env: NodeJS.ProcessEnv;

  const run = (...args: string[]) => runAnswerloop(args, { cwd: workspace, env });
  const json = async <T>(...args: string[]) => JSON.parse(await run(...args, '--json')) as T;
  /** The documents the knowledge base holds, read from the store the processes write. */
  const docIds = async () => {
    const store = createSqliteStore({
      file: path.join(workspace, 'data', 'answerloop.db'),
      logger: silentLogger,
    });
    try {
      return (await store.listDocuments()).map((document) => document.docId).sort();
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-forget-'));
    env = cliEnvironment(workspace, { ANSWERLOOP_EMBEDDER__LOCAL__MODEL_DIR: model!.modelDir });
    mkdirSync(path.join(workspace, 'docs/old'), { recursive: true });
    writeFileSync(
      path.join(workspace, 'docs/a.md'),
      '# Alpha\n\nAlpha widgets are set in the alpha panel.\n',
    );
    writeFileSync(path.join(workspace, 'docs/old/b.md'), '# Beta\n\nBeta gadgets sync every night at two.\n');
    writeFileSync(
      path.join(workspace, 'docs/old/c.md'),
      '# Gamma\n\nGamma reports are emailed on Mondays.\n',
    );
    // Beside the folder docs/old, not under it: forgetting the folder keeps it.
    writeFileSync(path.join(workspace, 'docs/older.md'), '# Delta\n\nDelta widgets are archived yearly.\n');
    await run('ingest', 'docs');
  }, 240_000);

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('lists what a dry run would remove and removes nothing', async () => {
    const report = await json<ForgetJson>('forget', 'docs/old', '--dry-run');
    expect(report).toEqual({
      dryRun: true,
      documents: [
        { docId: 'docs/old/b.md', source: 'docs/old/b.md', title: 'Beta', chunkCount: 1 },
        { docId: 'docs/old/c.md', source: 'docs/old/c.md', title: 'Gamma', chunkCount: 1 },
      ],
    });
    expect(await docIds()).toEqual(['docs/a.md', 'docs/old/b.md', 'docs/old/c.md', 'docs/older.md']);
  });

  it('removes a file, flags the answers that cited it stale, and then a folder', async () => {
    const { conversationId } = await json<{ conversationId: string }>('ask', 'When do beta gadgets sync?');
    expect(await run('forget', 'docs/old/b.md')).toMatch(
      /^Forgot 1 document \(1 passage\):\n {2}docs\/old\/b\.md {2}Beta/,
    );
    expect(await docIds()).toEqual(['docs/a.md', 'docs/old/c.md', 'docs/older.md']);
    const stale = await json<{ items: Array<{ id: string }> }>('review', 'list', '--stale');
    expect(stale.items.map((item) => item.id)).toEqual([conversationId]);

    expect(
      (await json<ForgetJson>('forget', 'docs/old/')).documents.map((document) => document.docId),
    ).toEqual(['docs/old/c.md']);
    expect(await docIds()).toEqual(['docs/a.md', 'docs/older.md']);
  });

  it('says so when a location holds nothing ingested, and removes nothing', async () => {
    const failure = await run('forget', 'docs/alpha.md', 'https://docs.example.com/v1/').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(
      'No ingested document is at or under docs/alpha.md, https://docs.example.com/v1/; nothing was forgotten.',
    );
    expect(await docIds()).toEqual(['docs/a.md', 'docs/older.md']);
  });

  it('never removes a verified answer: `answerloop verified` manages them', async () => {
    const { conversationId } = await json<{ conversationId: string }>('ask', 'Where are alpha widgets set?');
    await run('review', 'correct', conversationId, '--answer', 'In the alpha panel [1].', '--by', 'maria');
    await run('verified', 'publish', conversationId, '--by', 'maria');
    const failure = await run('forget', 'verified/').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(
      'verified/ holds verified answers, which `answerloop verified` manages',
    );
    expect(await run('verified', 'list')).toMatch(/active\s.*maria/);
  });
});
