import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createElasticsearchStore,
  type ElasticsearchStoreOptions,
} from '../../src/core/adapters/elasticsearch/index.ts';
import { AnswerloopError } from '../../src/core/errors/index.ts';
import type { Chunk, Logger, Store } from '../../src/core/ports/index.ts';
import { silentLogger } from '../../src/core/ports/index.ts';
import { recordIndexDefinition } from '../../src/core/adapters/elasticsearch/mappings.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { conversationRecord, silentRecord } from '../support/conversation-fixtures.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { refusedPort } from '../support/refused-port.ts';

const url = await useElasticsearch();
const embedder = createDeterministicEmbedder(64);
const space = { embedderId: embedder.id, dimensions: embedder.dimensions };

interface LoggedLine {
  level: string;
  object: Record<string, unknown>;
  message?: string;
}

function recordingLogger(lines: LoggedLine[]): Logger {
  const logger: Logger = {
    debug: (object, message) => lines.push({ level: 'debug', object, message }),
    info: (object, message) => lines.push({ level: 'info', object, message }),
    warn: (object, message) => lines.push({ level: 'warn', object, message }),
    error: (object, message) => lines.push({ level: 'error', object, message }),
    child: () => logger,
  };
  return logger;
}

function storeOptions(overrides: Partial<ElasticsearchStoreOptions>): ElasticsearchStoreOptions {
  return {
    url: url ?? 'http://127.0.0.1:9200',
    indexPrefix: uniqueIndexPrefix('store'),
    analyzer: 'english',
    requestTimeoutMs: 10_000,
    maxRetries: 0,
    bulkSize: 500,
    logger: silentLogger,
    ...overrides,
  };
}

async function chunksFor(docId: string, texts: string[], overrides: Partial<Chunk> = {}): Promise<Chunk[]> {
  const vectors = await embedder.embed(texts);
  return texts.map((text, ordinal) => ({
    id: `${docId}#${ordinal}`,
    docId,
    source: `https://docs.example.com/${docId}`,
    title: 'Guide',
    headingPath: ['Guide'],
    text,
    embedding: vectors[ordinal]!,
    tags: [],
    updatedAt: '2024-05-01T12:00:00.000Z',
    contentHash: createHash('sha256').update(text).digest('hex'),
    documentHash: 'document-hash',
    ordinal,
    ...overrides,
  }));
}

async function rejection(promise: Promise<unknown>): Promise<AnswerloopError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AnswerloopError);
  return error as AnswerloopError;
}

