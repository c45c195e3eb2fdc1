/**
 * The store conformance suite: one set of behaviours every store adapter (embedded SQLite, Elasticsearch)
 * must show, exercised through the `Store` port only. An adapter's test file calls `defineStoreContract`
 * with a function that opens a fresh, empty store; the suite closes it after each test, then calls `cleanup`.
 *
 * Decisions the port leaves open, fixed here so every adapter behaves alike:
 * - `getChunks` and search hits need not return embeddings: `embedding` is either [] or the stored vector.
 *   Every other chunk field round-trips exactly. `getChunks` skips unknown ids; its order is unspecified.
 * - BM25 matches chunks holding ANY query term (like Elasticsearch's `match`), best first; its raw score is
 *   positive. A query with no searchable term (only punctuation) returns no hits, never an error. Query text
 *   is data, never query syntax.
 * - The vector leg is exact or near-exact: it returns the k nearest chunks that pass the filters, best first,
 *   with cosine similarity in [-1, 1] as the score (about 1 for the identical vector; above 0.9 where vectors are quantised).
 * - Filters apply to both legs. Tags: any-of. Source prefixes: any-of, matched literally (no wildcards).
 *   Tags and prefixes together: a chunk must pass both. An empty list is no filter.
 * - `replaceDocument(docId, [])` leaves the document absent. `deleteDocument` of an unknown id is a no-op.
 * - `listConversations` orders newest first when no order is given; `limit` omitted means no limit.
 *   Feedback filter: 'helpful' = helpful true, 'not_helpful' = helpful false, 'any' = either verdict,
 *   'none' = no verdict (no feedback, or a comment with helpful null). The 'review' order puts
 *   not-helpful first, then no verdict, then helpful, newest first within each.
 * - Lists without a documented order (documents, datasets, examples, models, evaluations) are compared as sets.
 * - No sleeps: after a write resolves, every read sees it.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnswerloopError } from '../../src/core/errors/index.ts';
import type {
  Chunk,
  ConversationQuery,
  ConversationRecord,
  DatasetVersionRecord,
  EmbeddingSpace,
  EvaluationRecord,
  ExampleRecord,
  LegSearchRequest,
  ModelRecord,
  SearchFilters,
  Store,
  StoredSentence,
  ThreadMessage,
  TrainingJobRecord,
} from '../../src/core/ports/index.ts';
import { passageSentences } from '../../src/core/knowledge/passage-sentences.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { defineCoordinationContract } from './coordination-contract.ts';

export type OpenStore = () => Promise<{ store: Store; cleanup?: () => Promise<void> }>;

const embedder = createDeterministicEmbedder(64);
const space: EmbeddingSpace = { embedderId: embedder.id, dimensions: embedder.dimensions };
const boosts = { title: 2, headings: 1.5, text: 1 };
/** Floating-point slack for cosine bounds (vectors may be stored as float32). */
const cosineSlack = 1e-5;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface SectionFixture {
  text: string;
  headingPath?: string[];
}

interface DocumentFixture {
  docId: string;
  title: string;
  source?: string;
  tags?: string[];
  updatedAt?: string;
  sections: SectionFixture[];
}

/** Sentences of a passage with their vectors, as ingestion stores them. */
async function sentencesOf(text: string): Promise<StoredSentence[]> {
  const texts = passageSentences(text);
  const vectors = texts.length === 0 ? [] : await embedder.embed(texts);
  return texts.map((sentence, index) => ({ text: sentence, vector: vectors[index]! }));
}

async function chunksOf(document: DocumentFixture): Promise<Chunk[]> {
  const vectors = await embedder.embed(document.sections.map((section) => section.text));
  const sentences = await Promise.all(document.sections.map((section) => sentencesOf(section.text)));
  const documentHash = sha256(document.sections.map((section) => section.text).join('\n'));
  return document.sections.map((section, ordinal) => ({
    id: `${document.docId}#${ordinal}`,
    docId: document.docId,
    source: document.source ?? document.docId,
    title: document.title,
    headingPath: section.headingPath ?? [document.title],
    text: section.text,
    embedding: vectors[ordinal]!,
    tags: document.tags ?? [],
    updatedAt: document.updatedAt ?? '2024-05-01T12:00:00.000Z',
    contentHash: sha256(section.text),
    documentHash,
    ordinal,
    sentences: sentences[ordinal]!,
  }));
}

async function addDocuments(store: Store, documents: DocumentFixture[]): Promise<Map<string, Chunk[]>> {
  const written = new Map<string, Chunk[]>();
  for (const document of documents) {
    const chunks = await chunksOf(document);
    await store.replaceDocument(document.docId, chunks);
    written.set(document.docId, chunks);
  }
  return written;
}

/**
 * Every field but the vectors round-trips exactly; the embedding is [] or the stored vector, and the sentences are
 * absent (search hits) or the stored ones, their vectors to float precision.
 */
function expectSameChunk(actual: Chunk | undefined, expected: Chunk): void {
  expect(actual).toBeDefined();
  const { embedding, sentences, ...rest } = actual!;
  const { embedding: expectedEmbedding, sentences: expectedSentences, ...expectedRest } = expected;
  expect(rest).toEqual(expectedRest);
  if (sentences) {
    expect(sentences.map((sentence) => sentence.text)).toEqual(
      (expectedSentences ?? []).map((sentence) => sentence.text),
    );
    sentences.forEach((sentence, index) =>
      sentence.vector.forEach((value, position) =>
        expect(value).toBeCloseTo(expectedSentences![index]!.vector[position]!, 5),
      ),
    );
  }
  if (embedding.length > 0) {
    expect(embedding).toHaveLength(expectedEmbedding.length);
    embedding.forEach((value, index) => expect(value).toBeCloseTo(expectedEmbedding[index]!, 5));
  }
}

const sortedIds = (items: Array<{ id: string }>) => items.map((item) => item.id).sort();
const hitDocIds = (hits: Array<{ chunk: Chunk }>) => hits.map((hit) => hit.chunk.docId);

function legRequest(request: Partial<LegSearchRequest> & { filters?: SearchFilters }): LegSearchRequest {
  return { k: 10, numCandidates: 100, filters: {}, boosts, ...request };
}

async function queryVector(text: string): Promise<number[]> {
  return (await embedder.embed([text]))[0]!;
}

async function expectAnswerloopError(promise: Promise<unknown>, code: string): Promise<AnswerloopError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, `expected a rejection with code ${code}`).toBeInstanceOf(AnswerloopError);
  expect((error as AnswerloopError).code).toBe(code);
  return error as AnswerloopError;
}

/** A small knowledge base where each question has one unambiguous answer. */
const handbook: DocumentFixture[] = [
  {
    docId: 'docs/account/password.md',
    title: 'Reset your password',
    tags: ['account', 'security'],
    sections: [
      {
        text: 'To reset a forgotten password, open Settings, choose Security and click Send reset link. The link expires after one hour.',
      },
    ],
  },
  {
    docId: 'docs/billing/invoices.md',
    title: 'Download invoices',
    tags: ['billing'],
    sections: [
      {
        text: 'Invoices are available as PDF files under Billing. Administrators can download every invoice issued in the last two years.',
      },
    ],
  },
  {
    docId: 'docs/api/webhooks.md',
    title: 'Webhooks',
    tags: ['api', 'security'],
    sections: [
      {
        text: 'Webhooks send an HTTP POST request to your endpoint whenever an event occurs. Verify the signature header before trusting the payload.',
      },
    ],
  },
  {
    docId: 'docs/deploy/docker.md',
    title: 'Run with Docker',
    tags: ['ops'],
    sections: [
      {
        text: 'Start the container with docker compose up. Mount a volume for the data folder so the database survives restarts.',
      },
    ],
  },
  {
    docId: 'docs/account/sso.md',
    title: 'Single sign-on',
    tags: ['account'],
    sections: [
      {
        text: 'Single sign-on with SAML lets employees log in through the company identity provider such as Okta.',
      },
    ],
  },
];
/** Shares at least one word with every handbook chunk, so BM25 and kNN both see all of them. */
const broadQuery = 'password invoices webhooks docker employees';

