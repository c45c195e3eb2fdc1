import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import { AnswerloopError, InputError } from '../../src/core/errors/index.ts';
import {
  type IngestDependencies,
  type IngestOptions,
  type IngestProgress,
  ingestPaths,
} from '../../src/core/knowledge/index.ts';
import type { Chunk, Embedder, Logger, Store } from '../../src/core/ports/index.ts';
import { systemClock } from '../../src/core/ports/index.ts';
import { search } from '../../src/core/retrieval/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const fixtures = fileURLToPath(new URL('../fixtures/docs/', import.meta.url));
const fixtureDocIds = [
  'docs/blog/launch.mdx',
  'docs/faq.html',
  'docs/getting-started.md',
  'docs/guides/admin/configuration-reference.md',
  'docs/guides/password-reset.md',
  'docs/release-notes.txt',
];
const retrievalSettings = loadConfig({ env: {}, cwd: tmpdir() }).retrieval;

interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message?: string;
}

function recordingLogger(entries: LogEntry[]): Logger {
  const logger: Logger = {
    debug: (object, message) => entries.push({ level: 'debug', object, message }),
    info: (object, message) => entries.push({ level: 'info', object, message }),
    warn: (object, message) => entries.push({ level: 'warn', object, message }),
    error: (object, message) => entries.push({ level: 'error', object, message }),
    child: () => logger,
  };
  return logger;
}

/** The real store, with a record of its knowledge writes and a switch to make one document's writes fail. */
function instrument(store: Store) {
  const writes: Array<{ method: 'replaceDocument' | 'deleteDocument'; docId: string }> = [];
  const failing = new Set<string>();
  const instrumented: Store = Object.create(store) as Store;
  instrumented.replaceDocument = async (docId, chunks) => {
    writes.push({ method: 'replaceDocument', docId });
    if (failing.has(docId))
      throw new AnswerloopError('store_failed', `disk full while writing ${docId}`, { isRetryable: true });
    return store.replaceDocument(docId, chunks);
  };
  instrumented.deleteDocument = async (docId) => {
    writes.push({ method: 'deleteDocument', docId });
    return store.deleteDocument(docId);
  };
  return { store: instrumented, writes, failing };
}

