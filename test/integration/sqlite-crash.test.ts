import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { silentLogger, type Store } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { crashTestDocument, markerWord } from '../fixtures/sqlite-crash-documents.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = path.join(repositoryRoot, 'test/fixtures/sqlite-ingest-child.ts');
const folder = mkdtempSync(path.join(tmpdir(), 'answerloop-sqlite-crash-'));
const file = path.join(folder, 'data', 'answerloop.db');

const documents = 8;
const chunksPerDocument = 200;
/** The child kills itself (SIGKILL) halfway through writing this document. */
const killDuring = 3;

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

interface ChildRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  announced: string[];
  stderr: string;
}

/** Runs the ingesting child, which dies by SIGKILL in the middle of writing document `killDuringDocument` when given. */
function runChild(killDuringDocument?: number): Promise<ChildRun> {
  const parameters = [
    file,
    String(documents),
    String(chunksPerDocument),
    ...(killDuringDocument === undefined ? [] : [String(killDuringDocument)]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...parameters], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const announced: string[] = [];
    let pending = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      pending += data;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      announced.push(...lines);
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve({ exitCode, signal, announced, stderr }));
  });
}

/** Which documents are in the store, after checking each one is whole in every view the store offers. */
async function wholeDocuments(store: Store): Promise<number[]> {
  const embedder = createDeterministicEmbedder(64);
  const present: number[] = [];
  const summaries = new Map((await store.listDocuments()).map((summary) => [summary.docId, summary]));
  for (let index = 0; index < documents; index += 1) {
    const expected = crashTestDocument(index, chunksPerDocument);
    const chunks = await store.getChunks(expected.chunks.map((chunk) => chunk.id));
    const summary = summaries.get(expected.docId);
    const legs = await store.searchLegs({
      text: markerWord(index),
      vector: (await embedder.embed([expected.chunks[0]!.text]))[0]!,
      k: chunksPerDocument + 5,
      numCandidates: 100,
      filters: { sourcePrefixes: [expected.docId] },
      boosts: { title: 1, headings: 1, text: 1 },
    });
    if (summary === undefined) {
      expect(chunks, `chunks of absent ${expected.docId}`).toEqual([]);
      expect(legs.bm25, `BM25 hits of absent ${expected.docId}`).toEqual([]);
      expect(legs.vector, `vector hits of absent ${expected.docId}`).toEqual([]);
      continue;
    }
    expect(summary, `summary of ${expected.docId}`).toMatchObject({
      chunkCount: chunksPerDocument,
      documentHash: expected.chunks[0]!.documentHash,
    });
    expect(
      chunks.map((chunk) => chunk.text),
      `texts of ${expected.docId}`,
    ).toEqual(expected.chunks.map((chunk) => chunk.text));
    expect(legs.bm25, `BM25 hits of ${expected.docId}`).toHaveLength(chunksPerDocument);
    expect(legs.vector, `vector hits of ${expected.docId}`).toHaveLength(chunksPerDocument);
    present.push(index);
  }
  expect(summaries.size).toBe(present.length);
  expect(await store.counts()).toEqual({
    documents: present.length,
    chunks: present.length * chunksPerDocument,
  });
  return present;
}

describe('embedded store after a crash mid-ingest', () => {
  it(
    'holds every document whole or not at all, and a second run completes the ingest',
    { timeout: 60_000 },
    async () => {
      const killed = await runChild(killDuring);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(killed.announced.at(-1)).toBe(`begin ${killDuring}`);

      // The file itself and its full-text index are consistent.
      const raw = new Database(file);
      try {
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(() =>
          raw.prepare("INSERT INTO chunk_search (chunk_search, rank) VALUES ('integrity-check', 1)").run(),
        ).not.toThrow();
      } finally {
        raw.close();
      }

      const afterCrash = createSqliteStore({ file, logger: silentLogger });
      try {
        const present = await wholeDocuments(afterCrash);
        // Every committed document survived; the one cut off mid-write left nothing behind.
        expect(present).toEqual(Array.from({ length: killDuring }, (_, index) => index));
      } finally {
        await afterCrash.close();
      }

      const rerun = await runChild();
      expect(rerun.exitCode, rerun.stderr).toBe(0);
      expect(rerun.announced).toContain('finished');
      const afterRerun = createSqliteStore({ file, logger: silentLogger });
      try {
        expect(await wholeDocuments(afterRerun)).toHaveLength(documents);
      } finally {
        await afterRerun.close();
      }
    },
  );
});
