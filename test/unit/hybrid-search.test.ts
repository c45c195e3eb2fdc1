import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/index.ts';
import type { Chunk } from '../../src/core/ports/index.ts';
import { type RetrievalSettings, search } from '../../src/core/retrieval/hybrid-search.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { createInMemoryStore } from '../fakes/in-memory-store.ts';

const embedder = createDeterministicEmbedder();

/** The shipped retrieval settings (no config/local.yaml is read from the temporary directory), one penalty apart. */
const shipped = loadConfig({ cwd: os.tmpdir(), env: {} }).retrieval;
const settings = (pageLengthPenalty: number): RetrievalSettings => ({ ...shipped, pageLengthPenalty });

async function page(docId: string, title: string, texts: string[]): Promise<Chunk[]> {
  const vectors = await embedder.embed(texts);
  return texts.map((text, ordinal) => ({
    id: `${docId}#${ordinal}`,
    docId,
    source: docId,
    title,
    headingPath: [],
    text,
    embedding: vectors[ordinal]!,
    tags: [],
    updatedAt: '2026-12-01T00:00:00.000Z',
    contentHash: `${docId}-${ordinal}`,
    documentHash: docId,
    ordinal,
  }));
}

/** A reference page of sixteen passages, one of which mentions the question's words, and a one-passage page. */
async function storeWithLongAndShortPage() {
  const store = createInMemoryStore();
  const topics = [
    'colour themes and fonts',
    'keyboard shortcuts list',
    'proxy server settings',
    'language of the interface',
    'automatic updates schedule',
    'log file location',
    'default currency symbol',
    'printer margins',
    'startup window size',
    'spell checking dictionary',
    'backup folder path',
    'date format order',
    'network timeout seconds',
    'sound notifications',
    'tab width in editors',
  ];
  await store.replaceDocument(
    'reference.md',
    await page('reference.md', 'Preferences reference', [
      'Export my ledger as csv.',
      ...topics.map((topic) => `The ledger ${topic} preference is set in this dialog.`),
    ]),
  );
  await store.replaceDocument(
    'export.md',
    await page('export.md', 'Spreadsheets', ['Export my ledger as a csv file.']),
  );
  return store;
}

describe('hybrid search: the page length penalty', () => {
  it('lets a short page about the question outrank one passage of a long reference page', async () => {
    const store = await storeWithLongAndShortPage();
    const question = 'how do i export my ledger as csv';
    const plain = await search(question, {}, { store, embedder, settings: settings(0) });
    expect(plain.hits.slice(0, 2).map((hit) => hit.chunk.docId)).toEqual(['reference.md', 'export.md']);

    const penalised = await search(question, {}, { store, embedder, settings: settings(0.05) });
    expect(penalised.hits.slice(0, 2).map((hit) => hit.chunk.docId)).toEqual(['export.md', 'reference.md']);
    // Sixteen passages are four doublings (0.05 x 4); the one-passage page loses nothing.
    const before = new Map(plain.hits.map((hit) => [hit.chunk.id, hit.score]));
    for (const hit of penalised.hits) {
      const lost = hit.chunk.docId === 'reference.md' ? 0.2 : 0;
      expect(hit.score).toBeCloseTo(before.get(hit.chunk.id)! - lost, 10);
    }
    expect(penalised.hits.map((hit) => hit.rank)).toEqual(penalised.hits.map((_, index) => index + 1));
  });

  it('keeps the fused order when the store cannot count passages', async () => {
    const store = await storeWithLongAndShortPage();
    const failing = {
      ...store,
      passageCounts: () => Promise.reject(new Error('connection refused')),
    };
    const question = 'how do i export my ledger as csv';
    const plain = await search(question, {}, { store, embedder, settings: settings(0) });
    const result = await search(question, {}, { store: failing, embedder, settings: settings(0.02) });
    expect(result.hits.map((hit) => [hit.chunk.id, hit.score])).toEqual(
      plain.hits.map((hit) => [hit.chunk.id, hit.score]),
    );
  });

  it('leaves single-leg searches alone', async () => {
    const store = await storeWithLongAndShortPage();
    for (const mode of ['bm25', 'vector'] as const) {
      const plain = await search('export ledger csv', { mode }, { store, embedder, settings: settings(0) });
      const penalised = await search(
        'export ledger csv',
        { mode },
        { store, embedder, settings: settings(0.02) },
      );
      expect(penalised.hits).toEqual(plain.hits);
    }
  });
});
