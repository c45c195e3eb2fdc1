import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { createCore, loadConfig, type Logger, silentLogger, type Store } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const docs = path.resolve(import.meta.dirname, '../fixtures/answering-docs');

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger & { warnings: string[] } = {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (_object, message) => warnings.push(message ?? ''),
    error: () => {},
    child: () => logger,
  };
  return logger;
}

describe('sentence vectors stored at ingestion', () => {
  const folders: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  async function setUp() {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-sentences-'));
    folders.push(dataDir);
    const store = await createSqliteStore({
      file: path.join(dataDir, 'answerloop.db'),
      logger: silentLogger,
    });
    stores.push(store);
    const config = loadConfig({
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ANSWERLOOP_DATA_DIR: dataDir, ANSWERLOOP_LOG_FILE: '' },
      overrides: { answering: { mode: 'offline' } },
    });
    const embedder = createDeterministicEmbedder();
    const logger = recordingLogger();
    const core = createCore({ config, store, embedder, logger });
    return { store, embedder, logger, core };
  }

  it('answers offline embedding the question alone', async () => {
    const { core, embedder } = await setUp();
    await core.ingest([docs]);
    expect(await core.knowledge.passagesWithoutSentenceVectors()).toBe(0);
    embedder.calls.length = 0;
    const result = await core.ask({ question: 'How do I get a refund?', context: { platform: 'cli' } });
    expect(result.refused).toBe(false);
    expect(result.answer).toMatch(/refund.*\[\d\]/i);
    expect(embedder.calls).toEqual([['How do I get a refund?']]);
    expect(result.answerability?.sentenceCosine).toBeGreaterThan(0);
    await core.close();
  });

  it('falls back to embedding the sentences of passages stored without them, says so, and re-ingest fixes it', async () => {
    const { core, store, embedder, logger } = await setUp();
    await core.ingest([docs]);
    // Passages as an older version stored them: without sentence vectors.
    for (const document of await store.listDocuments()) {
      const ids = Array.from({ length: document.chunkCount }, (_, ordinal) => `${document.docId}#${ordinal}`);
      const chunks = (await store.getChunks(ids)).map(({ sentences: _sentences, ...chunk }) => chunk);
      await store.replaceDocument(document.docId, chunks);
    }
    const total = (await core.knowledgeCounts()).chunks;
    expect(await core.knowledge.passagesWithoutSentenceVectors()).toBe(total);

    embedder.calls.length = 0;
    const result = await core.ask({ question: 'How do I get a refund?', context: { platform: 'cli' } });
    expect(result.answer).toMatch(/refund.*\[\d\]/i);
    expect(result.answerability?.sentenceCosine).toBeGreaterThan(0);
    // The question, then one batch of the retrieved passages' sentences.
    expect(embedder.calls.length).toBe(2);
    expect(logger.warnings.some((warning) => /ingest/.test(warning) && /sentence/.test(warning))).toBe(true);

    // The documents are unchanged, yet ingesting them again stores their sentence vectors.
    const report = await core.ingest([docs]);
    expect(report.failed).toEqual([]);
    expect(await core.knowledge.passagesWithoutSentenceVectors()).toBe(0);
    embedder.calls.length = 0;
    await core.ask({ question: 'How do I get a refund?', context: { platform: 'cli' } });
    expect(embedder.calls).toEqual([['How do I get a refund?']]);
    await core.close();
  });
});
