import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalEmbedder,
  localModelProfile,
  localModelStatus,
} from '../../src/core/adapters/local-embedder/index.ts';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { AnswerloopError } from '../../src/core/errors/index.ts';
import {
  type Chunk,
  type Embedder,
  type Logger,
  silentLogger,
  type Store,
} from '../../src/core/ports/index.ts';
import { type RetrievalSettings, search } from '../../src/core/retrieval/hybrid-search.ts';
import { useLocalModel } from '../support/local-model.ts';

const model = useLocalModel();
const scratch = mkdtempSync(path.join(tmpdir(), 'answerloop-local-embedder-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
const norm = (vector: number[]) => Math.sqrt(cosine(vector, vector));

describe('local embedder without its model', () => {
  it('fails with embedder_failed saying how to get the model, when downloads are off', async () => {
    const modelDir = path.join(scratch, 'empty-models');
    const embedder = createLocalEmbedder({
      model: 'all-MiniLM-L6-v2',
      modelDir,
      allowRemote: false,
      dtype: 'q8',
      dimensions: 384,
      logger: silentLogger,
    });
    expect(embedder.id).toBe('local:all-MiniLM-L6-v2:q8');
    const error = await embedder.embed(['hello']).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AnswerloopError);
    expect(error).toMatchObject({ code: 'embedder_failed' });
    const message = (error as Error).message;
    expect(message).toContain('npm run model:fetch');
    expect(message).toContain('embedder.local.modelDir');
    expect(message).toContain('embedder.local.allowRemote');
    expect(message).toContain(path.join(modelDir, 'all-MiniLM-L6-v2'));
    expect(await embedder.embed([])).toEqual([]);
  });

  it('fails the same way when the download is allowed but impossible (no network in tests)', async () => {
    const modelDir = path.join(scratch, 'unreachable-models');
    const embedder = createLocalEmbedder({
      model: 'all-MiniLM-L6-v2',
      modelDir,
      allowRemote: true,
      dtype: 'q8',
      dimensions: 384,
      logger: silentLogger,
    });
    const error = await embedder.embed(['hello']).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'embedder_failed' });
    expect((error as Error).message).toContain('npm run model:fetch');
    expect((error as Error).message).toContain('Loading it failed');
  });

  it('reports which files are missing', () => {
    const status = localModelStatus({
      model: 'all-MiniLM-L6-v2',
      modelDir: path.join(scratch, 'nothing'),
      dtype: 'fp32',
    });
    expect(status.present).toBe(false);
    expect(status.missing).toContain('onnx/model.onnx');
    expect(status.folder).toBe(path.join(scratch, 'nothing', 'all-MiniLM-L6-v2'));
  });
});