async function json(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('elasticsearch store when the cluster cannot be reached', () => {
  it('fails fast with store_unavailable when nothing listens on the port', async () => {
    const port = await refusedPort();
    const store = createElasticsearchStore(storeOptions({ url: `http://127.0.0.1:${port}`, maxRetries: 2 }));
    const started = performance.now();
    const error = await rejection(store.init(space));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error.code).toBe('store_unavailable');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain(`Elasticsearch at http://127.0.0.1:${port} is not reachable`);
    expect(error.message).toContain('npm run es -- start');
    expect(error.message).toContain('store.elasticsearch.url');

    const listing = await rejection(store.listConversations({}));
    expect(listing.code).toBe('store_unavailable');
    const health = await store.health();
    expect(health).toMatchObject({ ok: false, kind: 'elasticsearch', status: 'unreachable' });
    await store.close();
  });

  it('gives up on a server that accepts but never answers after the request timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const store = createElasticsearchStore(
      storeOptions({ url: `http://127.0.0.1:${port}`, requestTimeoutMs: 300, maxRetries: 1 }),
    );
    try {
      const started = performance.now();
      const error = await rejection(
        store.searchLegs({
          text: 'password',
          k: 5,
          numCandidates: 50,
          filters: {},
          boosts: { title: 1, headings: 1, text: 1 },
        }),
      );
      expect(performance.now() - started).toBeLessThan(3000);
      expect(error.code).toBe('store_unavailable');
      expect(error.isRetryable).toBe(true);
      expect(error.message).toContain('did not answer within 300 ms');
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe.skipIf(!url)('elasticsearch store on a real node', () => {
  const opened: Array<{ store: Store; prefix: string }> = [];
  const open = (overrides: Partial<ElasticsearchStoreOptions> = {}) => {
    const options = storeOptions(overrides);
    const store = createElasticsearchStore(options);
    opened.push({ store, prefix: options.indexPrefix });
    return { store, prefix: options.indexPrefix };
  };

  afterEach(async () => {
    for (const { store, prefix } of opened.splice(0)) {
      await store.close();
      await deleteIndices(url!, prefix);
    }
  });

  it('refuses another embedding space with a message naming both embedders and the rebuild command', async () => {
    const { store, prefix } = open();
    await store.init(space);
    const error = await rejection(store.init({ embedderId: 'text-embedding-3-small', dimensions: 512 }));
    expect(error.code).toBe('dimension_mismatch');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain(`${prefix}-chunks`);
    expect(error.message).toContain(`${embedder.id} (64 dimensions)`);
    expect(error.message).toContain('text-embedding-3-small (512 dimensions)');
    expect(error.message).toContain('answerloop ingest --rebuild <path>');

    // A second process (a new client) reads the space from the index itself.
    const { store: other } = open({ indexPrefix: prefix });
    expect(await other.embeddingSpace()).toEqual(space);
    expect((await rejection(other.init({ embedderId: 'other', dimensions: 64 }))).code).toBe(
      'dimension_mismatch',
    );
  });

  it('creates a versioned chunk index behind an alias with a strict mapping', async () => {
    const { store, prefix } = open();
    await store.init(space);
    const aliases = await json(`/_alias/${prefix}-chunks`);
    expect(Object.keys(aliases)).toEqual([`${prefix}-chunks-v1`]);

    const mapping = (await json(`/${prefix}-chunks/_mapping`))[`${prefix}-chunks-v1`] as {
      mappings: Record<string, unknown>;
    };
    const properties = mapping.mappings.properties as Record<string, Record<string, unknown>>;
    expect(mapping.mappings.dynamic).toBe('strict');
    expect(properties.embedding).toMatchObject({
      type: 'dense_vector',
      dims: 64,
      similarity: 'dot_product',
      index_options: { type: 'int8_hnsw' },
    });
    expect(properties.text).toMatchObject({ type: 'text', analyzer: 'english' });
    expect(properties.doc_id).toMatchObject({ type: 'keyword' });

    // A field nobody declared is refused, not guessed.
    const response = await fetch(`${url}/${prefix}-chunks/_doc/stray?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'stray', surprise: 'field' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe(
      'strict_dynamic_mapping_exception',
    );

    // Record indices appear with their first write, each behind its own alias, also strict.
    await store.saveDataset({ name: 'support', description: '', createdAt: '2024-01-01T00:00:00.000Z' });
    const datasets = (await json(`/${prefix}-datasets/_mapping`))[`${prefix}-datasets-v1`] as {
      mappings: Record<string, unknown>;
    };
    expect(datasets.mappings.dynamic).toBe('strict');
  });

  it('adds the fields of a record index created before they existed (silent conversations), keeping its records', async () => {
    const { prefix } = open();
    // The conversations index as the previous version created it: strict, without `silent`.
    const { mappings, settings } = recordIndexDefinition('conversations');
    const { silent: _silent, ...olderProperties } = mappings.properties!;
    const created = await fetch(`${url}/${prefix}-conversations-v1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        aliases: { [`${prefix}-conversations`]: {} },
        settings,
        mappings: { ...mappings, properties: olderProperties },
      }),
    });
    expect(created.status).toBe(200);
    const older = open({ indexPrefix: prefix }).store;
    const answered = conversationRecord({
      id: 'older-answer',
      question: 'How do I reset my password?',
      answer: 'Open Settings [1].',
      createdAt: '2026-03-01T10:00:00.000Z',
    });
    await older.saveConversation(answered);
    const silent = silentRecord({
      id: 'left-to-people',
      question: 'Anyone know a good pizza place?',
      createdAt: '2026-03-02T10:00:00.000Z',
    });
    await older.saveConversation(silent);
    expect((await older.listConversations({ silent: true })).items.map((record) => record.id)).toEqual([
      'left-to-people',
    ]);
    expect((await older.listConversations({ silent: false })).items.map((record) => record.id)).toEqual([
      'older-answer',
    ]);
  });

  it('adds the sentence fields to an index created before they existed, and counts its passages without them', async () => {
    const { prefix } = open();
    // The chunk index as the previous version created it: strict, without `sentences` and `sentence_count`.
    const oldMapping = {
      dynamic: 'strict',
      _meta: {
        embedding: space,
        analyzer: { name: 'english', requested: 'english', fallback: false },
        mappingVersion: 1,
      },
      properties: {
        ...Object.fromEntries(
          ['id', 'doc_id', 'source', 'tags', 'content_hash', 'document_hash'].map((name) => [
            name,
            { type: 'keyword' },
          ]),
        ),
        ...Object.fromEntries(
          ['title', 'headings', 'text'].map((name) => [name, { type: 'text', analyzer: 'english' }]),
        ),
        embedding: { type: 'dense_vector', dims: space.dimensions, index: true, similarity: 'dot_product' },
        updated_at: { type: 'date' },
        ordinal: { type: 'integer' },
      },
    };
    const created = await fetch(`${url}/${prefix}-chunks-v1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ aliases: { [`${prefix}-chunks`]: {} }, mappings: oldMapping }),
    });
    expect(created.status).toBe(200);
    const [old] = await chunksFor('old.md', ['A passage stored by the previous version of answerloop.']);
    const {
      id,
      docId,
      source,
      title,
      headingPath,
      text,
      embedding,
      tags,
      updatedAt,
      contentHash,
      documentHash,
      ordinal,
    } = old!;
    const written = await fetch(`${url}/${prefix}-chunks/_doc/${encodeURIComponent(id)}?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        doc_id: docId,
        source,
        title,
        headings: headingPath,
        text,
        embedding,
        tags,
        updated_at: updatedAt,
        content_hash: contentHash,
        document_hash: documentHash,
        ordinal,
      }),
    });
    expect(written.status).toBe(201);

    const { store } = open({ indexPrefix: prefix });
    await store.init(space);
    expect(await store.chunksWithoutSentences()).toBe(1);
    expect((await store.listDocuments()).map((summary) => summary.withoutSentences)).toEqual([true]);
    const sentences = [{ text: 'A passage stored again with its sentence.', vector: embedding }];
    await store.replaceDocument('old.md', [{ ...old!, documentHash: 'again', sentences }]);
    expect(await store.chunksWithoutSentences()).toBe(0);
    expect((await store.getChunks([id]))[0]?.sentences?.map((sentence) => sentence.text)).toEqual([
      'A passage stored again with its sentence.',
    ]);
  });

  it('scores the fields together (combined_fields) or by the best field, with any positive boosts', async () => {
    const { store, prefix } = open();
    await store.init(space);
    // One page names the words in its title only, the other repeats one of them in its text.
    await store.replaceDocument(
      'rotate.md',
      await chunksFor('rotate.md', ['How often to change them.'], { title: 'Rotate API keys' }),
    );
    await store.replaceDocument(
      'keys.md',
      await chunksFor('keys.md', ['Keys, keys and more keys: the keys page lists every key you made.'], {
        title: 'Key list',
      }),
    );
    const search = (fieldStore: Store, boosts: { title: number; headings: number; text: number }) =>
      fieldStore.searchLegs({ text: 'rotate api keys', k: 5, numCandidates: 50, filters: {}, boosts });
    // Elasticsearch refuses combined_fields weights under 1; the store scales them, keeping their ratios.
    const combined = await search(store, { title: 0.5, headings: 0.5, text: 0.25 });
    const scaled = await search(store, { title: 2, headings: 2, text: 1 });
    expect(combined.bm25.map((hit) => hit.chunk.docId)).toEqual(scaled.bm25.map((hit) => hit.chunk.docId));
    expect(combined.bm25[0]!.score).toBeCloseTo(scaled.bm25[0]!.score, 5);
    expect(combined.bm25.map((hit) => hit.chunk.docId)).toEqual(['rotate.md', 'keys.md']);

    const best = open({ indexPrefix: prefix, fieldScoring: 'best' }).store;
    await best.init(space);
    const bestLegs = await search(best, { title: 0.5, headings: 0.5, text: 0.25 });
    expect(bestLegs.bm25.map((hit) => hit.chunk.docId).sort()).toEqual(['keys.md', 'rotate.md']);
    // The two scorings differ: combined_fields is one BM25 over the fields, not a best field plus a share.
    expect(bestLegs.bm25[0]!.score).not.toBeCloseTo(combined.bm25[0]!.score, 3);
  });

  it('falls back to the standard analyzer with English stop words, and says so, when the analyzer is missing', async () => {
    const lines: LoggedLine[] = [];
    const { store, prefix } = open({ analyzer: 'no-such-analyzer', logger: recordingLogger(lines) });
    await store.init(space);

    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('Analyzer "no-such-analyzer" is not available');
    expect(warnings[0]!.object).toMatchObject({ requested: 'no-such-analyzer' });

    const mapping = (await json(`/${prefix}-chunks/_mapping`))[`${prefix}-chunks-v1`] as {
      mappings: { properties: Record<string, { analyzer?: string }> };
    };
    const analyzer = mapping.mappings.properties.text!.analyzer!;
    expect(analyzer).not.toBe('no-such-analyzer');
    const analyzed = (await json(`/${prefix}-chunks/_analyze`, {
      method: 'POST',
      body: JSON.stringify({ field: 'text', text: 'The Passwords of the users' }),
    })) as { tokens: Array<{ token: string }> };
    // Lower-cased, English stop words gone, no stemming.
    expect(analyzed.tokens.map((token) => token.token)).toEqual(['passwords', 'users']);

    await store.replaceDocument(
      'guide.md',
      await chunksFor('guide.md', ['Reset the passwords of all users.']),
    );
    const legs = await store.searchLegs({
      text: 'passwords',
      k: 5,
      numCandidates: 50,
      filters: {},
      boosts: { title: 1, headings: 1, text: 1 },
    });
    expect(legs.bm25.map((hit) => hit.chunk.id)).toEqual(['guide.md#0']);
    expect((await store.health()).details.analyzer).toContain('fallback for no-such-analyzer');
  });

  it("brings only the kNN hits' passage vectors on the wire (for their exact cosines), never to callers, and returns them from getChunks", async () => {
    const proxy = await recordingProxy(url!);
    try {
      const { store } = open({ url: proxy.url });
      await store.init(space);
      const chunks = await chunksFor('vectors.md', [
        'Webhooks send a POST request.',
        'Verify the signature header.',
      ]);
      await store.replaceDocument('vectors.md', chunks);
      const legs = await store.searchLegs({
        text: 'webhooks signature',
        vector: chunks[1]!.embedding,
        k: 5,
        numCandidates: 50,
        filters: {},
        boosts: { title: 1, headings: 1, text: 1 },
      });
      expect(legs.bm25.length).toBeGreaterThan(0);
      expect(legs.vector[0]?.chunk.id).toBe('vectors.md#1');
      for (const hit of [...legs.bm25, ...legs.vector]) expect(hit.chunk.embedding).toEqual([]);

      const searches = proxy.exchanges.filter((exchange) => exchange.path.startsWith('/_msearch'));
      expect(searches).toHaveLength(1);
      // One response per leg, in the order asked: BM25 without vectors, kNN with each hit's passage vector (no
      // sentence vectors), which scores the hit by its exact cosine.
      const [bm25, knn] = (JSON.parse(searches[0]!.response) as { responses: unknown[] }).responses.map(
        (item) => JSON.stringify(item),
      );
      expect(bm25).toContain('"hits"');
      expect(bm25).not.toContain('"embedding"');
      expect(knn).toContain('"embedding"');
      expect(knn).not.toContain('"sentences"');
      expect(legs.vector[0]!.score).toBeCloseTo(1, 5);

      const [read] = await store.getChunks(['vectors.md#0']);
      expect(read?.embedding).toEqual(chunks[0]!.embedding);
    } finally {
      await proxy.close();
    }
  });

  it('reports every rejected chunk with its source and reason, and keeps the previous chunks', async () => {
    const { store } = open({ bulkSize: 2 });
    await store.init(space);
    const original = await chunksFor('guide.md', ['One.', 'Two.', 'Three.', 'Four.', 'Five.']);
    await store.replaceDocument('guide.md', original);
    expect(await store.counts()).toEqual({ documents: 1, chunks: 5 });

    const broken = (await chunksFor('guide.md', ['New one.', 'New two.'])).map((chunk) => ({
      ...chunk,
      updatedAt: 'yesterday',
    }));
    const error = await rejection(store.replaceDocument('guide.md', broken));
    expect(error.code).toBe('store_failed');
    expect(error.message).toContain('rejected 2 of 2 writes');
    expect(error.message).toContain('guide.md#0 (https://docs.example.com/guide.md)');
    expect(error.message).toContain('guide.md#1 (https://docs.example.com/guide.md)');
    expect(error.message).toContain('updated_at');
    expect(error.details.failures).toHaveLength(2);
    // Nothing was deleted: the old version stays searchable.
    expect(await store.counts()).toEqual({ documents: 1, chunks: 5 });
  });

  it('retries a read while its shard is starting (503), and gives up after eight retries', async () => {
    const { store: writer, prefix } = open();
    await writer.init(space);
    await writer.setValue('settings', 'active-model', 'ft:one');
    const documentReads = `/${prefix}-key-values/_doc/`;
    let shardStartingFor = 0;
    const proxy = await recordingProxy(url!, {
      intercept: (method, path) => {
        if (method !== 'GET' || !path.startsWith(documentReads) || shardStartingFor <= 0) return undefined;
        shardStartingFor -= 1;
        const cause = { type: 'no_shard_available_action_exception', reason: 'No shard available for [get]' };
        return { status: 503, body: { error: { root_cause: [cause], ...cause }, status: 503 } };
      },
    });
    const reads = () =>
      proxy.exchanges.filter(
        (exchange) => exchange.method === 'GET' && exchange.path.startsWith(documentReads),
      ).length;
    try {
      // The client's own retries are off (maxRetries: 0): every read counted here is one of the adapter's.
      const { store: reader } = open({ url: proxy.url, indexPrefix: prefix });
      shardStartingFor = 3;
      expect(await reader.getValue('settings', 'active-model')).toBe('ft:one');
      expect(reads()).toBe(4);

      shardStartingFor = Infinity;
      const error = await rejection(reader.getValue('settings', 'active-model'));
      expect(error.message).toContain('no_shard_available_action_exception');
      expect(error.isRetryable).toBe(true);
      expect(reads()).toBe(4 + 9);
    } finally {
      await proxy.close();
    }
  });

  it('reports cluster health, version and document counts', async () => {
    const { store, prefix } = open();
    await store.init(space);
    await store.replaceDocument('guide.md', await chunksFor('guide.md', ['One.', 'Two.']));
    await store.setValue('settings', 'active-model', 'ft:one');
    const health = await store.health();
    expect(health.ok).toBe(true);
    expect(['green', 'yellow']).toContain(health.status);
    expect(health.details.version).toMatch(/^8\./);
    expect(health.details.documents).toMatchObject({
      [`${prefix}-chunks-v1`]: 2,
      [`${prefix}-key-values-v1`]: 1,
    });
  });
});