function conversation(id: string, overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    id,
    platform: 'slack',
    channel: 'C001',
    thread: '1700000000.000100',
    user: 'user-hash-1',
    question: 'How do I reset my password?',
    standaloneQuestion: 'How do I reset my password?',
    route: 'retrieve',
    sources: [
      {
        number: 1,
        chunkId: 'docs/account/password.md#0',
        docId: 'docs/account/password.md',
        source: 'docs/account/password.md',
        title: 'Reset your password',
        headingPath: ['Reset your password'],
        score: 0.032,
        bm25Score: 7.5,
        vectorScore: 0.81,
        bm25Rank: 1,
        vectorRank: 1,
      },
    ],
    answer: 'Open Settings, then Security, and click Send reset link [1].',
    model: 'gpt-4o-mini-2024-07-18',
    promptMessages: [
      { role: 'system', content: 'Answer from the sources.' },
      {
        role: 'user',
        content: '[1] To reset a forgotten password...\n\nQuestion: How do I reset my password?',
      },
    ],
    confidence: 0.8,
    refused: false,
    latencyMs: 850,
    usage: { promptTokens: 420, completionTokens: 35, totalTokens: 455 },
    feedback: null,
    reviewStatus: 'new',
    correctedAnswer: null,
    reviewer: null,
    reviewedAt: null,
    failureKind: null,
    expectedSources: [],
    stale: false,
    createdAt: '2024-03-01T09:00:00.000Z',
    updatedAt: '2024-03-01T09:00:00.000Z',
    ...overrides,
  };
}

const source = (docId: string, number = 1) => ({
  number,
  chunkId: `${docId}#0`,
  docId,
  source: docId,
  title: docId,
  headingPath: [],
  score: 0.01,
});
const feedbackOf = (helpful: boolean | null, at: string) => ({
  helpful,
  at,
  by: 'reviewer-hash',
  comment: helpful === null ? 'see thread' : undefined,
});

/**
 * Six conversations spread over every filterable field. Dates increase with the number, so newest first is c6..c1.
 * Verdicts: helpful c1, c6; not helpful c2, c5; none c3 (no feedback), c4 (comment only).
 */
const conversationSet: ConversationRecord[] = [
  conversation('c1', {
    platform: 'slack',
    channel: 'C1',
    thread: 't1',
    createdAt: '2024-01-01T10:00:00.000Z',
    feedback: feedbackOf(true, '2024-01-01T10:05:00.000Z'),
    reviewStatus: 'new',
    refused: false,
    confidence: 0.9,
    stale: false,
    sources: [source('docs/a.md')],
  }),
  conversation('c2', {
    platform: 'slack',
    channel: 'C1',
    thread: 't2',
    createdAt: '2024-01-02T10:00:00.000Z',
    feedback: feedbackOf(false, '2024-01-02T10:05:00.000Z'),
    reviewStatus: 'approved',
    refused: false,
    confidence: 0.3,
    stale: true,
    sources: [source('docs/b.md')],
  }),
  conversation('c3', {
    platform: 'discord',
    channel: 'D1',
    thread: '',
    createdAt: '2024-01-03T10:00:00.000Z',
    feedback: null,
    reviewStatus: 'new',
    refused: true,
    confidence: 0.1,
    stale: false,
    route: 'refused',
    sources: [],
  }),
  conversation('c4', {
    platform: 'cli',
    channel: 'cli',
    thread: '',
    createdAt: '2024-01-04T10:00:00.000Z',
    feedback: feedbackOf(null, '2024-01-04T10:05:00.000Z'),
    reviewStatus: 'corrected',
    refused: false,
    confidence: 0.5,
    stale: false,
    sources: [source('docs/a.md'), source('docs/c.md', 2)],
    correctedAnswer: 'The right answer.',
    correctionSource: 'operator',
    reviewer: 'op-1',
    reviewedAt: '2024-01-05T00:00:00.000Z',
  }),
  conversation('c5', {
    platform: 'slack',
    channel: 'C2',
    thread: 't5',
    createdAt: '2024-01-05T10:00:00.000Z',
    feedback: feedbackOf(false, '2024-01-05T10:05:00.000Z'),
    reviewStatus: 'rejected',
    refused: false,
    confidence: 0.7,
    stale: false,
    sources: [source('docs/c.md')],
  }),
  conversation('c6', {
    platform: 'discord',
    channel: 'D1',
    thread: 'th6',
    createdAt: '2024-01-06T10:00:00.000Z',
    feedback: feedbackOf(true, '2024-01-06T10:05:00.000Z'),
    reviewStatus: 'approved',
    refused: false,
    confidence: 0.5,
    stale: true,
    sources: [source('docs/b.md')],
  }),
];

function example(id: string, overrides: Partial<ExampleRecord> = {}): ExampleRecord {
  return {
    id,
    dataset: 'support',
    messages: [
      { role: 'system', content: 'Answer from the sources.' },
      { role: 'user', content: '[1] Invoices are available as PDF files.\n\nQuestion: Where are invoices?' },
      { role: 'assistant', content: 'Under Billing, as PDF files [1].' },
    ],
    originConversationId: null,
    sourceDocIds: ['docs/billing/invoices.md'],
    split: 'train',
    stale: false,
    createdBy: 'op-1',
    createdAt: '2024-02-01T00:00:00.000Z',
    updatedAt: '2024-02-01T00:00:00.000Z',
    ...overrides,
  };
}

function datasetVersion(
  dataset: string,
  version: number,
  overrides: Partial<DatasetVersionRecord> = {},
): DatasetVersionRecord {
  return {
    dataset,
    version,
    createdAt: `2024-02-0${version}T00:00:00.000Z`,
    createdBy: 'op-1',
    examples: [
      example(`${dataset}-e${version}`, { dataset }),
      example(`${dataset}-e${version}b`, { dataset, split: 'validation' }),
    ],
    report: { errors: [], warnings: ['only 2 examples'], tokens: 512 },
    ...overrides,
  };
}

function model(name: string, overrides: Partial<ModelRecord> = {}): ModelRecord {
  return {
    name,
    baseModel: 'gpt-4o-mini-2024-07-18',
    jobId: 'ftjob-1',
    datasetVersion: 'support@1',
    status: 'candidate',
    evaluation: null,
    promotedAt: null,
    previousActive: null,
    createdAt: '2024-03-01T00:00:00.000Z',
    ...overrides,
  };
}

