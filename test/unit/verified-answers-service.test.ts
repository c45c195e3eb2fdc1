// Verified answers over the in-memory store: published, found, withdrawn and written again as a knowledge source.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createVerifiedAnswerService,
  type VerifiedAnswerService,
} from '../../src/core/curation/verified-answers.ts';
import { ingestSource } from '../../src/core/knowledge/index.ts';
import { type Embedder, silentLogger } from '../../src/core/ports/index.ts';
import { search } from '../../src/core/retrieval/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { createInMemoryStore, type InMemoryStore } from '../fakes/in-memory-store.ts';
import { conversationRecord, learningLoopConfig, manualClock } from '../support/conversation-fixtures.ts';

const config = learningLoopConfig();
const answer = 'Open Settings, choose Security and click "Send reset link" [1].';
let store: InMemoryStore;
let embedder: Embedder;
let failing: boolean;
let changed: string[][];
let verified: VerifiedAnswerService;

beforeEach(async () => {
  store = createInMemoryStore();
  const working = createDeterministicEmbedder();
  failing = false;
  embedder = {
    id: working.id,
    dimensions: working.dimensions,
    embed: (texts) =>
      failing ? Promise.reject(new Error('embedding service unavailable')) : working.embed(texts),
  };
  await store.init({ embedderId: embedder.id, dimensions: embedder.dimensions });
  changed = [];
  verified = createVerifiedAnswerService({
    ...{ config, store, embedder, logger: silentLogger, clock: manualClock() },
    documentsChanged: async (docIds) => {
      changed.push(docIds);
    },
  });
  // The page the answer rests on, tagged: the verified passage carries its tags.
  const [vector] = await working.embed(['Passwords are reset under Settings > Security.']);
  await store.replaceDocument('docs/account.md', [
    {
      id: 'docs/account.md#0',
      docId: 'docs/account.md',
      source: 'docs/account.md',
      title: 'Account',
      headingPath: [],
      text: 'Passwords are reset under Settings > Security.',
      embedding: vector!,
      sentences: [],
      tags: ['accounts'],
      updatedAt: '2025-01-01T00:00:00.000Z',
      contentHash: 'c',
      documentHash: 'd',
      ordinal: 0,
    },
  ]);
  await store.saveConversation(
    conversationRecord({
      id: 'c1',
      question: 'How do I reset my password?',
      answer: 'No idea.',
      overrides: { reviewStatus: 'corrected', correctedAnswer: answer },
    }),
  );
});

const verifiedDocuments = async () =>
  (await store.listDocuments()).filter((document) => document.docId.startsWith('verified/'));

describe('verified answers as a knowledge source', () => {
  it('publishes a passage of its own: the question as its title, the answer without markers, tagged verified', async () => {
    const published = await verified.publish({ conversationId: 'c1', reviewer: 'ops' });
    const docId = `verified/${published.verified.id}`;
    const [chunk] = await store.getChunks([`${docId}#0`]);
    expect(chunk).toMatchObject({
      docId,
      source: docId,
      title: 'How do I reset my password?',
      text: 'Open Settings, choose Security and click "Send reset link".',
      tags: ['verified', 'accounts'],
    });
    const found = await search(
      'reset password',
      { filters: { tags: ['verified'] } },
      { store, embedder, settings: config.retrieval },
    );
    expect(found.hits.map((hit) => hit.chunk.docId)).toEqual([docId]);
    // Publishing the same again writes nothing.
    const writes = store.methodsCalled(['replaceDocument', 'setValue']).length;
    expect((await verified.publish({ conversationId: 'c1', reviewer: 'ops' })).changed).toBe(false);
    expect(store.methodsCalled(['replaceDocument', 'setValue'])).toHaveLength(writes);
  });

  it('masks a secret typed into an edit (the answer goes to everyone asking), but keeps an address put back on purpose', async () => {
    const { verified: record } = await verified.publish({ conversationId: 'c1', reviewer: 'ops' });
    const key = 'sk-proj-QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
    const edited = await verified.edit({
      id: record.id,
      reviewer: 'ops',
      answer: `Write to support@example.com, or call the API with ${key}.`,
      question: `How do I reset my password with ${key}?`,
    });
    expect(edited.verified.answer).toMatch(/^Write to support@example\.com, or call the API with .+\.$/);
    expect(JSON.stringify(edited.verified)).not.toContain(key);
    expect(JSON.stringify(await store.getChunks([`verified/${record.id}#0`]))).not.toContain(key);
    expect(edited.warnings.join(' ')).toMatch(/secret was masked/);
  });

  it('saves no record when the passage cannot be embedded, and says why', async () => {
    failing = true;
    await expect(verified.publish({ conversationId: 'c1', reviewer: 'ops' })).rejects.toMatchObject({
      code: 'embedder_failed',
      message: expect.stringContaining('embedding service unavailable'),
    });
    expect(await verified.list('all')).toEqual([]);
    expect(store.methodsCalled(['setValue'])).toEqual([]);
    failing = false;
    expect((await verified.publish({ conversationId: 'c1', reviewer: 'ops' })).changed).toBe(true);
  });

  it('withdraws the passage when retired or when its page changed, and reports the change', async () => {
    const { verified: record } = await verified.publish({ conversationId: 'c1', reviewer: 'ops' });
    expect(await verified.flagStale(['docs/account.md'])).toBe(1);
    expect(await verifiedDocuments()).toEqual([]);
    expect(changed).toContainEqual([`verified/${record.id}`]);
    await verified.reapprove({ id: record.id, reviewer: 'ops' });
    expect((await verifiedDocuments()).map((document) => document.docId)).toEqual([`verified/${record.id}`]);
    await verified.retire({ id: record.id, reviewer: 'ops' });
    expect(await verifiedDocuments()).toEqual([]);
    expect((await verified.get(record.id)).status).toBe('retired');
  });

  it('is a source the pipeline writes again after the index was emptied, and owns its documents alone', async () => {
    const { verified: record } = await verified.publish({ conversationId: 'c1', reviewer: 'ops' });
    expect(verified.source.owns?.(`verified/${record.id}`)).toBe(true);
    expect(verified.source.owns?.('docs/verified/notes.md')).toBe(false);
    await store.deleteDocument(`verified/${record.id}`);
    await store.replaceDocument(
      'verified/unknown',
      (await store.getChunks([`docs/account.md#0`])).map((chunk) => ({
        ...chunk,
        id: 'verified/unknown#0',
        docId: 'verified/unknown',
      })),
    );
    const report = await ingestSource(
      verified.source,
      {},
      {
        store,
        embedder,
        settings: config.knowledge,
        logger: silentLogger,
        clock: manualClock(),
        rootDir: '.',
      },
    );
    expect(report).toMatchObject({ added: 1, deleted: 1, failed: [] });
    expect((await verifiedDocuments()).map((document) => document.docId)).toEqual([`verified/${record.id}`]);
  });
});
