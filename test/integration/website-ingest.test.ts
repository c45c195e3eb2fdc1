import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import {
  createSource,
  type IngestDependencies,
  type IngestReport,
  ingestSource,
  type SourceChoices,
} from '../../src/core/knowledge/index.ts';
import type { Chunk, Store } from '../../src/core/ports/index.ts';
import { silentLogger, systemClock } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { type FakeDocsSite, startFakeDocsSite } from '../support/fake-docs-site.ts';

const defaults = loadConfig({ env: {}, cwd: tmpdir() });

describe('crawling a documentation website into the embedded store', () => {
  let site: FakeDocsSite;
  let store: Store;
  let dataDir: string;
  let embedder: ReturnType<typeof createDeterministicEmbedder>;

  const dependencies = (): IngestDependencies => ({
    store,
    embedder,
    settings: defaults.knowledge,
    logger: silentLogger,
    clock: systemClock,
    rootDir: dataDir,
  });
  const web = { ...defaults.knowledge.web, delayMs: 0, timeoutMs: 2_000, maxDepth: 4 };
  const crawl = (
    choices: SourceChoices = {},
    settings = web,
    location = `${site.origin}/guide/`,
  ): Promise<IngestReport> =>
    ingestSource(
      createSource([location], choices, {
        rootDir: dataDir,
        dataDir,
        extensions: defaults.knowledge.extensions,
        web: settings,
        git: defaults.knowledge.git,
      }),
      {},
      dependencies(),
    );
  const chunksOf = async (docId: string): Promise<Chunk[]> => {
    const summary = (await store.listDocuments()).find((document) => document.docId === docId);
    if (!summary) return [];
    return store.getChunks(Array.from({ length: summary.chunkCount }, (_, ordinal) => `${docId}#${ordinal}`));
  };
  const storedIds = async () => (await store.listDocuments()).map((document) => document.docId).sort();

  beforeEach(async () => {
    site = await startFakeDocsSite();
    dataDir = await mkdtemp(path.join(tmpdir(), 'answerloop-web-'));
    store = createSqliteStore({ file: ':memory:', logger: silentLogger });
    embedder = createDeterministicEmbedder(64);
    await store.init({ embedderId: embedder.id, dimensions: embedder.dimensions });
  });

  afterEach(async () => {
    await store.close();
    await site.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reads robots.txt, the gzip sitemap behind the sitemap index, and links under the start path', async () => {
    const report = await crawl();
    const origin = site.origin;
    const ids = await storedIds();
    // The endless calendar is read to the depth limit and no further.
    expect(ids.filter((id) => id.includes('/guide/calendar/'))).toEqual(
      [1, 2, 3, 4].map((month) => `${origin}/guide/calendar/2026/${month}`),
    );
    expect(ids.filter((id) => !id.includes('/guide/calendar/'))).toEqual(
      [
        `${origin}/guide/`,
        `${origin}/guide/changelog`,
        `${origin}/guide/configure`,
        `${origin}/guide/install`,
        `${origin}/guide/manual.pdf`,
        `${origin}/guide/quotas`,
        `${origin}/guide/slow-page`,
        `${origin}/guide/upgrade`,
      ].sort(),
    );
    expect(report.failed).toEqual([]);
    // Our user agent, with our robots.txt group: the disallowed folder is never requested.
    expect(site.requests.every((request) => /^answerloop\/\d+\.\d+\.\d+/.test(request.userAgent))).toBe(true);
    expect(site.requestsFor('/guide/private/roadmap')).toEqual([]);
    expect(site.requestsFor('/sitemaps/guide.xml.gz')).toHaveLength(1);
    // Off the start path, off the site, query strings: never fetched.
    expect(site.requestsFor('/blog/launch')).toEqual([]);
    expect(site.requestsFor('/guide/search?q=sync')).toEqual([]);
    // One fetch per page, although the index links to /guide/install#linux and the sitemap lists it too.
    const pagePaths = site.requests
      .map((request) => request.path)
      .filter((request) => request.startsWith('/guide/') && !request.startsWith('/guide/calendar'));
    expect(pagePaths.length).toBe(new Set(pagePaths).size);
    expect(report.notes?.join(' ')).toContain('crawl-delay 0.05 s');
  });

  it("waits the site's crawl-delay between request starts, even with several requests allowed at once", async () => {
    site.pages.set('/robots.txt', {
      type: 'text/plain',
      body: `User-agent: answerloop\nCrawl-delay: 0.2\n\nSitemap: ${site.origin}/sitemap-index.xml\n`,
    });
    const report = await crawl({}, { ...web, concurrency: 3, delayMs: 0, maxPages: 4 });
    expect(report.notes?.join(' ')).toContain('crawl-delay 0.2 s');
    const starts = site.requests.map((request) => request.at);
    expect(starts.length).toBeGreaterThanOrEqual(6);
    // 200 ms apart when sent; a little less may separate their arrival at the server, never much less.
    const gaps = starts.slice(1).map((at, index) => at - starts[index]!);
    expect(gaps.filter((gap) => gap < 150)).toEqual([]);
  });

  it('keeps the main content and the headings, cites each passage with its section anchor', async () => {
    await crawl();
    const install = await chunksOf(`${site.origin}/guide/install`);
    const text = install.map((chunk) => chunk.text).join('\n');
    expect(text).toContain('apt install skyforge');
    for (const chrome of ['cookies', 'Edit this page', 'Subscribe to our newsletter', 'Status'])
      expect(text).not.toContain(chrome);
    const linux = install.find((chunk) => chunk.text.includes('apt install'))!;
    expect(linux.headingPath).toEqual(['Install Skyforge', 'On Linux']);
    expect(linux.source).toBe(`${site.origin}/guide/install#linux`);
    const windows = install.find((chunk) => chunk.text.includes('MSI'))!;
    expect(windows.source).toBe(`${site.origin}/guide/install#windows`);
    expect(linux.title).toBe('Install · Skyforge Docs');
  });

  it('follows redirects, honours canonical links, reads PDFs and reports what it did not ingest', async () => {
    const report = await crawl();
    const origin = site.origin;
    // The redirect target is the page's id; the printable copy is the canonical page, read once.
    expect(await storedIds()).toContain(`${origin}/guide/upgrade`);
    expect(await storedIds()).not.toContain(`${origin}/guide/old-upgrade`);
    expect(await storedIds()).not.toContain(`${origin}/guide/print/configure`);
    expect((await chunksOf(`${origin}/guide/manual.pdf`)).map((chunk) => chunk.text).join(' ')).toContain(
      'offline mode and conflict files',
    );
    const skipped = Object.fromEntries(report.skipped.map((entry) => [entry.path, entry.reason]));
    expect(skipped[`${origin}/guide/logo.png`]).toMatch(/content type image\/png is not a document/);
    expect(Object.entries(skipped).find(([url]) => url.includes('/guide/calendar/'))?.[1]).toMatch(
      /knowledge\.web\.maxDepth \(4\).*not followed/,
    );
    expect(report.empty).toEqual([
      `${origin}/guide/app (the page shows no text without JavaScript; answerloop reads pages as served and runs no scripts)`,
    ]);
  });

  it('a start page that is not found, with nothing under it in the sitemap, is a failure naming the URL', async () => {
    const report = await crawl({}, web, `${site.origin}/giude/`);
    expect(report.failed).toEqual([
      {
        source: `${site.origin}/giude/`,
        docId: `${site.origin}/giude/`,
        error:
          'the start page answered HTTP 404 and no sitemap lists a page under it, so there is nothing to crawl: check the URL',
      },
    ]);
    expect(report.skipped).toEqual([]);
    expect(await storedIds()).toEqual([]);
  });

  it('reads a page in the charset its meta tag or its Content-Type names, or a legacy 8-bit page without one', async () => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    site.pages.set('/guide/', {
      type: 'text/html',
      body: '<html><head><title>Guide</title></head><body><main><h1>Guide</h1><p>Recipes for the café are listed on the pages below, one page for each.</p><a href="meta">meta</a> <a href="header">header</a> <a href="bare">bare</a></main></body></html>',
    });
    site.pages.set('/guide/meta', {
      type: 'text/html',
      body: latin1(
        '<html><head><meta charset="iso-8859-1"><title>Crème brûlée</title></head><body><main><h1>Crème brûlée</h1><p>The crème brûlée needs four eggs and a night in the fridge before it is served.</p></main></body></html>',
      ),
    });
    site.pages.set('/guide/header', {
      type: 'text/html; charset=windows-1252',
      body: latin1(
        '<html><head><title>Tarte</title></head><body><main><h1>Tarte Tatin</h1><p>The chef\x92s tarte Tatin is baked upside down and turned over while it is still warm.</p></main></body></html>',
      ),
    });
    site.pages.set('/guide/bare', {
      type: 'text/html',
      body: latin1(
        '<html><head><title>Gâteau</title></head><body><main><h1>Gâteau basque</h1><p>The gâteau basque is filled with pastry cream or with black cherry jam from Itxassou.</p></main></body></html>',
      ),
    });
    const report = await crawl({}, { ...web, maxDepth: 1 });
    expect(report.failed).toEqual([]);
    const textOf = async (page: string) =>
      (await chunksOf(`${site.origin}/guide/${page}`))
        .map((chunk) => `${chunk.title} | ${chunk.text}`)
        .join(' ');
    expect(await textOf('meta')).toContain('Crème brûlée | The crème brûlée needs four eggs');
    expect(await textOf('header')).toContain('The chef’s tarte Tatin');
    expect(await textOf('bare')).toContain('Gâteau | The gâteau basque');
  });

  it('a start URL without its slash that the site redirects to the folder crawls that folder, not the whole site', async () => {
    site.pages.set('/guide', { status: 301, type: 'text/html', body: '', headers: { location: '/guide/' } });
    const report = await crawl({}, web, `${site.origin}/guide`);
    expect(report.failed).toEqual([]);
    const ids = await storedIds();
    expect(ids).toContain(`${site.origin}/guide/install`);
    expect(ids.filter((id) => !id.startsWith(`${site.origin}/guide/`))).toEqual([]);
    expect(site.requestsFor('/blog/launch')).toEqual([]);
  });

  it('re-crawls incrementally: 304s and sitemap lastmod, no embedding; a vanished page is removed', async () => {
    const first = await crawl();
    expect(first.added).toBe(12);
    const embedCalls = embedder.calls.length;
    site.pages.delete('/guide/quotas');
    site.requests.length = 0;

    const second = await crawl();
    expect(second).toMatchObject({ added: 0, updated: 0, deleted: 1, failed: [] });
    expect(second.changedDocIds).toEqual([`${site.origin}/guide/quotas`]);
    expect(embedder.calls.length).toBe(embedCalls);
    expect(await storedIds()).not.toContain(`${site.origin}/guide/quotas`);
    // Sitemap pages with the lastmod seen last time are not requested at all; the others are asked conditionally.
    expect(site.requestsFor('/guide/install')).toEqual([]);
    const linked = site.requestsFor('/guide/slow-page');
    expect(linked).toHaveLength(1);
    expect(linked[0]!.ifNoneMatch).toMatch(/^"/);
    expect(second.notes?.join(' ')).toMatch(/not modified \(304\)/);
    expect(second.notes?.join(' ')).toMatch(/unchanged by sitemap lastmod/);
  });

  it('re-embeds a changed page only, and drops a page that left the sitemap', async () => {
    await crawl();
    const origin = site.origin;
    site.pages.set('/guide/slow-page', {
      type: 'text/html',
      body: '<html><head><title>Large teams</title></head><body><main><h1 id="large-teams">Large teams</h1><p>Teams above 1000 seats get two relay servers.</p></main></body></html>',
    });
    const { gzipSync } = await import('node:zlib');
    site.pages.set('/sitemaps/guide.xml.gz', {
      type: 'application/gzip',
      body: gzipSync(
        `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${origin}/guide/</loc><lastmod>2026-11-01</lastmod></url><url><loc>${origin}/guide/install</loc><lastmod>2026-11-02</lastmod></url><url><loc>${origin}/guide/old-upgrade</loc><lastmod>2026-11-05</lastmod></url></urlset>`,
      ),
    });
    const second = await crawl();
    expect(second).toMatchObject({ updated: 1, deleted: 1, failed: [] });
    expect([...second.changedDocIds].sort()).toEqual([
      `${origin}/guide/changelog`,
      `${origin}/guide/slow-page`,
    ]);
    expect((await chunksOf(`${origin}/guide/slow-page`))[0]!.text).toContain('1000 seats');
    // Only in the sitemap before, gone from it now: removed without a request. Pages still linked stay.
    expect(await storedIds()).not.toContain(`${origin}/guide/changelog`);
    expect(site.requestsFor('/guide/changelog')).toHaveLength(1);
    expect(await storedIds()).toContain(`${origin}/guide/configure`);
  });
});
