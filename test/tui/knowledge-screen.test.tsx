import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDocsSite, startFakeDocsSite } from '../support/fake-docs-site.ts';
import { keys, openTestCore, renderDashboard, type TestCore } from '../support/tui/dashboard-harness.tsx';

describe('Knowledge screen', () => {
  let test: TestCore;

  beforeAll(() => {
    test = openTestCore();
  });

  afterAll(async () => {
    await test.close();
  });

  it('ingests a folder with progress and counts, then shows hybrid, BM25 and vector rankings side by side', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'knowledge' });
    await dashboard.waitFor('0 documents · 0 passages');
    await dashboard.press('i');
    await dashboard.waitFor('Ingest path ./docs');
    await dashboard.press(...Array.from({ length: 6 }, () => keys.backspace));
    await dashboard.type('test/fixtures/answering-docs');
    await dashboard.press(keys.enter);
    const ingested = await dashboard.waitFor(/✓ added 4 · updated 0 · unchanged 0 · deleted 0/);
    expect(ingested).toMatch(/4 documents · \d+ passages/);
    expect(dashboard.frames().some((frame) => frame.includes('Ingesting…'))).toBe(true);

    // Ingesting again changes nothing: every file is unchanged.
    await dashboard.press('i', keys.enter);
    await dashboard.waitFor(/✓ added 0 · updated 0 · unchanged 4 · deleted 0/);

    await dashboard.press('/');
    await dashboard.type('reset password link');
    await dashboard.press(keys.enter);
    const ranked = await dashboard.waitFor('Hybrid (RRF)');
    expect(ranked).toMatch(/Hybrid \(RRF\)\s+BM25\s+Vector/);
    expect(ranked).toMatch(/^ 1 accounts › Res.* 1 accounts › Res.* 1 accounts › Res/m);
    expect(ranked).toMatch(/bm25 #1 \([\d.]+\) · vector #\d+/);

    // Move to the BM25 column and down a row: the detail follows the cursor.
    await dashboard.press('l', 'j');
    const moved = dashboard.lastFrame();
    expect(moved).toMatch(/bm25 #2/);
    dashboard.unmount();
  });

  it('shows an ingestion error inline and stays usable', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'knowledge' });
    await dashboard.press('i');
    await dashboard.press(...Array.from({ length: 6 }, () => keys.backspace));
    await dashboard.type('no/such/folder');
    await dashboard.press(keys.enter);
    await dashboard.waitFor(/✗ Ingestion failed: .*no\/such\/folder/);
    await dashboard.press('2');
    await dashboard.waitFor(/ 2 Review /);
    dashboard.unmount();
  });
});

describe('Knowledge screen: sources of knowledge.sources', () => {
  let test: TestCore;
  let site: FakeDocsSite;

  beforeAll(async () => {
    site = await startFakeDocsSite();
    test = openTestCore({
      overrides: {
        knowledge: {
          web: { delayMs: 0, maxDepth: 1 },
          sources: [
            { name: 'handbook', location: 'test/fixtures/answering-docs', refreshMinutes: 0 },
            { name: 'guide', location: `${site.origin}/guide/`, exclude: ['/guide/calendar/**'] },
          ],
        },
      },
    });
  });

  afterAll(async () => {
    await test.close();
    await site.close();
  });

  it('lists the sources with their state and syncs the selected one on a key', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'knowledge' });
    await dashboard.waitFor(/▸ handbook · folder · never synced · test\/fixtures\/answering-docs/);
    expect(dashboard.lastFrame()).toMatch(
      /^ ?guide · website · never synced · http:\/\/127\.0\.0\.1:\d+\/guide\//m,
    );
    await dashboard.press('o');
    await dashboard.waitFor(/▸ guide · website/);
    await dashboard.press('s');
    const synced = await dashboard.waitFor(/✓ added \d+ · updated 0 · unchanged 0 · deleted 0/, 30_000);
    await dashboard.waitFor(/▸ guide · website · \d{4}-\d\d-\d\d \d\d:\d\d · \d+ docs · ok · http/);
    expect(dashboard.frames().some((frame) => frame.includes('Syncing guide…'))).toBe(true);
    expect(synced).toMatch(/^ ?handbook · folder · never synced/m);
    dashboard.unmount();
  });
});