describe('ingestPaths against the embedded SQLite store', () => {
  let root: string;
  let rawStore: Store;
  let store: Store;
  let writes: ReturnType<typeof instrument>['writes'];
  let failing: Set<string>;
  let embedder: ReturnType<typeof createDeterministicEmbedder>;
  let logs: LogEntry[];

  const dependencies = (overrides: Partial<IngestDependencies> = {}): IngestDependencies => ({
    store,
    embedder,
    settings: {
      chunkTokens: 200,
      chunkOverlapTokens: 30,
      extensions: ['.md', '.markdown', '.mdx', '.html', '.htm', '.txt'],
      maxFileBytes: 20_000_000,
      writeConcurrency: 4,
    },
    logger: recordingLogger(logs),
    clock: systemClock,
    rootDir: root,
    ...overrides,
  });
  const ingest = (
    paths: string[],
    options: IngestOptions = {},
    overrides: Partial<IngestDependencies> = {},
  ) => ingestPaths(paths, options, dependencies(overrides));
  const allChunks = async (): Promise<Chunk[]> => {
    const documents = await store.listDocuments();
    const ids = documents.flatMap((document) =>
      Array.from({ length: document.chunkCount }, (_, ordinal) => `${document.docId}#${ordinal}`),
    );
    return store.getChunks(ids);
  };
  const topDocIds = async (query: string) =>
    (await search(query, { k: 3 }, { store, embedder, settings: retrievalSettings })).hits.map(
      (hit) => hit.chunk.docId,
    );

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'answerloop-ingest-'));
    await cp(fixtures, path.join(root, 'docs'), { recursive: true });
    rawStore = createSqliteStore({ file: ':memory:', logger: recordingLogger([]) });
    embedder = createDeterministicEmbedder(64);
    await rawStore.init({ embedderId: embedder.id, dimensions: embedder.dimensions });
    ({ store, writes, failing } = instrument(rawStore));
    logs = [];
  });

  afterEach(async () => {
    await rawStore.close();
    await rm(root, { recursive: true, force: true });
  });

  it('ingests a folder: every document added, chunks stored with stable ids, hashes and embeddings', async () => {
    const progress: IngestProgress[] = [];
    const report = await ingest(['docs'], { onProgress: (update) => progress.push(update) });

    expect(report).toMatchObject({
      added: 6,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      skipped: [],
      empty: [],
      failed: [],
    });
    expect([...report.changedDocIds].sort()).toEqual(fixtureDocIds);
    expect(await store.counts()).toEqual({ documents: 6, chunks: report.chunks });

    const chunks = await allChunks();
    expect(chunks).toHaveLength(report.chunks);
    for (const chunk of chunks) {
      expect(chunk.id).toBe(`${chunk.docId}#${chunk.ordinal}`);
      expect(chunk.contentHash).toBe(createHash('sha256').update(chunk.text).digest('hex'));
      expect(chunk.embedding).toHaveLength(64);
      const raw = await readFile(path.join(root, chunk.docId));
      expect(chunk.documentHash).toBe(createHash('sha256').update(raw).digest('hex'));
    }
    const launch = chunks.find((chunk) => chunk.docId === 'docs/blog/launch.mdx')!;
    expect(launch).toMatchObject({
      source: 'https://skyforge.example.com/blog/launch-4-2',
      title: 'Skyforge 4.2 is here',
      tags: ['announcement', 'release'],
    });
    const notes = chunks.find((chunk) => chunk.docId === 'docs/release-notes.txt')!;
    expect(notes).toMatchObject({
      source: 'docs/release-notes.txt',
      title: 'Release notes',
      headingPath: [],
    });
    const cap = chunks.find((chunk) => chunk.text.includes('sync.maxUploadKbps'))!;
    expect(cap.headingPath).toEqual([
      'Configuration reference',
      'Sync',
      'Bandwidth',
      'Upload limits',
      'Per-device cap',
    ]);

    expect(progress[0]!.phase).toBe('scan');
    expect(progress.at(-1)).toEqual({ phase: 'done', done: 6, total: 6 });
    const reading = progress
      .filter((update) => update.phase === 'read' && update.current)
      .map((update) => update.current);
    expect(reading).toEqual(fixtureDocIds);
    expect(progress.filter((update) => update.phase === 'embed').at(-1)).toMatchObject({
      done: report.chunks,
      total: report.chunks,
    });
    expect(await topDocIds('How do I reset my password?')).toContain('docs/guides/password-reset.md');
  });

  it('skips unchanged documents on a second run: no embedding, no writes', async () => {
    const first = await ingest(['docs']);
    const embedCalls = embedder.calls.length;
    writes.length = 0;
    const second = await ingest(['docs']);
    expect(second).toMatchObject({
      added: 0,
      updated: 0,
      unchanged: 6,
      deleted: 0,
      chunks: 0,
      changedDocIds: [],
    });
    expect(embedder.calls.length).toBe(embedCalls);
    expect(writes).toEqual([]);
    expect(await store.counts()).toEqual({ documents: 6, chunks: first.chunks });
  });

  it('updates an edited file, deletes a removed one and adds a new one; search follows', async () => {
    await ingest(['docs']);
    expect(await topDocIds('invoices billing plan price')).toContain('docs/faq.html');

    await writeFile(
      path.join(root, 'docs/guides/password-reset.md'),
      '# Resetting your password\n\nPassword resets now use a six-digit code sent by text message instead of an e-mail link.\n',
    );
    await unlink(path.join(root, 'docs/faq.html'));
    await writeFile(
      path.join(root, 'docs/guides/two-factor.md'),
      '# Two-factor authentication\n\nTurn on two-factor authentication with an authenticator app from Settings, Security.\n',
    );

    const report = await ingest(['docs']);
    expect(report).toMatchObject({ added: 1, updated: 1, deleted: 1, unchanged: 4, failed: [] });
    expect([...report.changedDocIds].sort()).toEqual([
      'docs/faq.html',
      'docs/guides/password-reset.md',
      'docs/guides/two-factor.md',
    ]);
    expect((await store.listDocuments()).map((document) => document.docId).sort()).toEqual(
      [...fixtureDocIds.filter((docId) => docId !== 'docs/faq.html'), 'docs/guides/two-factor.md'].sort(),
    );

    expect(await topDocIds('invoices billing plan price')).not.toContain('docs/faq.html');
    expect((await topDocIds('authenticator app two-factor'))[0]).toBe('docs/guides/two-factor.md');
    const reset = await search(
      'six-digit code text message',
      { k: 1 },
      { store, embedder, settings: retrievalSettings },
    );
    expect(reset.hits[0]!.chunk.docId).toBe('docs/guides/password-reset.md');
    expect(reset.hits[0]!.chunk.text).toContain('six-digit code');
    // The edited document holds only its new chunks.
    expect(
      (await store.listDocuments()).find((document) => document.docId === 'docs/guides/password-reset.md')!
        .chunkCount,
    ).toBe(1);
  });

  it('skips binary, unreadable and unsupported files with a warning naming them, and reports empty files', async () => {
    await writeFile(
      path.join(root, 'docs/corrupt.md'),
      Buffer.from([0x23, 0x20, 0x41, 0x00, 0x01, 0x02, 0x0a]),
    );
    await writeFile(path.join(root, 'docs/logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00]));
    await writeFile(path.join(root, 'docs/empty.md'), '');
    await writeFile(path.join(root, 'docs/front-matter-only.md'), '---\ntitle: Nothing here yet\n---\n\n');
    await symlink(path.join(root, 'nowhere.md'), path.join(root, 'docs/dangling.md'));
    await mkdir(path.join(root, 'docs/.drafts'));
    await writeFile(path.join(root, 'docs/.drafts/secret.md'), '# Draft\n\nNot for the bot.');

    const report = await ingest(['docs']);
    expect(report.added).toBe(6);
    expect(report.skipped).toEqual([
      { path: 'docs/corrupt.md', reason: expect.stringMatching(/binary/) },
      { path: 'docs/dangling.md', reason: expect.stringMatching(/could not be read \(ENOENT/) },
      { path: 'docs/logo.png', reason: expect.stringMatching(/unsupported file type \.png/) },
    ]);
    expect(report.empty).toEqual(['docs/empty.md', 'docs/front-matter-only.md']);
    const warnings = logs.filter((entry) => entry.level === 'warn').map((entry) => entry.message ?? '');
    expect(warnings.some((message) => message.includes('docs/corrupt.md'))).toBe(true);
    expect(warnings.some((message) => message.includes('docs/logo.png'))).toBe(true);
    expect(warnings.some((message) => message.includes('docs/dangling.md'))).toBe(true);
    expect((await store.listDocuments()).some((document) => document.docId.includes('.drafts'))).toBe(false);
  });

  it('names a file whose front matter is not YAML once, with the line, and keeps its last good version', async () => {
    await writeFile(
      path.join(root, 'docs/billing.md'),
      '---\ntitle: Billing\n---\n# Billing\n\nInvoices are monthly.\n',
    );
    expect(await ingest(['docs'])).toMatchObject({ added: 7, skipped: [] });
    await writeFile(
      path.join(root, 'docs/billing.md'),
      '---\ntitle: Billing: invoices\n---\n# Billing\n\nInvoices are monthly.\n',
    );
    const report = await ingest(['docs']);
    expect(report.skipped).toEqual([
      {
        path: 'docs/billing.md',
        reason: expect.stringMatching(
          /^front matter could not be read \([^)]*at line 2, column \d+\); fix the YAML between the --- lines\.$/,
        ),
      },
    ]);
    expect(report).toMatchObject({ deleted: 0, updated: 0 });
    expect((await store.listDocuments()).map((document) => document.docId)).toContain('docs/billing.md');
  });

  it('removes a document whose file became empty', async () => {
    await ingest(['docs']);
    await writeFile(path.join(root, 'docs/release-notes.txt'), '\n\n');
    const report = await ingest(['docs']);
    expect(report).toMatchObject({
      deleted: 1,
      empty: ['docs/release-notes.txt'],
      changedDocIds: ['docs/release-notes.txt'],
    });
    expect((await store.listDocuments()).map((document) => document.docId)).not.toContain(
      'docs/release-notes.txt',
    );
  });

  it('records a store failure on one document in failed and writes the others', async () => {
    failing.add('docs/faq.html');
    const report = await ingest(['docs']);
    expect(report.added).toBe(5);
    expect(report.failed).toEqual([
      { source: 'docs/faq.html', docId: 'docs/faq.html', error: 'disk full while writing docs/faq.html' },
    ]);
    expect(report.changedDocIds).not.toContain('docs/faq.html');
    expect(logs.some((entry) => entry.level === 'error' && entry.message?.includes('docs/faq.html'))).toBe(
      true,
    );
    expect(await store.counts()).toMatchObject({ documents: 5 });

    // The next run retries it: it is not in the store, so it is new.
    failing.clear();
    const retry = await ingest(['docs']);
    expect(retry).toMatchObject({ added: 1, unchanged: 5, failed: [] });
  });

  it('records an embedder failure on one document and embeds the others', async () => {
    const picky: Embedder = {
      id: embedder.id,
      dimensions: embedder.dimensions,
      embed: async (texts) => {
        if (texts.some((text) => text.includes('Invoices are issued')))
          throw new AnswerloopError('upstream_failed', 'the embeddings service rejected the input');
        return embedder.embed(texts);
      },
    };
    const report = await ingest(['docs'], {}, { embedder: picky });
    expect(report.added).toBe(5);
    expect(report.failed).toEqual([
      { source: 'docs/faq.html', docId: 'docs/faq.html', error: 'the embeddings service rejected the input' },
    ]);
  });

  it('prunes only under the roots given, and not at all with prune: false', async () => {
    await mkdir(path.join(root, 'handbook'));
    await writeFile(
      path.join(root, 'handbook/holidays.md'),
      '# Holidays\n\nThe office closes between Christmas and New Year.\n',
    );
    await ingest(['docs']);
    await ingest(['handbook']);
    expect(await store.counts()).toMatchObject({ documents: 7 });

    await unlink(path.join(root, 'handbook/holidays.md'));
    await unlink(path.join(root, 'docs/release-notes.txt'));
    const docsOnly = await ingest(['docs'], { prune: false });
    expect(docsOnly.deleted).toBe(0);
    expect(writes.filter((write) => write.method === 'deleteDocument')).toEqual([]);

    const pruned = await ingest(['docs']);
    expect(pruned).toMatchObject({ deleted: 1, changedDocIds: ['docs/release-notes.txt'] });
    expect((await store.listDocuments()).map((document) => document.docId)).toContain('handbook/holidays.md');

    // A single file given as a root never prunes its neighbours.
    await unlink(path.join(root, 'docs/faq.html'));
    const single = await ingest(['docs/getting-started.md']);
    expect(single).toMatchObject({ unchanged: 1, deleted: 0 });

    const handbook = await ingest(['handbook']);
    expect(handbook).toMatchObject({ deleted: 1, changedDocIds: ['handbook/holidays.md'] });
  });

  it('refuses a path that does not exist, naming it, before touching the store', async () => {
    const attempt = ingest(['docs', 'no-such-folder']);
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toThrow(/no-such-folder/);
    expect(writes).toEqual([]);
  });

  it('reads a file over maxFileBytes in pieces, keeping headings across pieces, and embeds in batches of at most 64', async () => {
    const sections = Array.from({ length: 70 }, (_, index) =>
      [
        `## Topic ${index}`,
        '',
        `Topic ${index} explains setting number ${index} in plain words. `.repeat(6),
        '',
        '```sh',
        `# configure topic ${index}`,
        `skyforge set topic.${index} on`,
        '```',
      ].join('\n'),
    );
    await writeFile(
      path.join(root, 'docs/big-reference.md'),
      `---\ntitle: Big reference\n---\n# Big reference\n\n${sections.join('\n\n')}\n`,
    );
    const settings = {
      chunkTokens: 120,
      chunkOverlapTokens: 20,
      extensions: ['.md'],
      maxFileBytes: 2000,
      writeConcurrency: 1,
    };
    const report = await ingest(['docs/big-reference.md'], {}, { settings });

    expect(report).toMatchObject({ added: 1, failed: [] });
    expect(report.chunks).toBeGreaterThan(64);
    expect(embedder.calls.every((call) => call.length <= 64)).toBe(true);
    const chunks = (await allChunks()).sort((left, right) => left.ordinal - right.ordinal);
    expect(chunks[0]!.title).toBe('Big reference');
    for (let index = 0; index < 70; index += 1) {
      const topic = chunks.filter((chunk) => chunk.text.includes(`skyforge set topic.${index} on`));
      expect(topic).toHaveLength(1);
      expect(topic[0]!.headingPath).toEqual(['Big reference', `Topic ${index}`]);
      expect(topic[0]!.text).toContain(`# configure topic ${index}\nskyforge set topic.${index} on\n\`\`\``);
    }
    expect(chunks.some((chunk) => chunk.text.includes('title: Big reference'))).toBe(false);
  });

  it('reads legacy 8-bit text (Latin-1, Windows-1252) as such, whole or in pieces; UTF-8 with a stray bad byte stays UTF-8', async () => {
    await mkdir(path.join(root, 'legacy'));
    // Latin-1 bytes, and 0x92, the right single quote of Windows-1252.
    const latin1 = Buffer.from(
      '# Café crème\n\nThe espresso machine\x92s warranty lasts two years.\n',
      'latin1',
    );
    await writeFile(path.join(root, 'legacy/cafe.md'), latin1);
    const bigLatin1 = Buffer.from(
      `# Große Übersicht\n\n${'Die Größe der Datei übersteigt das Limit. '.repeat(80)}\n`,
      'latin1',
    );
    await writeFile(path.join(root, 'legacy/gross.txt'), bigLatin1);
    await writeFile(
      path.join(root, 'legacy/mixed.md'),
      Buffer.concat([
        Buffer.from('# Résumé\n\nNaïve UTF-8 text with one stray byte: '),
        Buffer.from([0xff]),
        Buffer.from('.\n'),
      ]),
    );
    const settings = { ...dependencies().settings, maxFileBytes: 1000 };
    const report = await ingest(['legacy'], {}, { settings });
    expect(report).toMatchObject({ added: 3, failed: [], skipped: [] });
    const chunks = await allChunks();
    const of = (docId: string) => chunks.filter((chunk) => chunk.docId === docId);
    expect(of('legacy/cafe.md')[0]).toMatchObject({
      title: 'Café crème',
      text: 'The espresso machine’s warranty lasts two years.',
    });
    expect(
      of('legacy/gross.txt')
        .map((chunk) => chunk.text)
        .join(' '),
    ).toContain('Die Größe der Datei übersteigt');
    expect(of('legacy/gross.txt').some((chunk) => chunk.text.includes('\uFFFD'))).toBe(false);
    expect(of('legacy/mixed.md')[0]).toMatchObject({
      title: 'Résumé',
      text: 'Naïve UTF-8 text with one stray byte: \uFFFD.',
    });
  });

  it('reads UTF-16 text with a byte-order mark (as PowerShell writes it), whole or in pieces, instead of calling it binary', async () => {
    await mkdir(path.join(root, 'windows'));
    const utf16le = (text: string) =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    await writeFile(
      path.join(root, 'windows/boiler.txt'),
      utf16le('The café boiler starts at six and stops at ten.\n'),
    );
    await writeFile(
      path.join(root, 'windows/schedule.md'),
      utf16le(
        `# Heating schedule\n\n${'Each radiator in the übersicht room warms up within the hour. '.repeat(40)}\n`,
      ),
    );
    const settings = { ...dependencies().settings, maxFileBytes: 1000 };
    const report = await ingest(['windows'], {}, { settings });
    expect(report).toMatchObject({ added: 2, failed: [], skipped: [] });
    const chunks = await allChunks();
    expect(chunks.find((chunk) => chunk.docId === 'windows/boiler.txt')?.text).toBe(
      'The café boiler starts at six and stops at ten.',
    );
    const schedule = chunks.filter((chunk) => chunk.docId === 'windows/schedule.md');
    expect(schedule[0]!.title).toBe('Heating schedule');
    expect(schedule.map((chunk) => chunk.text).join(' ')).toContain('Each radiator in the übersicht room');
    expect(schedule.some((chunk) => chunk.text.includes('\u0000') || chunk.text.includes('\uFFFD'))).toBe(
      false,
    );
  });

  it('rebuilds after an embedder change: resets the index, records the new space, re-embeds everything', async () => {
    await mkdir(path.join(root, 'handbook'));
    await writeFile(
      path.join(root, 'handbook/holidays.md'),
      '# Holidays\n\nThe office closes between Christmas and New Year.\n',
    );
    await ingest(['docs']);
    await ingest(['handbook']);

    const wider = createDeterministicEmbedder(96);
    await expect(store.init({ embedderId: wider.id, dimensions: wider.dimensions })).rejects.toMatchObject({
      code: 'dimension_mismatch',
    });

    const report = await ingest(['docs'], { rebuild: true }, { embedder: wider });
    expect(report).toMatchObject({ added: 0, updated: 0, unchanged: 6, failed: [], rebuilt: true });
    // The handbook was not among the paths: the reset dropped it, and the report says so.
    expect(report).toMatchObject({ deleted: 1, changedDocIds: ['handbook/holidays.md'] });
    expect(await store.embeddingSpace()).toEqual({ embedderId: wider.id, dimensions: 96 });
    expect(await store.counts()).toEqual({ documents: 6, chunks: report.chunks });
    expect((await allChunks()).every((chunk) => chunk.embedding.length === 96)).toBe(true);
    const hits = await search(
      'reset password',
      { k: 1 },
      { store, embedder: wider, settings: retrievalSettings },
    );
    expect(hits.hits[0]!.chunk.docId).toBe('docs/guides/password-reset.md');
  });
});
