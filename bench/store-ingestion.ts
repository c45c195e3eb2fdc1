import type { Client } from '@elastic/elasticsearch';
import { toChunkDocument } from '../src/core/adapters/elasticsearch/chunk-documents.ts';
import type { Chunk, ChunkStore } from '../src/core/index.ts';
import { type SyntheticDocument, syntheticDocuments } from './synthetic-corpus.ts';

export interface IngestionFigures {
  chunks: number;
  documents: number;
  ms: number;
  chunksPerSecond: number;
}

export function ingestionFigures(chunks: number, documents: number, ms: number): IngestionFigures {
  return { chunks, documents, ms, chunksPerSecond: ms > 0 ? (chunks / ms) * 1000 : 0 };
}

/** Documents are generated ahead in slices of about this many chunks, so generation is never timed. */
const sliceChunks = 5_000;

function* slices(documents: Iterable<SyntheticDocument>): Generator<SyntheticDocument[]> {
  let slice: SyntheticDocument[] = [];
  let chunks = 0;
  for (const document of documents) {
    slice.push(document);
    chunks += document.chunks.length;
    if (chunks >= sliceChunks) {
      yield slice;
      slice = [];
      chunks = 0;
    }
  }
  if (slice.length > 0) yield slice;
}

/**
 * Writes the corpus documents [from, end of the `chunkTarget` corpus) through the store port, one
 * replaceDocument after another, as `answerloop ingest` does, with `concurrency` documents in flight.
 * Only the writes are timed.
 */
export async function ingestThroughPort(
  store: ChunkStore,
  chunkTarget: number,
  options: { from: number; concurrency?: number },
): Promise<IngestionFigures & { nextDocument: number }> {
  let ms = 0;
  let chunks = 0;
  let documents = 0;
  let nextDocument = options.from;
  for (const slice of slices(syntheticDocuments(chunkTarget, { from: options.from }))) {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency ?? 1 }, async () => {
        while (next < slice.length) {
          const document = slice[next++]!;
          await store.replaceDocument(document.docId, document.chunks);
        }
      }),
    );
    ms += performance.now() - started;
    documents += slice.length;
    chunks += slice.reduce((sum, document) => sum + document.chunks.length, 0);
    nextDocument += slice.length;
  }
  return { ...ingestionFigures(chunks, documents, ms), nextDocument };
}

/** Indexes chunks with plain `_bulk` requests of `batchSize` documents, bodies exactly as the store writes them. */
async function bulkChunks(client: Client, index: string, chunks: Chunk[], batchSize: number): Promise<void> {
  for (let start = 0; start < chunks.length; start += batchSize) {
    const operations = chunks
      .slice(start, start + batchSize)
      .flatMap((chunk) => [{ index: { _index: index, _id: chunk.id } }, toChunkDocument(chunk)]);
    const response = await client.bulk({ operations });
    if (response.errors) {
      const failed = response.items.find((item) => item.index?.error)?.index?.error;
      throw new Error(`_bulk into ${index} rejected documents: ${failed?.type}: ${failed?.reason}`);
    }
  }
}

/**
 * The baseline: the same documents with `_bulk` straight from @elastic/elasticsearch, `batchSize` per request,
 * one refresh at the end so everything is searchable, as after the store's writes.
 */
export async function plainBulk(
  client: Client,
  index: string,
  chunkTarget: number,
  options: { from: number; batchSize: number },
): Promise<IngestionFigures> {
  let ms = 0;
  let chunks = 0;
  let documents = 0;
  for (const slice of slices(syntheticDocuments(chunkTarget, { from: options.from }))) {
    const sliceChunks = slice.flatMap((document) => document.chunks);
    const started = performance.now();
    await bulkChunks(client, index, sliceChunks, options.batchSize);
    ms += performance.now() - started;
    documents += slice.length;
    chunks += sliceChunks.length;
  }
  const started = performance.now();
  await client.indices.refresh({ index });
  ms += performance.now() - started;
  return ingestionFigures(chunks, documents, ms);
}

/** A new index with the mapping and analysis settings of an existing one, for a like-for-like baseline. */
export async function createTwinIndex(client: Client, sourceAlias: string, twin: string): Promise<void> {
  const [mapping] = Object.values(await client.indices.getMapping({ index: sourceAlias }));
  const [settings] = Object.values(await client.indices.getSettings({ index: sourceAlias }));
  const analysis = settings?.settings?.index?.analysis;
  await client.indices.create({
    index: twin,
    settings: { number_of_shards: 1, number_of_replicas: 0, ...(analysis ? { analysis } : {}) },
    mappings: mapping!.mappings,
  });
  await client.cluster.health({ index: twin, wait_for_status: 'green', timeout: '60s' });
}