describe.skipIf(!model)('local embedder with the real all-MiniLM-L6-v2', () => {
  let embedder: Embedder;
  let store: Store;

  beforeAll(async () => {
    embedder = createLocalEmbedder({ ...model!, allowRemote: false, logger: silentLogger, batchSize: 4 });
    store = createSqliteStore({
      file: path.join(scratch, 'semantic', 'answerloop.db'),
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await embedder?.close?.();
    await store?.close();
  });

  it('reports the model as present', () => {
    expect(localModelStatus(model!)).toMatchObject({ present: true, missing: [] });
  });

  it('makes 384-dimension unit vectors, the same for the same text whatever its batch', async () => {
    const short = 'Reset your password from the security settings.';
    const long = `${'A much longer passage that forces padding in its batch. '.repeat(12)}The end.`;
    const progress: Array<[number, number]> = [];
    const vectors = await embedder.embed([short, 'Another text.', long, 'Fourth.', short, 'Sixth.'], {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(vectors).toHaveLength(6);
    for (const vector of vectors) {
      expect(vector).toHaveLength(384);
      expect(Math.abs(norm(vector) - 1)).toBeLessThan(1e-4);
    }
    expect(progress).toEqual([
      [4, 6],
      [6, 6],
    ]);
    const [alone] = await embedder.embed([short]);
    expect(cosine(alone!, vectors[0]!)).toBeGreaterThan(0.9999);
    expect(cosine(vectors[4]!, vectors[0]!)).toBeGreaterThan(0.9999);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeLessThan(0.9);
  });

  it('embeds a query like a passage when the model has no query instruction (mean pooling)', async () => {
    const text = 'How do I reset my password?';
    const [asQuery] = await embedder.embed([text], { purpose: 'query' });
    const [asPassage] = await embedder.embed([text]);
    expect(cosine(asQuery!, asPassage!)).toBeGreaterThan(0.9999);
  });

  it('pools and prefixes as a BGE model wants: CLS vectors, and the query instruction before a query only', async () => {
    // The same weights under bge-small-en-v1.5's name: its profile (CLS pooling, query instruction) applies.
    const bgeDir = path.join(scratch, 'bge-profile');
    mkdirSync(bgeDir, { recursive: true });
    symlinkSync(path.join(model!.modelDir, model!.model), path.join(bgeDir, 'bge-small-en-v1.5'));
    const bge = createLocalEmbedder({
      ...model!,
      model: 'bge-small-en-v1.5',
      modelDir: bgeDir,
      allowRemote: false,
      logger: silentLogger,
    });
    try {
      const text = 'How do I reset my password?';
      const [cls] = await bge.embed([text]);
      const [mean] = await embedder.embed([text]);
      expect(Math.abs(norm(cls!) - 1)).toBeLessThan(1e-4);
      expect(cosine(cls!, mean!)).toBeLessThan(0.99);
      const { queryPrefix } = localModelProfile('bge-small-en-v1.5');
      expect(queryPrefix).toBe('Represent this sentence for searching relevant passages: ');
      const [query] = await bge.embed([text], { purpose: 'query' });
      const [prefixedPassage] = await bge.embed([queryPrefix + text]);
      expect(cosine(query!, prefixedPassage!)).toBeGreaterThan(0.9999);
      expect(cosine(query!, cls!)).toBeLessThan(0.99);
    } finally {
      await bge.close?.();
    }
  });

  it('loads once when many calls arrive together', async () => {
    const messages: string[] = [];
    const recording: Logger = {
      ...silentLogger,
      info: (_object, message) => void messages.push(message ?? ''),
      child: () => recording,
    };
    const fresh = createLocalEmbedder({ ...model!, allowRemote: false, logger: recording });
    try {
      const results = await Promise.all([fresh.embed(['one']), fresh.embed(['two']), fresh.embed(['one'])]);
      expect(cosine(results[0]![0]!, results[2]![0]!)).toBeGreaterThan(0.9999);
      await fresh.embed(['three']);
      expect(messages.filter((message) => message === 'local embedding model loaded')).toHaveLength(1);
    } finally {
      await fresh.close?.();
    }
  });

  it('answers a question before the passages an ingest queued ahead of it, with the same vector as when idle', async () => {
    const question = 'How do I rotate the signing secret?';
    const [idle] = await embedder.embed([question]);
    const passages = Array.from(
      { length: 48 },
      (_, index) => `Passage ${index} about configuring the bot, its channels and its limits.`,
    );
    const finished: string[] = [];
    const ingest = embedder.embed(passages).then((vectors) => {
      finished.push('passages');
      return vectors;
    });
    const asked = embedder.embed([question]).then(([vector]) => {
      finished.push('question');
      return vector!;
    });
    const [vectors, vector] = await Promise.all([ingest, asked]);
    expect(finished).toEqual(['question', 'passages']);
    expect(vectors).toHaveLength(48);
    expect(cosine(vector, idle!)).toBeGreaterThan(0.9999);
  });

  it('takes an interactive batch (the sentences of an answer) before passages queued ahead of it; several texts default to background', async () => {
    const sentences = [
      'Open Settings, then Security.',
      'Choose "Send reset link".',
      'Follow the link in the email.',
    ];
    const idle = await embedder.embed(sentences, { priority: 'interactive' });
    const passages = Array.from(
      { length: 48 },
      (_, index) => `Passage ${index} about configuring the bot, its channels and its limits.`,
    );
    const finished: string[] = [];
    const ingest = embedder.embed(passages).then(() => finished.push('passages'));
    const background = embedder.embed(sentences).then(() => finished.push('background sentences'));
    const answer = embedder.embed(sentences, { priority: 'interactive' }).then((vectors) => {
      finished.push('answer sentences');
      return vectors;
    });
    const [, , vectors] = await Promise.all([ingest, background, answer]);
    expect(finished).toEqual(['answer sentences', 'passages', 'background sentences']);
    expect(vectors.map((vector, index) => cosine(vector, idle[index]!))).toEqual(
      sentences.map(() => expect.closeTo(1, 4)),
    );
  });

  it('finds a paraphrase by meaning in vector mode where BM25 does not', async () => {
    const documents = [
      {
        docId: 'docs/account/password.md',
        title: 'Password reset',
        text: 'Resetting your password: open Settings, then Security, choose "Send reset link" and follow the email to choose a new password.',
      },
      {
        docId: 'docs/account/guests.md',
        title: 'Guest accounts',
        text: 'Guest access gives outside collaborators read-only access to shared channels; a guest login expires after 30 days.',
      },
      {
        docId: 'docs/billing/invoices.md',
        title: 'Invoices',
        text: 'Administrators can download invoices and receipts as PDF files from the Billing page.',
      },
      {
        docId: 'docs/integrations/slack.md',
        title: 'Slack',
        text: 'Install the Slack app from the Integrations page and choose the channels the bot may read.',
      },
      {
        docId: 'docs/privacy/retention.md',
        title: 'Data retention',
        text: 'Conversations are kept for 90 days and then deleted automatically.',
      },
    ];
    await store.init({ embedderId: embedder.id, dimensions: embedder.dimensions });
    const vectors = await embedder.embed(documents.map((document) => document.text));
    for (const [index, document] of documents.entries()) {
      const chunk: Chunk = {
        id: `${document.docId}#0`,
        docId: document.docId,
        source: document.docId,
        title: document.title,
        headingPath: [document.title],
        text: document.text,
        embedding: vectors[index]!,
        tags: [],
        updatedAt: '2024-05-01T00:00:00.000Z',
        contentHash: createHash('sha256').update(document.text).digest('hex'),
        documentHash: createHash('sha256').update(document.text).digest('hex'),
        ordinal: 0,
      };
      await store.replaceDocument(document.docId, [chunk]);
    }
    const settings: RetrievalSettings = {
      k: 5,
      candidates: 40,
      numCandidates: 100,
      fusion: 'rrf',
      convex: { vectorWeight: 0.7, normalisation: 'min-max' },
      rrfK: 60,
      weights: { bm25: 1, vector: 1.5 },
      boosts: { title: 2, headings: 1.5, text: 1 },
      minBm25PerTerm: 0,
      minCosine: 0,
    };
    const question = 'How can I recover access if I forgot my login credentials?';

    const byMeaning = await search(question, { mode: 'vector' }, { store, embedder, settings });
    expect(byMeaning.hits[0]?.chunk.docId).toBe('docs/account/password.md');
    expect(byMeaning.hits[0]!.score).toBeGreaterThan(byMeaning.hits[1]!.score);

    const byWords = await search(question, { mode: 'bm25' }, { store, embedder, settings });
    expect(byWords.hits[0]?.chunk.docId).toBe('docs/account/guests.md');
    expect(byWords.hits.map((hit) => hit.chunk.docId)).not.toContain('docs/account/password.md');
  });
});
