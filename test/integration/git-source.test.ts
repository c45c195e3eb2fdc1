import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import { createSource, type IngestReport, ingestSource } from '../../src/core/knowledge/index.ts';
import type { Chunk, Store } from '../../src/core/ports/index.ts';
import { silentLogger, systemClock } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const run = promisify(execFile);
const defaults = loadConfig({ env: {}, cwd: tmpdir() });
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Docs',
  GIT_AUTHOR_EMAIL: 'docs@example.com',
  GIT_COMMITTER_NAME: 'Docs',
  GIT_COMMITTER_EMAIL: 'docs@example.com',
};

describe('a git repository as a source, over file:// against a local bare repository', () => {
  let root: string;
  let bare: string;
  let work: string;
  let dataDir: string;
  let store: Store;
  const embedder = createDeterministicEmbedder(64);

  const git = (cwd: string, ...args: string[]) => run('git', args, { cwd, env: gitEnv });
  const commitAll = async (message: string) => {
    await git(work, 'add', '-A');
    await git(work, 'commit', '-q', '-m', message);
    await git(work, 'push', '-q', 'origin', 'HEAD:main');
    return (await git(work, 'rev-parse', 'HEAD')).stdout.trim();
  };
  const location = () => `git+file://${bare}#main:docs/`;
  const ingestFrom = (
    locationText: string,
    options: { urlTemplate?: string; tags?: string[] } = {},
  ): Promise<IngestReport> =>
    ingestSource(
      createSource([locationText], options, {
        rootDir: root,
        dataDir,
        extensions: defaults.knowledge.extensions,
        web: defaults.knowledge.web,
        git: defaults.knowledge.git,
      }),
      {},
      {
        store,
        embedder,
        settings: defaults.knowledge,
        logger: silentLogger,
        clock: systemClock,
        rootDir: root,
      },
    );
  const ingest = (
    urlTemplate = 'https://git.example/acme/handbook/blob/{ref}/{path}',
    tags = ['handbook'],
  ): Promise<IngestReport> => ingestFrom(location(), { urlTemplate, tags });
  const chunks = async (): Promise<Chunk[]> => {
    const documents = await store.listDocuments();
    return store.getChunks(
      documents.flatMap((document) =>
        Array.from({ length: document.chunkCount }, (_, ordinal) => `${document.docId}#${ordinal}`),
      ),
    );
  };
  const docId = (file: string) => `git+file://${bare}#main:${file}`;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'answerloop-git-'));
    bare = path.join(root, 'handbook.git');
    work = path.join(root, 'work');
    dataDir = path.join(root, 'data');
    await git(root, 'init', '-q', '--bare', '-b', 'main', bare);
    await git(root, 'clone', '-q', bare, work);
    await mkdir(path.join(work, 'docs', 'guides'), { recursive: true });
    await writeFile(
      path.join(work, 'docs', 'holidays.md'),
      '# Holidays\n\nEveryone gets 30 days of paid leave per year.\n',
    );
    await writeFile(
      path.join(work, 'docs', 'guides', 'expenses.md'),
      '# Expenses\n\nSubmit receipts within 30 days through the finance portal.\n',
    );
    await writeFile(path.join(work, 'README.md'), '# Handbook repository\n\nNot part of the docs folder.\n');
    await commitAll('First handbook');
    store = createSqliteStore({ file: ':memory:', logger: silentLogger });
    await store.init({ embedderId: embedder.id, dimensions: embedder.dimensions });
  });

  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('clones shallowly into the data folder and ingests the folder at the branch, citing the web view', async () => {
    await writeFile(
      path.join(work, 'README.md'),
      '# Handbook repository\n\nStill not part of the docs folder.\n',
    );
    await commitAll('Second commit');
    const report = await ingest();
    expect(report).toMatchObject({ added: 2, failed: [], skipped: [] });
    expect((await store.listDocuments()).map((document) => document.docId).sort()).toEqual([
      docId('docs/guides/expenses.md'),
      docId('docs/holidays.md'),
    ]);
    const holidays = (await chunks()).find((chunk) => chunk.docId === docId('docs/holidays.md'))!;
    expect(holidays).toMatchObject({
      source: 'https://git.example/acme/handbook/blob/main/docs/holidays.md',
      title: 'Holidays',
      tags: ['handbook'],
    });
    const [checkout] = await readdir(path.join(dataDir, 'sources', 'git'));
    const checkoutDir = path.join(dataDir, 'sources', 'git', checkout!);
    expect((await git(checkoutDir, 'rev-parse', '--is-shallow-repository')).stdout.trim()).toBe('true');
    expect((await git(checkoutDir, 'rev-list', '--count', 'HEAD')).stdout.trim()).toBe('1');
    expect(report.notes?.[0]).toMatch(/^commit [0-9a-f]{7}$/);
  });

  it('stays in sync by commit: only changed files are read again, deleted ones are removed', async () => {
    await ingest();
    const embedCalls = embedder.calls.length;
    const unchanged = await ingest();
    expect(unchanged).toMatchObject({ added: 0, updated: 0, unchanged: 2, deleted: 0 });
    expect(embedder.calls.length).toBe(embedCalls);
    expect(unchanged.notes?.[0]).toMatch(/\(unchanged\)$/);

    await writeFile(
      path.join(work, 'docs', 'holidays.md'),
      '# Holidays\n\nEveryone gets 32 days of paid leave per year, more after five years.\n',
    );
    await rm(path.join(work, 'docs', 'guides', 'expenses.md'));
    await writeFile(
      path.join(work, 'docs', 'travel.md'),
      '# Travel\n\nBook trains for journeys under four hours.\n',
    );
    const before = (await git(work, 'rev-parse', 'HEAD')).stdout.trim();
    const after = await commitAll('Update the handbook');
    const synced = await ingest();
    expect(synced).toMatchObject({ added: 1, updated: 1, unchanged: 0, deleted: 1, failed: [] });
    expect([...synced.changedDocIds].sort()).toEqual([
      docId('docs/guides/expenses.md'),
      docId('docs/holidays.md'),
      docId('docs/travel.md'),
    ]);
    expect(synced.notes?.[0]).toBe(`commit ${after.slice(0, 7)} (was ${before.slice(0, 7)})`);
    expect((await chunks()).map((chunk) => chunk.text).join(' ')).toContain('32 days');
  });

  it('a branch that does not exist fails with a clear line and changes nothing', async () => {
    await ingest();
    const report = await ingestSource(
      createSource(
        [`git+file://${bare}#release-9:docs/`],
        {},
        {
          rootDir: root,
          dataDir,
          extensions: defaults.knowledge.extensions,
          web: defaults.knowledge.web,
          git: defaults.knowledge.git,
        },
      ),
      {},
      {
        store,
        embedder,
        settings: defaults.knowledge,
        logger: silentLogger,
        clock: systemClock,
        rootDir: root,
      },
    );
    expect(report.failed).toEqual([
      { source: `git+file://${bare}#release-9`, error: 'no branch or tag named release-9 in the repository' },
    ]);
    expect(await store.counts()).toMatchObject({ documents: 2 });
  });

  it('a folder that is not in the commit (a typo, or moved) fails with a clear line and keeps what was ingested', async () => {
    await ingest();
    await run('git', ['mv', 'docs', 'handbook'], { cwd: work, env: gitEnv });
    const commit = await commitAll('Move the docs folder');
    const report = await ingest();
    expect(report.failed).toEqual([
      {
        source: location(),
        error: `no folder docs/ in the repository at commit ${commit.slice(0, 7)}: check the folder after the ':'; documents ingested from it are kept`,
      },
    ]);
    expect(report.deleted).toBe(0);
    expect((await store.listDocuments()).map((document) => document.docId).sort()).toEqual([
      docId('docs/guides/expenses.md'),
      docId('docs/holidays.md'),
    ]);
  });

  it('new source tags are written to unchanged files once, then the files are unchanged again', async () => {
    await ingest();
    const urlTemplate = 'https://git.example/acme/handbook/blob/{ref}/{path}';
    const retagged = await ingest(urlTemplate, ['handbook', 'people']);
    expect(retagged).toMatchObject({ added: 0, updated: 2, unchanged: 0, failed: [] });
    // The passages are the same: nothing that cites them is flagged stale for a change of tags.
    expect(retagged.changedDocIds).toEqual([]);
    expect((await chunks()).map((chunk) => chunk.tags)).toEqual([
      ['handbook', 'people'],
      ['handbook', 'people'],
    ]);
    const embedCalls = embedder.calls.length;
    expect(await ingest(urlTemplate, ['people', 'handbook'])).toMatchObject({ updated: 0, unchanged: 2 });
    expect(embedder.calls.length).toBe(embedCalls);
    expect(await ingest(urlTemplate, [])).toMatchObject({ updated: 2, unchanged: 0 });
    expect((await chunks()).map((chunk) => chunk.tags)).toEqual([[], []]);
  });

  it('a repository whose HEAD names no branch asks for a branch, and the default branch is used when it exists', async () => {
    const withoutRef = (url: string) => ingestFrom(url);
    await git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/master');
    const dangling = await withoutRef(`git+file://${bare}`);
    expect(dangling.failed).toEqual([
      {
        source: `git+file://${bare}`,
        error: `the repository's default branch (its HEAD) names no branch that exists: name the branch after a #, e.g. git+file://${bare}#main`,
      },
    ]);
    await git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
    expect(await withoutRef(`git+file://${bare}#:docs/`)).toMatchObject({ added: 2, failed: [] });
  });
});