interface Exchange {
  method: string;
  path: string;
  response: string;
}

/**
 * An HTTP proxy on 127.0.0.1 that records every response body: the wire as the client sees it. `intercept` may
 * answer a request itself (a fault Elasticsearch would send) instead of passing it on.
 */
async function recordingProxy(
  target: string,
  options: {
    intercept?: (method: string, path: string) => { status: number; body: unknown } | undefined;
  } = {},
): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const dropped = new Set([
    'host',
    'connection',
    'content-length',
    'accept-encoding',
    'transfer-encoding',
    'content-encoding',
  ]);
  const relay = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const parts: Buffer[] = [];
    for await (const part of request) parts.push(part as Buffer);
    const fault = options.intercept?.(request.method ?? 'GET', request.url ?? '/');
    if (fault) {
      const body = JSON.stringify(fault.body);
      exchanges.push({ method: request.method ?? 'GET', path: request.url ?? '/', response: body });
      response
        .writeHead(fault.status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' })
        .end(body);
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !dropped.has(name)),
    ) as Record<string, string>;
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers,
      body: parts.length > 0 ? Buffer.concat(parts) : undefined,
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    exchanges.push({
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      response: body.toString('utf8'),
    });
    const responseHeaders = Object.fromEntries([...upstream.headers].filter(([name]) => !dropped.has(name)));
    response.writeHead(upstream.status, responseHeaders);
    response.end(body);
  };
  // Elasticsearch unreachable: the client sees a broken connection, as it would without the proxy.
  const server = http.createServer((request, response) => {
    relay(request, response).catch((error: unknown) => response.destroy(error as Error));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The client keeps connections alive; they would hold close() open.
        server.closeAllConnections();
      }),
  };
}
