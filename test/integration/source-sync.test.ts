import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createElasticsearchStore } from '../../src/core/adapters/elasticsearch/index.ts';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { type Core, createCore, loadConfig, silentLogger, type Store } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { type FakeDocsSite, startFakeDocsSite } from '../support/fake-docs-site.ts';
import { refusedPort } from '../support/refused-port.ts';

const elasticsearchUrl = await useElasticsearch();

function defineSuite(storeName: string, openStore: () => Store) {
  describe(`knowledge.sources kept in sync on the ${storeName} store`, () => {
    let site: FakeDocsSite;
    let workspace: string;
    let store: Store;
    let core: Core;
    let offlinePort: number;
    const embedder = createDeterministicEmbedder(64);

    beforeEach(async () => {
      site = await startFakeDocsSite();
      offlinePort = await refusedPort();
      workspace = await mkdtemp(path.join(tmpdir(), 'answerloop-sync-'));
      const configFile = path.join(workspace, 'sources.yaml');
      await writeFile(
        configFile,
        `knowledge:
  web: { delayMs: 0, timeoutMs: 3000, maxDepth: 2 }
  sources:
    - name: guide
      location: ${site.origin}/guide/
      tags: [guide]
      exclude: ['/guide/calendar/**']
    - name: offline
      location: http://127.0.0.1:${offlinePort}/docs/
      refreshMinutes: 0
`,
      );
      const config = loadConfig({
        cwd: workspace,
        files: [configFile],
        env: { ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'), ANSWERLOOP_LOG_FILE: '' },
      });
      store = openStore();
      core = createCore({ config, store, embedder, logger: silentLogger });
    });

    afterEach(async () => {
      await core.close();
      await site.close();
      await rm(workspace, { recursive: true, force: true });
    });

    it('syncs every source with a report each, incrementally the second time, and lists their state', async () => {
      expect(
        (await core.sources.list()).map((status) => [status.name, status.kind, status.lastSync]),
      ).toEqual([
        ['guide', 'website', null],
        ['offline', 'website', null],
      ]);
      const first = await core.sources.sync();
      expect(first.map((result) => result.name)).toEqual(['guide', 'offline']);
      const guide = first[0]!.report!;
      expect(guide).toMatchObject({ failed: [] });
      expect(guide.added).toBeGreaterThanOrEqual(8);
      expect(first[1]!.report!.failed).toEqual([
        {
          source: `http://127.0.0.1:${offlinePort}/robots.txt`,
          error: expect.stringMatching(/connection refused/),
        },
      ]);
      const hits = await core.search('storage quota per seat', { k: 3 });
      expect(hits.hits[0]!.chunk).toMatchObject({ docId: `${site.origin}/guide/quotas`, tags: ['guide'] });

      // An example that cites a page; the page then disappears from the site.
      await store.saveExample({
        id: 'example-quotas',
        dataset: 'support',
        messages: [
          { role: 'user', content: 'How much storage does a seat get?' },
          { role: 'assistant', content: '1 TB per seat [1].' },
        ],
        originConversationId: null,
        sourceDocIds: [`${site.origin}/guide/quotas`],
        split: 'train',
        stale: false,
        createdBy: 'operator',
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      });
      site.pages.delete('/guide/quotas');
      const embedCalls = embedder.calls.length;
      site.requests.length = 0;

      const [second] = await core.sources.sync(['guide']);
      expect(second!.report).toMatchObject({ added: 0, updated: 0, deleted: 1, failed: [] });
      expect(embedder.calls.length).toBe(embedCalls);
      expect(site.requests.some((request) => request.ifNoneMatch)).toBe(true);
      expect((await store.getExample('example-quotas'))!.stale).toBe(true);

      const [listedGuide, listedOffline] = await core.sources.list();
      expect(listedGuide).toMatchObject({
        name: 'guide',
        refreshMinutes: 60,
        lastSync: { ok: true, deleted: 1, documents: guide.added - 1 },
      });
      expect(listedOffline).toMatchObject({
        name: 'offline',
        nextSyncAt: null,
        lastSync: {
          ok: false,
          errors: [
            expect.stringMatching(
              new RegExp(`^http://127\\.0\\.0\\.1:${offlinePort}/robots\\.txt: connection refused`),
            ),
          ],
        },
      });
      // Every sync counted per source, and the failing source's runs counted as failures.
      const metrics = (await core.metrics.render()).text;
      expect(metrics).toMatch(/answerloop_sync_runs_total\{source="guide"\} 2$/m);
      expect(metrics).toMatch(/answerloop_sync_failures_total\{source="offline"\} 1$/m);
      expect(metrics).not.toMatch(/answerloop_sync_failures_total\{source="guide"\}/);
    });

    it('keeps sources fresh in the background and stops when asked', async () => {
      const stop = core.sources.startBackground({ firstCheckAfterMs: 0, checkEveryMs: 50 });
      let status = (await core.sources.list())[0]!;
      for (let attempt = 0; attempt < 200 && !status.lastSync; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await core.sources.list())[0]!;
      }
      await stop();
      expect(status.lastSync).toMatchObject({ ok: true });
      // The source that refreshes only on demand was left alone.
      expect((await core.sources.list())[1]!.lastSync).toBeNull();
      // Fresh: a later look finds nothing due, so the site sees no more requests.
      const requests = site.requests.length;
      const again = core.sources.startBackground({ firstCheckAfterMs: 0, checkEveryMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await again();
      expect(site.requests.length).toBe(requests);
    });

    it('two processes on one store: only one syncs a source at a time, through the lease in the store', async () => {
      const other = createCore({ config: core.config, store, embedder, logger: silentLogger });
      const results = await Promise.all([core.sources.sync(['guide']), other.sources.sync(['guide'])]);
      const outcomes = results.map(([result]) => (result!.report ? 'synced' : result!.error)).sort();
      expect(outcomes).toEqual([
        'another process is syncing this source now; it will be brought up to date there',
        'synced',
      ]);
      // The lease was released: the next sync runs.
      expect((await other.sources.sync(['guide']))[0]!.report).toMatchObject({ failed: [] });
    });

    it('names an unknown source', async () => {
      expect(await core.sources.sync(['nope'])).toEqual([
        {
          name: 'nope',
          location: '',
          error: 'no source named nope in knowledge.sources (configured: guide, offline)',
        },
      ]);
    });
  });
}

defineSuite('embedded', () => createSqliteStore({ file: ':memory:', logger: silentLogger }));

describe.skipIf(!elasticsearchUrl)('elasticsearch', () => {
  const indexPrefix = uniqueIndexPrefix('sources');
  afterAll(() => deleteIndices(elasticsearchUrl!, indexPrefix));
  let run = 0;
  defineSuite('elasticsearch', () =>
    createElasticsearchStore({
      url: elasticsearchUrl!,
      indexPrefix: `${indexPrefix}-${(run += 1)}`,
      analyzer: 'english',
      requestTimeoutMs: 10_000,
      maxRetries: 0,
      bulkSize: 500,
      logger: silentLogger,
    }),
  );
});
