import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import { createSource, type IngestReport, ingestSource } from '../../src/core/knowledge/index.ts';
import type { Store } from '../../src/core/ports/index.ts';
import { silentLogger, systemClock } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { docsPage, type FakeDocsSite, startFakeDocsSite } from '../support/fake-docs-site.ts';
import { refusedPort } from '../support/refused-port.ts';

const defaults = loadConfig({ env: {}, cwd: tmpdir() });
const web = { ...defaults.knowledge.web, delayMs: 0, timeoutMs: 700, maxPageBytes: 100_000, maxDepth: 3 };

describe('faults while reading sources: a clear line each, nothing half-written, a re-run completes', () => {
  let site: FakeDocsSite;
  let store: Store;
  let dataDir: string;
  const embedder = createDeterministicEmbedder(64);

  const ingest = (location: string, settings = web): Promise<IngestReport> =>
    ingestSource(
      createSource(
        [location],
        {},
        {
          rootDir: dataDir,
          dataDir,
          extensions: defaults.knowledge.extensions,
          web: settings,
          git: { ...defaults.knowledge.git, timeoutMs: 20_000 },
        },
      ),
      {},
      {
        store,
        embedder,
        settings: defaults.knowledge,
        logger: silentLogger,
        clock: systemClock,
        rootDir: dataDir,
      },
    );
  const storedIds = async () => (await store.listDocuments()).map((document) => document.docId).sort();
  /** Every stored document holds exactly the passages its summary counts: no document is half-written. */
  const expectWholeDocuments = async () => {
    for (const document of await store.listDocuments()) {
      const ids = Array.from({ length: document.chunkCount }, (_, ordinal) => `${document.docId}#${ordinal}`);
      expect((await store.getChunks(ids)).length).toBe(document.chunkCount);
    }
  };
  const lineFor = (report: IngestReport, url: string) =>
    [
      ...report.failed.map((failure) => ({ where: failure.source, why: failure.error })),
      ...report.skipped.map((skip) => ({ where: skip.path, why: skip.reason })),
    ].find((line) => line.where === url)?.why;

  beforeEach(async () => {
    site = await startFakeDocsSite();
    dataDir = await mkdtemp(path.join(tmpdir(), 'answerloop-faults-'));
    store = createSqliteStore({ file: ':memory:', logger: silentLogger });
    await store.init({ embedderId: embedder.id, dimensions: embedder.dimensions });
    const page = (body: string, extra = {}) => ({ type: 'text/html', body, ...extra });
    site.pages.set(
      '/faults/',
      page(
        docsPage(
          'Faults',
          `<h1>Faults</h1><p>Pages that go wrong.</p>${['hang', 'unavailable', 'loop-a', 'data.bin', 'huge', 'away', 'fine'].map((name) => `<a href="/faults/${name}">${name}</a>`).join(' ')}`,
        ),
      ),
    );
    site.pages.set('/faults/hang', page('', { delayMs: Infinity }));
    site.pages.set(
      '/faults/unavailable',
      page('<h1>Down for maintenance</h1>', { status: 503, noValidators: true }),
    );
    site.pages.set('/faults/loop-a', {
      status: 302,
      type: 'text/html',
      body: '',
      headers: { location: '/faults/loop-b' },
    });
    site.pages.set('/faults/loop-b', {
      status: 302,
      type: 'text/html',
      body: '',
      headers: { location: '/faults/loop-a' },
    });
    site.pages.set('/faults/data.bin', { type: 'application/octet-stream', body: Buffer.alloc(64, 1) });
    site.pages.set(
      '/faults/huge',
      page(`<html><body><p>${'All work and no play. '.repeat(10_000)}</p></body></html>`),
    );
    site.pages.set('/faults/away', {
      status: 301,
      type: 'text/html',
      body: '',
      headers: { location: 'http://127.0.0.2:9/elsewhere' },
    });
    site.pages.set(
      '/faults/fine',
      page(
        docsPage(
          'Fine',
          '<h1 id="fine">Fine</h1><p>This page loads as it should and answers questions about quotas.</p>',
        ),
      ),
    );
  });

  afterEach(async () => {
    await store.close();
    await site.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names the URL and the reason for a timeout, a 5xx, a redirect loop, a non-HTML type, a huge page and an off-site redirect', async () => {
    const origin = site.origin;
    const report = await ingest(`${origin}/faults/`);
    expect(lineFor(report, `${origin}/faults/hang`)).toMatch(/timeout/);
    expect(lineFor(report, `${origin}/faults/unavailable`)).toBe('HTTP 503');
    expect(lineFor(report, `${origin}/faults/loop-a`)).toMatch(
      /^redirect loop: .*loop-a → .*loop-b → .*loop-a$/,
    );
    expect(lineFor(report, `${origin}/faults/data.bin`)).toMatch(
      /content type application\/octet-stream is not a document/,
    );
    expect(lineFor(report, `${origin}/faults/huge`)).toMatch(
      /larger than knowledge\.web\.maxPageBytes \(100000 bytes\)/,
    );
    expect(lineFor(report, `${origin}/faults/away`)).toMatch(
      /redirects to http:\/\/127\.0\.0\.2:9\/elsewhere, outside/,
    );
    expect(await storedIds()).toEqual([`${origin}/faults/`, `${origin}/faults/fine`]);
    await expectWholeDocuments();

    // The site recovers: the same command picks up what failed, and only that is embedded.
    site.pages.set('/faults/hang', {
      type: 'text/html',
      body: docsPage('Hang', '<h1>Hang</h1><p>The slow page answers again.</p>'),
    });
    site.pages.set('/faults/unavailable', {
      type: 'text/html',
      body: docsPage('Back', '<h1>Back</h1><p>Maintenance is over.</p>'),
    });
    const again = await ingest(`${origin}/faults/`);
    expect(again.added).toBe(2);
    expect(again.unchanged).toBe(2);
    expect(await storedIds()).toEqual([
      `${origin}/faults/`,
      `${origin}/faults/fine`,
      `${origin}/faults/hang`,
      `${origin}/faults/unavailable`,
    ]);
    await expectWholeDocuments();
  });

  it('an endless link space stops at the depth limit with one line naming it', async () => {
    const report = await ingest(`${site.origin}/guide/calendar/2026/1`, { ...web, maxDepth: 2 });
    expect((await storedIds()).filter((id) => id.includes('/calendar/'))).toHaveLength(3);
    const line = report.skipped.find((skip) => skip.path === `${site.origin}/guide/calendar/2026/4`);
    expect(line?.reason).toMatch(
      /more than knowledge\.web\.maxDepth \(2\) links from the start page; 1 such link was not followed/,
    );
  });

  it('the page limit stops a crawl with a line, and then nothing is removed for not being seen', async () => {
    await ingest(`${site.origin}/guide/`);
    const before = await storedIds();
    const report = await ingest(`${site.origin}/guide/`, { ...web, maxPages: 2 });
    expect(
      report.skipped.some((skip) =>
        /the page limit knowledge\.web\.maxPages \(2\) was reached; \d+ more pages were not fetched/.test(
          skip.reason,
        ),
      ),
    ).toBe(true);
    expect(report.deleted).toBe(0);
    expect(await storedIds()).toEqual(before);
  });

  it('an unreachable host fails the run with the URL and the reason, and changes nothing', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/docs/`;
    const report = await ingest(url);
    expect(report.failed).toEqual([
      { source: `${new URL(url).origin}/robots.txt`, error: expect.stringMatching(/connection refused/) },
    ]);
    expect(await storedIds()).toEqual([]);
  });

  it('a robots.txt that disallows everything stops the crawl before any page, and keeps what was stored', async () => {
    await ingest(`${site.origin}/guide/`);
    const before = await storedIds();
    site.pages.set('/robots.txt', { type: 'text/plain', body: 'User-agent: *\nDisallow: /\n' });
    site.requests.length = 0;
    const report = await ingest(`${site.origin}/guide/`);
    expect(report.failed).toEqual([
      {
        source: `${site.origin}/guide/`,
        error: expect.stringMatching(/robots\.txt disallows it for answerloop; nothing was crawled/),
      },
    ]);
    expect(site.requests.map((request) => request.path)).toEqual(['/robots.txt']);
    expect(report.deleted).toBe(0);
    expect(await storedIds()).toEqual(before);
  });

  it('a robots.txt that answers 5xx means "not now": the run stops and names it', async () => {
    site.pages.set('/robots.txt', { type: 'text/plain', body: 'oops', status: 500, noValidators: true });
    const report = await ingest(`${site.origin}/guide/`);
    expect(report.failed).toEqual([
      { source: `${site.origin}/robots.txt`, error: expect.stringMatching(/HTTP 500.*try again later/) },
    ]);
  });

  it('a git URL that does not exist fails with its location and the reason', async () => {
    const missing = path.join(dataDir, 'no-such-repo.git');
    const report = await ingest(`git+file://${missing}#main:docs/`);
    expect(report.failed).toEqual([
      {
        source: `git+file://${missing}#main`,
        error: 'no repository at that URL (or it is private): check the URL',
      },
    ]);
    expect(await storedIds()).toEqual([]);
  });
});
