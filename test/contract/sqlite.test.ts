import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { latestSchemaVersion } from '../../src/core/adapters/sqlite/schema-migrations.ts';
import { AnswerloopError } from '../../src/core/errors/index.ts';
import { type Chunk, silentLogger, type Store } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { defineStoreContract } from './store-contract.ts';

// One temporary folder per run, one database file per test: the suite sees a fresh store every time.
const folder = mkdtempSync(path.join(tmpdir(), 'answerloop-sqlite-contract-'));
let opened = 0;

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

defineStoreContract('sqlite', async () => {
  opened += 1;
  const file = path.join(folder, `store-${opened}`, 'answerloop.db');
  return {
    store: createSqliteStore({ file, logger: silentLogger }),
    cleanup: async () => rmSync(path.dirname(file), { recursive: true, force: true }),
  };
});

// What only the embedded store promises, beyond the shared contract.
describe('sqlite store specifics', () => {
  const embedder = createDeterministicEmbedder(16);
  const space = { embedderId: embedder.id, dimensions: embedder.dimensions };
  const stores: Store[] = [];
  const open = (file: string, busyTimeoutMs?: number) => {
    const store = createSqliteStore({ file, logger: silentLogger, busyTimeoutMs });
    stores.push(store);
    return store;
  };
  const fileIn = (name: string) =>
    path.join(folder, 'specifics', `${name}-${Math.random().toString(36).slice(2)}`, 'answerloop.db');

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  async function chunk(docId: string, text: string, title = docId): Promise<Chunk> {
    const [embedding] = await embedder.embed([text]);
    return {
      id: `${docId}#0`,
      docId,
      source: docId,
      title,
      headingPath: [],
      text,
      embedding: embedding!,
      tags: [],
      updatedAt: '2024-05-01T00:00:00.000Z',
      contentHash: 'c',
      documentHash: 'd',
      ordinal: 0,
    };
  }

  it('stems English words for BM25 (porter)', async () => {
    const store = open(fileIn('stemming'));
    await store.init(space);
    await store.replaceDocument('a.md', [
      await chunk('a.md', 'Reset your password from the account page.', 'Account'),
    ]);
    await store.replaceDocument('b.md', [await chunk('b.md', 'Invoices are sent monthly.', 'Billing')]);
    const legs = await store.searchLegs({
      text: 'resetting passwords',
      k: 5,
      numCandidates: 10,
      filters: {},
      boosts: { title: 1, headings: 1, text: 1 },
    });
    expect(legs.bm25.map((hit) => hit.chunk.docId)).toEqual(['a.md']);
  });

  it('keeps everything across a reopen, including the embedding space, in WAL mode', async () => {
    const file = fileIn('reopen');
    const first = open(file);
    await first.init(space);
    await first.replaceDocument('a.md', [await chunk('a.md', 'Persistent words.')]);
    await first.setValue('settings', 'active', 'ft:one');
    await first.close();

    const second = open(file);
    expect(await second.embeddingSpace()).toEqual(space);
    expect(await second.counts()).toEqual({ documents: 1, chunks: 1 });
    expect(await second.getValue('settings', 'active')).toBe('ft:one');
    const error = await second
      .init({ embedderId: 'local:all-MiniLM-L6-v2:q8', dimensions: 384 })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'dimension_mismatch' });
    expect((error as Error).message).toContain(file);
    const health = await second.health();
    expect(health).toMatchObject({
      ok: true,
      kind: 'embedded',
      details: { file, documents: 1, chunks: 1, journalMode: 'wal', schemaVersion: latestSchemaVersion },
    });
    expect(health.status).toContain(file);
    expect(existsSync(file)).toBe(true);
  });

  it('sees writes made through another connection in its vector cache', async () => {
    const file = fileIn('two-connections');
    const reader = open(file);
    const writer = open(file);
    await reader.init(space);
    await writer.init(space);
    await writer.replaceDocument('a.md', [await chunk('a.md', 'Alpha words here.')]);
    const vector = (await embedder.embed(['Beta words here.']))[0]!;
    const request = {
      vector,
      k: 5,
      numCandidates: 10,
      filters: {},
      boosts: { title: 1, headings: 1, text: 1 },
    };
    expect((await reader.searchLegs(request)).vector.map((hit) => hit.chunk.docId)).toEqual(['a.md']);
    await writer.replaceDocument('b.md', [await chunk('b.md', 'Beta words here.')]);
    expect((await reader.searchLegs(request)).vector.map((hit) => hit.chunk.docId)).toEqual(['b.md', 'a.md']);
  });

  it("follows another connection's deletes and replacements in its vector cache, even when a row id is used again", async () => {
    const file = fileIn('two-connections-deletes');
    const reader = open(file);
    const writer = open(file);
    await reader.init(space);
    await writer.init(space);
    // Pages that stay, so the reader brings its cache up to date row by row rather than reading it all again.
    for (const name of ['k1.md', 'k2.md', 'k3.md', 'k4.md'])
      await writer.replaceDocument(name, [await chunk(name, `Kept page ${name}.`)]);
    await writer.replaceDocument('a.md', [await chunk('a.md', 'Alpha words here.')]);
    await writer.replaceDocument('b.md', [await chunk('b.md', 'Beta words here.')]);
    const request = (vector: number[]) => ({
      vector,
      k: 5,
      numCandidates: 10,
      filters: {},
      boosts: { title: 1, headings: 1, text: 1 },
    });
    const found = async (text: string) =>
      (await reader.searchLegs(request((await embedder.embed([text]))[0]!))).vector.map(
        (hit) => hit.chunk.docId,
      );
    expect((await found('Beta words here.')).slice(0, 2)).toEqual(['b.md', 'a.md']);
    // b.md holds the highest row id: once it is deleted, SQLite gives that id to the next chunk written.
    await writer.deleteDocument('b.md');
    await writer.replaceDocument('c.md', [await chunk('c.md', 'Gamma words here.')]);
    await writer.deleteDocument('a.md');
    const afterChanges = await found('Gamma words here.');
    expect(afterChanges[0]).toBe('c.md');
    expect(afterChanges).not.toContain('a.md');
    expect(afterChanges).not.toContain('b.md');
    expect(afterChanges).toHaveLength(5);
    const [hit] = (await reader.searchLegs(request((await embedder.embed(['Gamma words here.']))[0]!)))
      .vector;
    expect(hit!.chunk.text).toBe('Gamma words here.');
    expect(hit!.score).toBeCloseTo(1, 5);
  });

  it('reports a locked file as retryable store_unavailable, naming the file', async () => {
    const file = fileIn('locked');
    const store = open(file, 50);
    await store.init(space);
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const error = await store.setValue('settings', 'x', 'y').catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(AnswerloopError);
      expect(error).toMatchObject({ code: 'store_unavailable', isRetryable: true });
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(/locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await store.setValue('settings', 'x', 'y');
    expect(await store.getValue('settings', 'x')).toBe('y');
  });

  it('reports a file it cannot create with store_failed naming the file, and health says why', async () => {
    const blocker = path.join(folder, 'specifics', 'a-plain-file');
    mkdirSync(path.dirname(blocker), { recursive: true });
    writeFileSync(blocker, 'not a folder');
    const file = path.join(blocker, 'answerloop.db');
    const store = open(file);
    const error = await store.init(space).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'store_failed' });
    expect((error as Error).message).toContain(file);
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.status).toContain(file);
  });

  it('refuses a file that is not a database, saying so', async () => {
    const file = fileIn('garbage');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'x'.repeat(4096));
    const error = await open(file)
      .counts()
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'store_failed' });
    expect((error as Error).message).toMatch(/damaged or is not an answerloop database/);
  });

  it('refuses a file written by a newer schema', async () => {
    const file = fileIn('newer');
    mkdirSync(path.dirname(file), { recursive: true });
    const raw = new Database(file);
    raw.pragma(`user_version = ${latestSchemaVersion + 1}`);
    raw.close();
    const error = await open(file)
      .counts()
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'store_failed' });
    expect((error as Error).message).toMatch(/newer than this answerloop/);
  });

  it('works in memory', async () => {
    const store = open(':memory:');
    await store.init(space);
    await store.replaceDocument('a.md', [await chunk('a.md', 'In memory.')]);
    expect(await store.counts()).toEqual({ documents: 1, chunks: 1 });
    expect((await store.health()).ok).toBe(true);
  });

  it('refuses calls after close', async () => {
    const store = open(fileIn('closed'));
    await store.init(space);
    await store.close();
    await expect(store.counts()).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