function trainingJob(
  id: string,
  createdAt: string,
  overrides: Partial<TrainingJobRecord> = {},
): TrainingJobRecord {
  return {
    id,
    datasetVersion: 'support@1',
    baseModel: 'gpt-4o-mini-2024-07-18',
    suffix: 'support',
    hyperparameters: { nEpochs: 3 },
    trainingFileId: 'file-train',
    validationFileId: null,
    status: 'queued',
    fineTunedModel: null,
    error: null,
    events: [],
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

function evaluation(id: string, candidate: string, createdAt: string): EvaluationRecord {
  return {
    id,
    candidate,
    baseline: 'gpt-4o-mini-2024-07-18',
    winRate: 0.625,
    scores: {
      [candidate]: { similarity: 0.81, citationValidity: 0.97, refusalAccuracy: 0.9, judgeWins: 5 },
      'gpt-4o-mini-2024-07-18': { similarity: 0.74, citationValidity: 0.93, refusalAccuracy: 0.85 },
    },
    examples: 8,
    createdAt,
    rows: [{ exampleId: 'e1', candidate: 'answer a', baseline: 'answer b', winner: 'candidate' }],
  };
}

export function defineStoreContract(name: string, openStore: OpenStore): void {
  /** Opens a fresh store before each test of the enclosing describe, closes and cleans it after. */
  function useStore(options: { init: boolean }): () => Store {
    let opened: Awaited<ReturnType<OpenStore>> | undefined;
    beforeEach(async () => {
      opened = await openStore();
      if (options.init) await opened.store.init(space);
    });
    afterEach(async () => {
      const current = opened;
      opened = undefined;
      if (!current) return;
      try {
        await current.store.close();
      } finally {
        await current.cleanup?.();
      }
    });
    return () => {
      if (!opened) throw new Error('The store is not open.');
      return opened.store;
    };
  }

  describe(`${name} store contract`, () => {
    describe('embedding space', () => {
      const store = useStore({ init: false });

      it('records the space on init and reports it', async () => {
        expect(await store().embeddingSpace()).toBeUndefined();
        await store().init(space);
        expect(await store().embeddingSpace()).toEqual(space);
      });

      it('accepts init again with the same space, keeping the data', async () => {
        await store().init(space);
        await addDocuments(store(), handbook.slice(0, 1));
        await store().init(space);
        expect(await store().counts()).toEqual({ documents: 1, chunks: 1 });
      });

      it('refuses another dimension with dimension_mismatch naming the rebuild command', async () => {
        await store().init(space);
        const error = await expectAnswerloopError(
          store().init({ embedderId: space.embedderId, dimensions: 32 }),
          'dimension_mismatch',
        );
        expect(error.message).toContain('answerloop ingest --rebuild');
        expect(await store().embeddingSpace()).toEqual(space);
      });

      it('refuses another embedder of the same dimension', async () => {
        await store().init(space);
        const error = await expectAnswerloopError(
          store().init({ embedderId: 'other-model', dimensions: space.dimensions }),
          'dimension_mismatch',
        );
        expect(error.message).toContain('answerloop ingest --rebuild');
      });

      it('reports health with its kind', async () => {
        await store().init(space);
        const health = await store().health();
        expect(health.ok).toBe(true);
        expect(health.kind).toBe(store().kind);
        expect(['embedded', 'elasticsearch']).toContain(health.kind);
        expect(typeof health.status).toBe('string');
      });
    });

    describe('resetKnowledge', () => {
      const store = useStore({ init: true });

      it('drops chunks and the space but keeps conversations, datasets, models and values', async () => {
        await addDocuments(store(), handbook);
        await store().saveConversation(conversation('kept'));
        await store().saveExample(example('kept-example'));
        await store().saveModel(model('ft:kept'));
        await store().setValue('settings', 'active', 'ft:kept');
        expect(
          (await store().searchLegs(legRequest({ vector: await queryVector(broadQuery) }))).vector,
        ).toHaveLength(handbook.length);

        await store().resetKnowledge();

        expect(await store().counts()).toEqual({ documents: 0, chunks: 0 });
        expect(await store().listDocuments()).toEqual([]);
        expect(await store().embeddingSpace()).toBeUndefined();
        await store().init({ embedderId: 'another-model', dimensions: 32 });
        expect(await store().embeddingSpace()).toEqual({ embedderId: 'another-model', dimensions: 32 });
        const legs = await store().searchLegs(
          legRequest({
            text: broadQuery,
            vector: new Array<number>(32).fill(0).map((_, index) => (index === 0 ? 1 : 0)),
          }),
        );
        expect(legs.bm25).toEqual([]);
        expect(legs.vector).toEqual([]);
        expect((await store().getConversation('kept'))?.id).toBe('kept');
        expect((await store().getExample('kept-example'))?.id).toBe('kept-example');
        expect((await store().getModel('ft:kept'))?.name).toBe('ft:kept');
        expect(await store().getValue('settings', 'active')).toBe('ft:kept');
      });
    });

    describe('documents and chunks', () => {
      const store = useStore({ init: true });

      it('adds a document and round-trips every chunk field', async () => {
        const chunks = await chunksOf({
          docId: 'guides/setup.md',
          source: 'https://docs.example.com/guides/setup',
          title: 'Setup guide',
          tags: ['setup', 'linux'],
          updatedAt: '2024-04-02T08:30:00.000Z',
          sections: [
            { text: 'Install the package with npm.', headingPath: ['Setup guide', 'Install'] },
            {
              text: 'On Linux, allow the port in the firewall.',
              headingPath: ['Setup guide', 'Install', 'On Linux'],
            },
            { text: 'Run the doctor command to check everything.', headingPath: [] },
          ],
        });
        await store().replaceDocument('guides/setup.md', chunks);

        const read = await store().getChunks(chunks.map((chunk) => chunk.id));
        expect(sortedIds(read)).toEqual(sortedIds(chunks));
        for (const chunk of chunks)
          expectSameChunk(
            read.find((candidate) => candidate.id === chunk.id),
            chunk,
          );
        expect(await store().counts()).toEqual({ documents: 1, chunks: 3 });
      });

      it('keeps sentence vectors with each passage: getChunks returns them, search hits leave them out', async () => {
        const [withSentences] = (
          await addDocuments(store(), [
            {
              docId: 'guides/backup.md',
              title: 'Backups',
              sections: [
                {
                  text: 'Backups run every night at two. Each backup is kept for thirty days before it is removed.',
                },
              ],
            },
          ])
        ).get('guides/backup.md')!;
        expect(withSentences!.sentences!.map((sentence) => sentence.text)).toEqual([
          'Backups run every night at two.',
          'Each backup is kept for thirty days before it is removed.',
        ]);
        const [read] = await store().getChunks([withSentences!.id]);
        expectSameChunk(read, withSentences!);
        expect(read!.sentences).toHaveLength(2);
        const legs = await store().searchLegs(
          legRequest({ text: 'backup nightly', vector: await queryVector('backup nightly') }),
        );
        expect(legs.bm25[0]?.chunk.sentences).toBeUndefined();
        expect(legs.vector[0]?.chunk.sentences).toBeUndefined();

        // A passage written before sentence vectors were kept: counted, and its document flagged for re-ingestion.
        const [old] = await chunksOf({
          docId: 'guides/old.md',
          title: 'Old page',
          sections: [{ text: 'An old passage stored before sentences had vectors.' }],
        });
        const { sentences: _dropped, ...withoutSentences } = old!;
        await store().replaceDocument('guides/old.md', [withoutSentences]);
        expect(await store().chunksWithoutSentences()).toBe(1);
        const summaries = await store().listDocuments();
        expect(summaries.find((summary) => summary.docId === 'guides/old.md')?.withoutSentences).toBe(true);
        expect(
          summaries.find((summary) => summary.docId === 'guides/backup.md')?.withoutSentences,
        ).toBeUndefined();
        expect((await store().getChunks([old!.id]))[0]?.sentences).toBeUndefined();
      });

      it('skips unknown ids in getChunks and accepts an empty list', async () => {
        await addDocuments(store(), handbook.slice(0, 2));
        expect(await store().getChunks([])).toEqual([]);
        const read = await store().getChunks([
          'docs/account/password.md#0',
          'nope#0',
          'docs/billing/invoices.md#7',
        ]);
        expect(read.map((chunk) => chunk.id)).toEqual(['docs/account/password.md#0']);
      });

      it('summarises documents for incremental ingestion', async () => {
        const written = await addDocuments(store(), [
          { ...handbook[0]!, updatedAt: '2024-06-01T00:00:00.000Z' },
          {
            docId: 'docs/faq.md',
            source: 'https://docs.example.com/faq',
            title: 'FAQ',
            updatedAt: '2024-06-02T00:00:00.000Z',
            sections: [{ text: 'First answer.' }, { text: 'Second answer.' }, { text: 'Third answer.' }],
          },
        ]);
        const documents = [...(await store().listDocuments())].sort((a, b) => a.docId.localeCompare(b.docId));
        expect(documents).toEqual([
          {
            docId: 'docs/account/password.md',
            source: 'docs/account/password.md',
            title: 'Reset your password',
            documentHash: written.get('docs/account/password.md')![0]!.documentHash,
            chunkCount: 1,
            updatedAt: '2024-06-01T00:00:00.000Z',
          },
          {
            docId: 'docs/faq.md',
            source: 'https://docs.example.com/faq',
            title: 'FAQ',
            documentHash: written.get('docs/faq.md')![0]!.documentHash,
            chunkCount: 3,
            updatedAt: '2024-06-02T00:00:00.000Z',
          },
        ]);
      });

      it('replaces a document with fewer chunks: the old ones are gone everywhere', async () => {
        await addDocuments(store(), [
          {
            docId: 'docs/guide.md',
            title: 'Guide',
            sections: [
              { text: 'Alpha paragraph about kangaroos.' },
              { text: 'Beta paragraph about wombats.' },
              { text: 'Gamma paragraph about platypuses.' },
            ],
          },
          handbook[1]!,
        ]);
        // Search first, so an adapter that caches anything must notice the replacement.
        const before = await store().searchLegs(
          legRequest({ text: 'wombats', vector: await queryVector('Beta paragraph about wombats.') }),
        );
        expect(before.vector).toHaveLength(4);
        const replacement = await chunksOf({
          docId: 'docs/guide.md',
          title: 'Guide v2',
          sections: [{ text: 'Only paragraph about koalas.' }],
        });
        await store().replaceDocument('docs/guide.md', replacement);

        expect(await store().counts()).toEqual({ documents: 2, chunks: 2 });
        const read = await store().getChunks(['docs/guide.md#0', 'docs/guide.md#1', 'docs/guide.md#2']);
        expect(read).toHaveLength(1);
        expectSameChunk(read[0], replacement[0]!);
        const summary = (await store().listDocuments()).find(
          (document) => document.docId === 'docs/guide.md',
        );
        expect(summary).toMatchObject({
          title: 'Guide v2',
          chunkCount: 1,
          documentHash: replacement[0]!.documentHash,
        });

        const oldWords = await store().searchLegs(legRequest({ text: 'wombats platypuses' }));
        expect(oldWords.bm25).toEqual([]);
        const newWords = await store().searchLegs(
          legRequest({ text: 'koalas', vector: await queryVector('Beta paragraph about wombats.') }),
        );
        expect(newWords.bm25.map((hit) => hit.chunk.id)).toEqual(['docs/guide.md#0']);
        expect(newWords.vector.map((hit) => hit.chunk.id).sort()).toEqual([
          'docs/billing/invoices.md#0',
          'docs/guide.md#0',
        ]);
      });

      it('leaves other documents alone when one is replaced', async () => {
        const written = await addDocuments(store(), handbook);
        await addDocuments(store(), [{ ...handbook[0]!, sections: [{ text: 'New password text.' }] }]);
        const invoices = await store().getChunks(['docs/billing/invoices.md#0']);
        expectSameChunk(invoices[0], written.get('docs/billing/invoices.md')![0]!);
        expect(await store().counts()).toEqual({ documents: 5, chunks: 5 });
      });

      it('treats a replacement with no chunks as removal', async () => {
        await addDocuments(store(), handbook.slice(0, 2));
        await store().replaceDocument('docs/account/password.md', []);
        expect((await store().listDocuments()).map((document) => document.docId)).toEqual([
          'docs/billing/invoices.md',
        ]);
        expect(await store().counts()).toEqual({ documents: 1, chunks: 1 });
      });

      it('deletes a document from lists, counts, getChunks and both legs', async () => {
        await addDocuments(store(), handbook);
        const before = await store().searchLegs(
          legRequest({ text: broadQuery, vector: await queryVector(broadQuery) }),
        );
        expect(hitDocIds(before.vector)).toContain('docs/api/webhooks.md');
        await store().deleteDocument('docs/api/webhooks.md');
        await store().deleteDocument('docs/never-existed.md');

        expect((await store().listDocuments()).map((document) => document.docId).sort()).toEqual([
          'docs/account/password.md',
          'docs/account/sso.md',
          'docs/billing/invoices.md',
          'docs/deploy/docker.md',
        ]);
        expect(await store().counts()).toEqual({ documents: 4, chunks: 4 });
        expect(await store().getChunks(['docs/api/webhooks.md#0'])).toEqual([]);
        const legs = await store().searchLegs(
          legRequest({ text: broadQuery, vector: await queryVector(broadQuery) }),
        );
        expect(hitDocIds(legs.bm25)).not.toContain('docs/api/webhooks.md');
        expect(hitDocIds(legs.vector)).not.toContain('docs/api/webhooks.md');
        expect(legs.vector).toHaveLength(4);
        const nearestToDeleted = await store().searchLegs(
          legRequest({ vector: await queryVector(handbook[2]!.sections[0]!.text), k: 1 }),
        );
        expect(nearestToDeleted.vector).toHaveLength(1);
        expect(nearestToDeleted.vector[0]?.chunk.docId).not.toBe('docs/api/webhooks.md');
      });

      it('rejects chunks whose embedding has the wrong dimension, writing nothing', async () => {
        const [chunk] = await chunksOf(handbook[0]!);
        await expectAnswerloopError(
          store().replaceDocument(chunk!.docId, [{ ...chunk!, embedding: [1, 0, 0] }]),
          'dimension_mismatch',
        );
        expect(await store().counts()).toEqual({ documents: 0, chunks: 0 });
      });

      it('stores and finds a very long chunk (200 KB)', async () => {
        const filler = Array.from(
          { length: 5000 },
          (_, index) => `Filler sentence number ${index} says nothing.`,
        ).join(' ');
        const text = `${filler} The secret codeword is zanzibarquux.`;
        expect(text.length).toBeGreaterThan(200_000);
        const [chunk] = await chunksOf({ docId: 'docs/huge.md', title: 'Huge', sections: [{ text }] });
        await store().replaceDocument('docs/huge.md', [chunk!]);
        await addDocuments(store(), handbook.slice(0, 2));

        const [read] = await store().getChunks(['docs/huge.md#0']);
        expect(read?.text).toBe(text);
        const legs = await store().searchLegs(legRequest({ text: 'zanzibarquux', vector: chunk!.embedding }));
        expect(hitDocIds(legs.bm25)).toEqual(['docs/huge.md']);
        expect(legs.vector[0]?.chunk.id).toBe('docs/huge.md#0');
      });
    });

    describe('searchLegs', () => {
      const store = useStore({ init: true });

      it('returns empty legs on an empty store', async () => {
        const legs = await store().searchLegs(
          legRequest({ text: 'password', vector: await queryVector('password') }),
        );
        expect(legs.bm25).toEqual([]);
        expect(legs.vector).toEqual([]);
      });

      it('runs BM25 only when no vector is given, best first, with positive raw scores', async () => {
        const written = await addDocuments(store(), handbook);
        const legs = await store().searchLegs(legRequest({ text: 'How do I download an invoice PDF?' }));
        expect(legs.vector).toEqual([]);
        expect(legs.bm25[0]?.chunk.docId).toBe('docs/billing/invoices.md');
        expectSameChunk(legs.bm25[0]?.chunk, written.get('docs/billing/invoices.md')![0]!);
        for (const hit of legs.bm25) expect(hit.score).toBeGreaterThan(0);
        const scores = legs.bm25.map((hit) => hit.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
      });

      it('matches chunks holding any of the query terms', async () => {
        await addDocuments(store(), handbook);
        const legs = await store().searchLegs(legRequest({ text: 'invoices webhooks' }));
        expect(hitDocIds(legs.bm25).sort()).toEqual(['docs/api/webhooks.md', 'docs/billing/invoices.md']);
      });

      it('counts the passages of the documents asked for, and of no other', async () => {
        const long: DocumentFixture = {
          docId: 'docs/guide/setup.md',
          title: 'Set up',
          tags: ['ops'],
          sections: [
            { text: 'Install the package with npm and run the setup command once.' },
            { text: 'Configure the database folder before the first start.' },
            { text: 'Invite your team from the Members page when the setup is done.' },
          ],
        };
        const written = await addDocuments(store(), [...handbook.slice(0, 2), long]);
        expect(written.get(long.docId)).toHaveLength(3);
        const short = handbook[0]!.docId;
        const counts = await store().passageCounts([long.docId, short, long.docId, 'docs/not/stored.md']);
        expect(Object.fromEntries(counts)).toEqual({ [long.docId]: 3, [short]: 1 });
        expect((await store().passageCounts([])).size).toBe(0);
        // A document written again with fewer passages is counted as it is now.
        await store().replaceDocument(long.docId, written.get(long.docId)!.slice(0, 2));
        expect((await store().passageCounts([long.docId])).get(long.docId)).toBe(2);
      });

      it('counts the chunks holding each word as its own analysis sees it (stemmed), and all chunks', async () => {
        await addDocuments(store(), handbook);
        const total = (await store().counts()).chunks;
        const invoiceChunks = (await store().searchLegs(legRequest({ text: 'invoices' }))).bm25.length;
        const counts = await store().termChunkCounts(['invoices', 'invoice', 'webhooks', 'zeppelin']);
        expect(counts.chunks).toBe(total);
        expect(counts.counts[0]).toBe(invoiceChunks);
        expect(counts.counts[0]).toBeGreaterThan(0);
        // Singular and plural meet after stemming, as they do in a search.
        expect(counts.counts[1]).toBe(counts.counts[0]);
        expect(counts.counts[2]).toBeGreaterThan(0);
        expect(counts.counts[3]).toBe(0);
        expect(await store().termChunkCounts([])).toEqual({ chunks: total, counts: [] });
      });

      it('runs kNN only when no text is given, with cosine scores in [-1, 1]', async () => {
        await addDocuments(store(), handbook);
        const legs = await store().searchLegs(
          legRequest({ vector: await queryVector('webhooks signature payload endpoint') }),
        );
        expect(legs.bm25).toEqual([]);
        expect(legs.vector[0]?.chunk.docId).toBe('docs/api/webhooks.md');
        expect(legs.vector).toHaveLength(handbook.length);
        for (const hit of legs.vector) {
          expect(hit.score).toBeGreaterThanOrEqual(-1 - cosineSlack);
          expect(hit.score).toBeLessThanOrEqual(1 + cosineSlack);
        }
        const scores = legs.vector.map((hit) => hit.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
      });

      it('scores the identical vector at 1 and every hit by its exact cosine', async () => {
        const written = await addDocuments(store(), handbook);
        const docker = written.get('docs/deploy/docker.md')![0]!;
        const legs = await store().searchLegs(legRequest({ vector: docker.embedding }));
        expect(legs.vector[0]?.chunk.id).toBe(docker.id);
        // A quantised index (Elasticsearch's int8_hnsw) only finds the candidates: each is scored by the cosine of
        // its stored vector, so both stores give a passage the same score, whatever the index's segments hold.
        const stored = new Map([...written.values()].flat().map((chunk) => [chunk.id, chunk.embedding]));
        for (const hit of legs.vector) {
          const exact = docker.embedding.reduce(
            (sum, value, index) => sum + value * stored.get(hit.chunk.id)![index]!,
            0,
          );
          expect(hit.score).toBeCloseTo(exact, 5);
        }
        expect(legs.vector[0]!.score).toBeCloseTo(1, 5);
        expect(legs.vector[1]!.score).toBeLessThan(legs.vector[0]!.score);
      });

      it('runs both legs in one request', async () => {
        await addDocuments(store(), handbook);
        const legs = await store().searchLegs(
          legRequest({
            text: 'docker compose volume',
            vector: await queryVector('single sign-on SAML identity provider'),
          }),
        );
        expect(legs.bm25[0]?.chunk.docId).toBe('docs/deploy/docker.md');
        expect(legs.vector[0]?.chunk.docId).toBe('docs/account/sso.md');
      });

      it('respects k in both legs', async () => {
        await addDocuments(
          store(),
          Array.from({ length: 12 }, (_, index) => ({
            docId: `docs/guide-${index}.md`,
            title: `Guide ${index}`,
            sections: [{ text: `This guide number ${index} explains topic ${index}.` }],
          })),
        );
        const legs = await store().searchLegs(
          legRequest({ text: 'guide', vector: await queryVector('guide explains'), k: 5 }),
        );
        expect(legs.bm25).toHaveLength(5);
        expect(legs.vector).toHaveLength(5);
        const one = await store().searchLegs(
          legRequest({ text: 'guide', vector: await queryVector('guide'), k: 1 }),
        );
        expect(one.bm25).toHaveLength(1);
        expect(one.vector).toHaveLength(1);
      });

      it('weighs title and heading matches by the requested boosts', async () => {
        await addDocuments(store(), [
          {
            docId: 'docs/in-title.md',
            title: 'Quotas',
            sections: [
              {
                text: 'Limits per workspace are listed on this page for every plan we sell.',
                headingPath: ['Overview'],
              },
            ],
          },
          {
            docId: 'docs/in-heading.md',
            title: 'Workspace',
            sections: [
              {
                text: 'Limits per workspace are listed on this page for every plan we sell.',
                headingPath: ['Quotas'],
              },
            ],
          },
          {
            docId: 'docs/in-text.md',
            title: 'Plans',
            sections: [
              {
                text: 'Quotas per workspace are listed on this page for every plan we sell.',
                headingPath: ['Overview'],
              },
            ],
          },
        ]);
        const top = async (weights: typeof boosts) =>
          (await store().searchLegs(legRequest({ text: 'quotas', boosts: weights }))).bm25[0]?.chunk.docId;
        expect(await top({ title: 10, headings: 1, text: 1 })).toBe('docs/in-title.md');
        expect(await top({ title: 1, headings: 10, text: 1 })).toBe('docs/in-heading.md');
        expect(await top({ title: 1, headings: 1, text: 10 })).toBe('docs/in-text.md');
      });

      it('filters both legs by tags (any of)', async () => {
        await addDocuments(store(), handbook);
        const search = async (filters: SearchFilters) => {
          const legs = await store().searchLegs(
            legRequest({ text: broadQuery, vector: await queryVector(broadQuery), filters }),
          );
          return { bm25: hitDocIds(legs.bm25).sort(), vector: hitDocIds(legs.vector).sort() };
        };
        const security = ['docs/account/password.md', 'docs/api/webhooks.md'];
        expect(await search({ tags: ['security'] })).toEqual({ bm25: security, vector: security });
        const billingOrOps = ['docs/billing/invoices.md', 'docs/deploy/docker.md'];
        expect(await search({ tags: ['billing', 'ops'] })).toEqual({
          bm25: billingOrOps,
          vector: billingOrOps,
        });
        expect(await search({ tags: ['no-such-tag'] })).toEqual({ bm25: [], vector: [] });
      });

      it('filters both legs by source prefixes (any of), and by tags and prefixes together', async () => {
        await addDocuments(store(), handbook);
        const search = async (filters: SearchFilters) => {
          const legs = await store().searchLegs(
            legRequest({ text: broadQuery, vector: await queryVector(broadQuery), filters }),
          );
          return { bm25: hitDocIds(legs.bm25).sort(), vector: hitDocIds(legs.vector).sort() };
        };
        const account = ['docs/account/password.md', 'docs/account/sso.md'];
        expect(await search({ sourcePrefixes: ['docs/account/'] })).toEqual({
          bm25: account,
          vector: account,
        });
        const accountOrApi = [...account, 'docs/api/webhooks.md'];
        expect(await search({ sourcePrefixes: ['docs/account/', 'docs/api/'] })).toEqual({
          bm25: accountOrApi,
          vector: accountOrApi,
        });
        const both = ['docs/account/password.md'];
        expect(await search({ tags: ['security'], sourcePrefixes: ['docs/account/'] })).toEqual({
          bm25: both,
          vector: both,
        });
        const all = handbook.map((document) => document.docId).sort();
        expect(await search({ tags: [], sourcePrefixes: [] })).toEqual({ bm25: all, vector: all });
      });

      it('matches source prefixes literally, not as patterns', async () => {
        await addDocuments(store(), [
          { docId: 'docs/a_b/one.md', title: 'One', sections: [{ text: 'Shared word lighthouse.' }] },
          { docId: 'docs/aXb/two.md', title: 'Two', sections: [{ text: 'Shared word lighthouse.' }] },
          { docId: 'docs/100%/three.md', title: 'Three', sections: [{ text: 'Shared word lighthouse.' }] },
          { docId: 'docs/1000/four.md', title: 'Four', sections: [{ text: 'Shared word lighthouse.' }] },
        ]);
        const search = async (prefix: string) => {
          const legs = await store().searchLegs(
            legRequest({
              text: 'lighthouse',
              vector: await queryVector('lighthouse'),
              filters: { sourcePrefixes: [prefix] },
            }),
          );
          return [hitDocIds(legs.bm25).sort(), hitDocIds(legs.vector).sort()];
        };
        expect(await search('docs/a_b/')).toEqual([['docs/a_b/one.md'], ['docs/a_b/one.md']]);
        expect(await search('docs/100%/')).toEqual([['docs/100%/three.md'], ['docs/100%/three.md']]);
      });

      it('keeps only the filtered chunks in the vector leg even when they are far away', async () => {
        await addDocuments(store(), [
          ...Array.from({ length: 20 }, (_, index) => ({
            docId: `docs/near-${index}.md`,
            title: 'Near',
            sections: [{ text: `Kubernetes deployment rollout number ${index}.` }],
          })),
          {
            docId: 'docs/far.md',
            title: 'Far',
            tags: ['rare'],
            sections: [{ text: 'Gardening tips for tomatoes.' }],
          },
        ]);
        const legs = await store().searchLegs(
          legRequest({
            vector: await queryVector('Kubernetes deployment rollout'),
            k: 3,
            filters: { tags: ['rare'] },
          }),
        );
        expect(hitDocIds(legs.vector)).toEqual(['docs/far.md']);
      });

      it('finds Unicode text: accents, CJK and emoji', async () => {
        const written = await addDocuments(store(), [
          {
            docId: 'docs/de.md',
            title: 'Über die Konfiguration',
            sections: [{ text: 'Die Größe des Caches lässt sich in der Datei ändern.' }],
          },
          {
            docId: 'docs/fr.md',
            title: 'Café crème',
            sections: [{ text: 'Le café est servi à la réception dès huit heures.' }],
          },
          {
            docId: 'docs/zh.md',
            title: '账户',
            sections: [{ text: '如何重置您的密码：打开设置并点击发送链接。' }],
          },
          {
            docId: 'docs/emoji.md',
            title: 'Launch 🚀',
            sections: [{ text: 'Deploy checklist ✅ before every launch 🚀 and celebrate 🎉.' }],
          },
          handbook[3]!,
        ]);
        const top = async (text: string) =>
          (await store().searchLegs(legRequest({ text }))).bm25[0]?.chunk.docId;
        expect(await top('über größe')).toBe('docs/de.md');
        expect(await top('café réception')).toBe('docs/fr.md');
        expect(await top('重置密码')).toBe('docs/zh.md');
        expect(await top('🚀 checklist')).toBe('docs/emoji.md');
        const [emoji] = await store().getChunks(['docs/emoji.md#0']);
        expectSameChunk(emoji, written.get('docs/emoji.md')![0]!);
      });

      it('treats query text as data: punctuation only returns nothing, syntax characters do not fail', async () => {
        await addDocuments(store(), handbook);
        for (const text of ['?!', '"', '***', '()', ' - ', ':']) {
          const legs = await store().searchLegs(legRequest({ text }));
          expect(legs.bm25, `query ${JSON.stringify(text)}`).toEqual([]);
        }
        // 'title: password' keeps a space after the colon: Unicode word rules (and Elasticsearch's standard
        // tokenizer) read 'title:password' as one word, which is tokenisation, not query syntax.
        for (const text of [
          'password" OR (docker',
          'NOT password AND',
          'password* NEAR(word',
          'title: password',
          '{password}^3 -docker',
        ]) {
          const legs = await store().searchLegs(legRequest({ text }));
          expect(hitDocIds(legs.bm25), `query ${JSON.stringify(text)}`).toContain('docs/account/password.md');
        }
      });
    });

    describe('conversations', () => {
      const store = useStore({ init: true });
      const ids = async (query: ConversationQuery) =>
        (await store().listConversations(query)).items.map((item) => item.id);

      it('saves, gets and replaces a whole record', async () => {
        const record = conversation('conv-1', {
          messageId: 'M123',
          shadow: { model: 'ft:candidate', answer: 'Shadow answer.', latencyMs: 900 },
          feedback: {
            helpful: false,
            comment: 'Missing a step',
            by: 'user-hash-2',
            at: '2024-03-01T09:05:00.000Z',
          },
          correctionSource: 'teammate',
          failureKind: 'retrieval',
          expectedSources: ['docs/account/password.md'],
        });
        await store().saveConversation(record);
        expect(await store().getConversation('conv-1')).toEqual(record);
        expect(await store().getConversation('missing')).toBeUndefined();

        const reviewed = {
          ...record,
          reviewStatus: 'approved' as const,
          reviewer: 'op-1',
          reviewedAt: '2024-03-02T00:00:00.000Z',
          shadow: null,
        };
        await store().saveConversation(reviewed);
        expect(await store().getConversation('conv-1')).toEqual(reviewed);
        const listed = await store().listConversations({});
        expect(listed.total).toBe(1);
        expect(listed.items).toEqual([reviewed]);
      });

      describe('listConversations', () => {
        beforeEach(async () => {
          // Saved out of order, so an adapter cannot pass by returning insertion order.
          for (const index of [3, 0, 5, 1, 4, 2]) await store().saveConversation(conversationSet[index]!);
        });

        it('orders newest first by default, and by the three orders', async () => {
          expect(await ids({})).toEqual(['c6', 'c5', 'c4', 'c3', 'c2', 'c1']);
          expect(await ids({ order: 'newest' })).toEqual(['c6', 'c5', 'c4', 'c3', 'c2', 'c1']);
          expect(await ids({ order: 'oldest' })).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
          expect(await ids({ order: 'review' })).toEqual(['c5', 'c2', 'c4', 'c3', 'c6', 'c1']);
        });

        it('filters by feedback', async () => {
          expect(await ids({ feedback: 'helpful' })).toEqual(['c6', 'c1']);
          expect(await ids({ feedback: 'not_helpful' })).toEqual(['c5', 'c2']);
          expect(await ids({ feedback: 'none' })).toEqual(['c4', 'c3']);
          expect(await ids({ feedback: 'any' })).toEqual(['c6', 'c5', 'c2', 'c1']);
        });

        it('filters by review status (any of)', async () => {
          expect(await ids({ reviewStatus: ['approved'] })).toEqual(['c6', 'c2']);
          expect(await ids({ reviewStatus: ['new', 'rejected'] })).toEqual(['c5', 'c3', 'c1']);
          expect(await ids({ reviewStatus: ['corrected'] })).toEqual(['c4']);
        });

        it('filters by platform, channel and thread', async () => {
          expect(await ids({ platform: 'discord' })).toEqual(['c6', 'c3']);
          expect(await ids({ platform: 'cli' })).toEqual(['c4']);
          expect(await ids({ channel: 'C1' })).toEqual(['c2', 'c1']);
          expect(await ids({ platform: 'slack', channel: 'C1', thread: 't2' })).toEqual(['c2']);
          expect(await ids({ channel: 'D1', thread: '' })).toEqual(['c3']);
          expect(await ids({ platform: 'api' })).toEqual([]);
        });

        it('filters by refused and stale', async () => {
          expect(await ids({ refused: true })).toEqual(['c3']);
          expect(await ids({ refused: false })).toEqual(['c6', 'c5', 'c4', 'c2', 'c1']);
          expect(await ids({ stale: true })).toEqual(['c6', 'c2']);
          expect(await ids({ stale: false })).toEqual(['c5', 'c4', 'c3', 'c1']);
        });

        it('filters the questions the bot stayed silent on, older records counting as not silent', async () => {
          await store().saveConversation(
            conversation('c7', {
              platform: 'discord',
              channel: 'HELP',
              createdAt: '2024-01-07T10:00:00.000Z',
              refused: true,
              silent: true,
              route: 'refused',
              answer: '',
              confidence: 0.4,
            }),
          );
          expect(await ids({ silent: true })).toEqual(['c7']);
          expect(await ids({ silent: false })).toEqual(['c6', 'c5', 'c4', 'c3', 'c2', 'c1']);
          expect(await ids({ refused: true, silent: false })).toEqual(['c3']);
          expect(await ids({ refused: true })).toEqual(['c7', 'c3']);
          expect((await store().getConversation('c7'))?.silent).toBe(true);
        });

        it('filters by confidence bounds, inclusive', async () => {
          expect(await ids({ minConfidence: 0.5 })).toEqual(['c6', 'c5', 'c4', 'c1']);
          expect(await ids({ maxConfidence: 0.3 })).toEqual(['c3', 'c2']);
          expect(await ids({ minConfidence: 0.5, maxConfidence: 0.5 })).toEqual(['c6', 'c4']);
        });

        it('filters by creation time, inclusive', async () => {
          expect(await ids({ since: '2024-01-03T10:00:00.000Z' })).toEqual(['c6', 'c5', 'c4', 'c3']);
          expect(await ids({ until: '2024-01-02T10:00:00.000Z' })).toEqual(['c2', 'c1']);
          expect(await ids({ since: '2024-01-02T00:00:00.000Z', until: '2024-01-04T23:59:59.999Z' })).toEqual(
            ['c4', 'c3', 'c2'],
          );
        });

        it('finds conversations citing a document', async () => {
          expect(await ids({ citedDocId: 'docs/a.md' })).toEqual(['c4', 'c1']);
          expect(await ids({ citedDocId: 'docs/c.md' })).toEqual(['c5', 'c4']);
          expect(await ids({ citedDocId: 'docs/nowhere.md' })).toEqual([]);
        });

        it('combines filters with the review order', async () => {
          expect(await ids({ platform: 'slack', order: 'review' })).toEqual(['c5', 'c2', 'c1']);
          expect(
            await ids({ reviewStatus: ['new', 'approved', 'corrected'], stale: false, order: 'review' }),
          ).toEqual(['c4', 'c3', 'c1']);
        });

        it('pages with offset and limit while total counts every match', async () => {
          const page = await store().listConversations({ order: 'newest', offset: 1, limit: 2 });
          expect(page.items.map((item) => item.id)).toEqual(['c5', 'c4']);
          expect(page.total).toBe(6);
          const reviewPage = await store().listConversations({ order: 'review', offset: 2, limit: 3 });
          expect(reviewPage.items.map((item) => item.id)).toEqual(['c4', 'c3', 'c6']);
          expect(reviewPage.total).toBe(6);
          const filtered = await store().listConversations({ feedback: 'not_helpful', limit: 1 });
          expect(filtered.items.map((item) => item.id)).toEqual(['c5']);
          expect(filtered.total).toBe(2);
          const beyond = await store().listConversations({ offset: 10, limit: 5 });
          expect(beyond).toEqual({ items: [], total: 6 });
        });

        it('returns whole records in lists', async () => {
          const { items } = await store().listConversations({ citedDocId: 'docs/c.md', order: 'oldest' });
          expect(items).toEqual([conversationSet[3], conversationSet[4]]);
        });

        it('sees a replaced record in filters at once', async () => {
          await store().saveConversation({
            ...conversationSet[0]!,
            feedback: feedbackOf(false, '2024-01-07T00:00:00.000Z'),
            stale: true,
          });
          expect(await ids({ feedback: 'not_helpful' })).toEqual(['c5', 'c2', 'c1']);
          expect(await ids({ stale: true })).toEqual(['c6', 'c2', 'c1']);
          expect((await store().listConversations({})).total).toBe(6);
        });
      });
    });

    describe('datasets, examples and versions', () => {
      const store = useStore({ init: true });

      it('saves and lists datasets, replacing by name', async () => {
        await store().saveDataset({
          name: 'support',
          description: 'Support answers',
          createdAt: '2024-02-01T00:00:00.000Z',
        });
        await store().saveDataset({
          name: 'billing',
          description: 'Billing answers',
          createdAt: '2024-02-02T00:00:00.000Z',
        });
        await store().saveDataset({
          name: 'support',
          description: 'Support answers, curated',
          createdAt: '2024-02-01T00:00:00.000Z',
        });
        const datasets = [...(await store().listDatasets())].sort((a, b) => a.name.localeCompare(b.name));
        expect(datasets).toEqual([
          { name: 'billing', description: 'Billing answers', createdAt: '2024-02-02T00:00:00.000Z' },
          { name: 'support', description: 'Support answers, curated', createdAt: '2024-02-01T00:00:00.000Z' },
        ]);
      });

      it('saves, gets, replaces and deletes examples', async () => {
        const record = example('e1', {
          originConversationId: 'conv-9',
          sourceDocIds: ['docs/a.md', 'docs/b.md'],
          split: 'validation',
        });
        await store().saveExample(record);
        expect(await store().getExample('e1')).toEqual(record);
        const changed = { ...record, stale: true, updatedAt: '2024-02-03T00:00:00.000Z' };
        await store().saveExample(changed);
        expect(await store().getExample('e1')).toEqual(changed);
        expect(await store().listExamples({})).toEqual([changed]);
        await store().deleteExample('e1');
        expect(await store().getExample('e1')).toBeUndefined();
        expect(await store().listExamples({})).toEqual([]);
        expect(await store().getExample('never')).toBeUndefined();
      });

      it('filters examples by dataset, stale, origin conversation and source document', async () => {
        await store().saveExample(
          example('e1', {
            dataset: 'support',
            stale: false,
            originConversationId: 'conv-1',
            sourceDocIds: ['docs/a.md'],
          }),
        );
        await store().saveExample(
          example('e2', {
            dataset: 'support',
            stale: true,
            originConversationId: 'conv-2',
            sourceDocIds: ['docs/a.md', 'docs/b.md'],
          }),
        );
        await store().saveExample(
          example('e3', {
            dataset: 'billing',
            stale: true,
            originConversationId: null,
            sourceDocIds: ['docs/b.md'],
          }),
        );
        await store().saveExample(
          example('e4', {
            dataset: 'billing',
            stale: false,
            originConversationId: 'conv-1',
            sourceDocIds: [],
          }),
        );
        const list = async (query: Parameters<Store['listExamples']>[0]) =>
          sortedIds(await store().listExamples(query));
        expect(await list({})).toEqual(['e1', 'e2', 'e3', 'e4']);
        expect(await list({ dataset: 'support' })).toEqual(['e1', 'e2']);
        expect(await list({ stale: true })).toEqual(['e2', 'e3']);
        expect(await list({ stale: false })).toEqual(['e1', 'e4']);
        expect(await list({ originConversationId: 'conv-1' })).toEqual(['e1', 'e4']);
        expect(await list({ sourceDocId: 'docs/b.md' })).toEqual(['e2', 'e3']);
        expect(await list({ sourceDocId: 'docs/a' })).toEqual([]);
        expect(await list({ dataset: 'billing', stale: true, sourceDocId: 'docs/b.md' })).toEqual(['e3']);
        expect(await list({ dataset: 'nope' })).toEqual([]);
      });

      it('keeps dataset versions immutable: a second save of the same version is a conflict', async () => {
        const first = datasetVersion('support', 1);
        await store().saveDatasetVersion(first);
        expect(await store().getDatasetVersion('support', 1)).toEqual(first);
        await expectAnswerloopError(
          store().saveDatasetVersion(
            datasetVersion('support', 1, { createdBy: 'someone-else', examples: [] }),
          ),
          'conflict',
        );
        expect(await store().getDatasetVersion('support', 1)).toEqual(first);
        expect(await store().getDatasetVersion('support', 2)).toBeUndefined();
        expect(await store().getDatasetVersion('other', 1)).toBeUndefined();
      });

      it('lists versions newest first, per dataset or all', async () => {
        await store().saveDatasetVersion(datasetVersion('support', 1));
        await store().saveDatasetVersion(datasetVersion('billing', 1));
        await store().saveDatasetVersion(datasetVersion('support', 2));
        await store().saveDatasetVersion(datasetVersion('support', 3));
        const keys = (versions: DatasetVersionRecord[]) =>
          versions.map((version) => `${version.dataset}@${version.version}`);
        expect(keys(await store().listDatasetVersions('support'))).toEqual([
          'support@3',
          'support@2',
          'support@1',
        ]);
        expect(keys(await store().listDatasetVersions('billing'))).toEqual(['billing@1']);
        expect(keys(await store().listDatasetVersions()).sort()).toEqual([
          'billing@1',
          'support@1',
          'support@2',
          'support@3',
        ]);
        const [newest] = await store().listDatasetVersions('support');
        expect(newest).toMatchObject({
          dataset: 'support',
          version: 3,
          createdAt: '2024-02-03T00:00:00.000Z',
          createdBy: 'op-1',
        });
      });
    });

    describe('models, training jobs and evaluations', () => {
      const store = useStore({ init: true });

      it('saves, gets, updates and lists models', async () => {
        const candidate = model('ft:gpt-4o-mini:acme:support:abc', {
          evaluation: evaluation('ev-1', 'ft:gpt-4o-mini:acme:support:abc', '2024-03-02T00:00:00.000Z'),
        });
        await store().saveModel(candidate);
        await store().saveModel(
          model('gpt-4o-mini-2024-07-18', {
            jobId: null,
            datasetVersion: null,
            status: 'active',
            promotedAt: '2024-01-01T00:00:00.000Z',
          }),
        );
        expect(await store().getModel(candidate.name)).toEqual(candidate);
        expect(await store().getModel('missing')).toBeUndefined();

        const promoted = {
          ...candidate,
          status: 'active' as const,
          promotedAt: '2024-03-03T00:00:00.000Z',
          previousActive: 'gpt-4o-mini-2024-07-18',
        };
        await store().saveModel(promoted);
        expect(await store().getModel(candidate.name)).toEqual(promoted);
        const models = await store().listModels();
        expect(models.map((record) => record.name).sort()).toEqual(
          [candidate.name, 'gpt-4o-mini-2024-07-18'].sort(),
        );
        expect(models.find((record) => record.name === candidate.name)).toEqual(promoted);
      });

      it('saves, gets, updates and lists training jobs newest first', async () => {
        await store().saveTrainingJob(trainingJob('ftjob-b', '2024-03-02T00:00:00.000Z'));
        await store().saveTrainingJob(trainingJob('ftjob-c', '2024-03-03T00:00:00.000Z'));
        await store().saveTrainingJob(trainingJob('ftjob-a', '2024-03-01T00:00:00.000Z'));
        const finished = trainingJob('ftjob-b', '2024-03-02T00:00:00.000Z', {
          status: 'succeeded',
          fineTunedModel: 'ft:gpt-4o-mini:acme:support:abc',
          validationFileId: 'file-valid',
          events: [
            {
              id: 'ev-1',
              createdAt: '2024-03-02T00:01:00.000Z',
              level: 'info',
              message: 'Step 1/30',
              step: 1,
              trainLoss: 1.5,
              validLoss: 1.7,
            },
            { id: 'ev-2', createdAt: '2024-03-02T00:30:00.000Z', level: 'info', message: 'Job succeeded' },
          ],
          updatedAt: '2024-03-02T00:30:00.000Z',
        });
        await store().saveTrainingJob(finished);
        expect(await store().getTrainingJob('ftjob-b')).toEqual(finished);
        expect(await store().getTrainingJob('ftjob-zzz')).toBeUndefined();
        expect((await store().listTrainingJobs()).map((job) => job.id)).toEqual([
          'ftjob-c',
          'ftjob-b',
          'ftjob-a',
        ]);
      });

      it('saves evaluations and lists them by candidate', async () => {
        const first = evaluation('ev-1', 'ft:one', '2024-03-01T00:00:00.000Z');
        await store().saveEvaluation(first);
        await store().saveEvaluation(evaluation('ev-2', 'ft:two', '2024-03-02T00:00:00.000Z'));
        await store().saveEvaluation(evaluation('ev-3', 'ft:one', '2024-03-03T00:00:00.000Z'));
        expect(sortedIds(await store().listEvaluations('ft:one'))).toEqual(['ev-1', 'ev-3']);
        expect(sortedIds(await store().listEvaluations('ft:two'))).toEqual(['ev-2']);
        expect(sortedIds(await store().listEvaluations())).toEqual(['ev-1', 'ev-2', 'ev-3']);
        expect(await store().listEvaluations('ft:none')).toEqual([]);
        expect((await store().listEvaluations('ft:one')).find((record) => record.id === 'ev-1')).toEqual(
          first,
        );
      });
    });

    describe('thread messages', () => {
      const store = useStore({ init: true });
      const message = (overrides: Partial<ThreadMessage> & Pick<ThreadMessage, 'messageId' | 'at'>) =>
        ({
          platform: 'slack',
          channel: 'C1',
          thread: '1700000000.000100',
          role: 'user',
          user: 'hash-asker',
          text: `message ${overrides.messageId}`,
          ...overrides,
        }) satisfies ThreadMessage;

      it('lists a thread oldest first, the newest `limit`, before a time', async () => {
        expect(
          await store().listThreadMessages({ platform: 'slack', channel: 'C1', thread: 'none' }),
        ).toEqual([]);
        const first = message({ messageId: '1700000000.000100', at: '2026-01-01T10:00:00.000Z' });
        const answer = message({
          messageId: '1700000005.000100',
          at: '2026-01-01T10:00:05.000Z',
          role: 'assistant',
          user: '',
          answers: '1700000000.000100',
          conversationId: 'conv-1',
        });
        const followUp = message({ messageId: '1700000060.000100', at: '2026-01-01T10:01:00.000Z' });
        // Saved out of order, with a message of another thread, channel and platform beside them.
        await store().saveThreadMessage(followUp);
        await store().saveThreadMessage(first);
        await store().saveThreadMessage(answer);
        await store().saveThreadMessage(message({ messageId: 'x1', thread: 'other', at: first.at }));
        await store().saveThreadMessage(message({ messageId: 'x2', channel: 'C2', at: first.at }));
        await store().saveThreadMessage(message({ messageId: 'x3', platform: 'discord', at: first.at }));

        const thread = { platform: 'slack' as const, channel: 'C1', thread: first.thread };
        expect(await store().listThreadMessages(thread)).toEqual([first, answer, followUp]);
        expect(await store().listThreadMessages({ ...thread, limit: 2 })).toEqual([answer, followUp]);
        expect(await store().listThreadMessages({ ...thread, before: followUp.at })).toEqual([first, answer]);
        expect(
          await store().listThreadMessages({ platform: 'slack', channel: 'C1', answers: first.messageId }),
        ).toEqual([answer]);
        expect(
          await store().listThreadMessages({ platform: 'slack', channel: 'C1', answers: followUp.messageId }),
        ).toEqual([]);
      });

      it('keeps one message per id: a redelivered event replaces it', async () => {
        const original = message({ messageId: 'm1', at: '2026-01-01T10:00:00.000Z', text: 'first' });
        await store().saveThreadMessage(original);
        await store().saveThreadMessage({ ...original, text: 'edited' });
        expect(
          await store().listThreadMessages({ platform: 'slack', channel: 'C1', thread: original.thread }),
        ).toEqual([{ ...original, text: 'edited' }]);
      });

      it('lists messages outside a thread (a direct message) under the empty thread', async () => {
        const direct = message({
          messageId: 'd1',
          channel: 'D1',
          thread: '',
          at: '2026-01-01T10:00:00.000Z',
        });
        await store().saveThreadMessage(direct);
        expect(await store().listThreadMessages({ platform: 'slack', channel: 'D1', thread: '' })).toEqual([
          direct,
        ]);
      });

      it('purges messages posted before a time, oldest first and at most `limit` a call, keeping the rest', async () => {
        const cutoff = '2026-02-01T00:00:00.000Z';
        expect(await store().purgeThreadMessages(cutoff, 100)).toBe(0);
        const oldest = message({ messageId: 'o1', at: '2026-01-01T00:00:00.000Z' });
        const older = message({ messageId: 'o2', at: '2026-01-02T00:00:00.000Z', channel: 'C2' });
        const old = message({ messageId: 'o3', at: '2026-01-31T23:59:59.999Z', platform: 'discord' });
        const atCutoff = message({ messageId: 'n1', at: cutoff });
        const recent = message({ messageId: 'n2', at: '2026-03-01T00:00:00.000Z', channel: 'C2' });
        for (const each of [recent, old, atCutoff, oldest, older]) await store().saveThreadMessage(each);
        const everything = async () =>
          (
            await Promise.all(
              [
                { platform: 'slack' as const, channel: 'C1' },
                { platform: 'slack' as const, channel: 'C2' },
                { platform: 'discord' as const, channel: 'C1' },
              ].map((place) => store().listThreadMessages(place)),
            )
          )
            .flat()
            .map((each) => each.messageId)
            .sort();

        expect(await store().purgeThreadMessages(cutoff, 2)).toBe(2);
        expect(await everything()).toEqual(['n1', 'n2', 'o3']);
        expect(await store().purgeThreadMessages(cutoff, 100)).toBe(1);
        expect(await store().purgeThreadMessages(cutoff, 100)).toBe(0);
        expect(await everything()).toEqual(['n1', 'n2']);
        expect(await store().listThreadMessages({ platform: 'slack', channel: 'C2' })).toEqual([recent]);
      });
    });

    describe('key-value', () => {
      const store = useStore({ init: true });

      it('gets, sets and overwrites values per namespace', async () => {
        expect(await store().getValue('settings', 'active-model')).toBeUndefined();
        await store().setValue('settings', 'active-model', 'ft:one');
        await store().setValue('other', 'active-model', 'elsewhere');
        expect(await store().getValue('settings', 'active-model')).toBe('ft:one');
        await store().setValue('settings', 'active-model', 'ft:two — ✅');
        expect(await store().getValue('settings', 'active-model')).toBe('ft:two — ✅');
        expect(await store().getValue('other', 'active-model')).toBe('elsewhere');
      });

      it('stores a value only once with putIfAbsent', async () => {
        expect(await store().putIfAbsent('event:slack', 'Ev123', 'first')).toBe(true);
        expect(await store().putIfAbsent('event:slack', 'Ev123', 'second')).toBe(false);
        expect(await store().getValue('event:slack', 'Ev123')).toBe('first');
        expect(await store().putIfAbsent('event:discord', 'Ev123', 'other namespace')).toBe(true);
        await store().setValue('event:slack', 'Ev456', 'set');
        expect(await store().putIfAbsent('event:slack', 'Ev456', 'late')).toBe(false);
      });

      it('lists the values of one namespace in key order', async () => {
        expect(await store().listValues('listed')).toEqual([]);
        await store().setValue('listed', 'b', 'second');
        await store().setValue('listed', 'a', 'first');
        await store().setValue('listed-not', 'c', 'elsewhere');
        await store().setValue('listed', 'b', 'second, rewritten');
        expect(await store().listValues('listed')).toEqual([
          { key: 'a', value: 'first' },
          { key: 'b', value: 'second, rewritten' },
        ]);
      });

      it('deletes the keys of one namespace, a bounded number at a time', async () => {
        for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) await store().setValue('to-empty', key, key);
        await store().setValue('to-keep', 'k1', 'kept');
        expect(await store().deleteValues('to-empty', 2)).toBe(2);
        expect(await store().listValues('to-empty')).toHaveLength(3);
        expect(await store().deleteValues('to-empty', 10)).toBe(3);
        expect(await store().deleteValues('to-empty', 10)).toBe(0);
        expect(await store().listValues('to-empty')).toEqual([]);
        expect(await store().getValue('to-keep', 'k1')).toBe('kept');
        expect(await store().deleteValues('never-written', 10)).toBe(0);
        // A deleted key can be claimed again.
        expect(await store().putIfAbsent('to-empty', 'k1', 'again')).toBe(true);
      });

      it('lets exactly one of many concurrent putIfAbsent calls win', async () => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            store().putIfAbsent('event:slack', 'EvRace', `caller-${index}`),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store().getValue('event:slack', 'EvRace')).toBe(`caller-${results.indexOf(true)}`);
      });
    });
  });
  defineCoordinationContract(name, openStore);
}
