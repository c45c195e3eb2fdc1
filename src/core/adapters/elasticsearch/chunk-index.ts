import type { estypes } from '@elastic/elasticsearch';
import { AnswerloopError } from '../../errors/index.ts';
import type { Chunk, DocumentSummary, EmbeddingSpace } from '../../ports/index.ts';
import { runBulk } from './bulk-writes.ts';
import { type ChunkDocument, fromChunkDocument, toChunkDocument } from './chunk-documents.ts';
import { isIndexMissing } from './elasticsearch-errors.ts';
import { chooseAnalyzer, ensureIndex } from './index-setup.ts';
import { mappingVersion } from './index-names.ts';
import { type ChunkIndexMeta, chunkIndexDefinition, sentenceFields } from './mappings.ts';
import type { StoreContext } from './store-context.ts';

/** Rows per page when walking every id or document: well under Elasticsearch's 10,000-hit window. */
const pageSize = 1000;

/** The knowledge side of the store: one chunk index behind an alias, its embedding space in the mapping's `_meta`. */
export function createChunkIndex(context: StoreContext, options: { analyzer: string }) {
  const { client, names, logger } = context;
  const alias = names.chunks.alias;

  /** Runs a read that finds nothing, rather than failing, when the chunk index does not exist (yet, or any more). */
  async function readOrEmpty<T>(what: string, empty: T, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isIndexMissing(error)) return empty;
      throw context.translate(error, what);
    }
  }

  // The space of the chunk index as last read or created by this process: writes check vectors against it.
  let knownSpace: EmbeddingSpace | undefined;

  async function readMeta(): Promise<ChunkIndexMeta | undefined> {
    const meta = await readOrEmpty('read the chunk index mapping', undefined, async () => {
      const mappings = await client.indices.getMapping({ index: alias });
      const found = Object.values(mappings)[0]?.mappings._meta as Partial<ChunkIndexMeta> | undefined;
      if (!found?.embedding) {
        throw new AnswerloopError(
          'store_failed',
          `The index behind "${alias}" was not made by answerloop (its mapping has no embedding space): delete it, or choose another store.elasticsearch.indexPrefix.`,
        );
      }
      return found as ChunkIndexMeta;
    });
    knownSpace = meta?.embedding;
    return meta;
  }

  async function currentSpace(): Promise<EmbeddingSpace | undefined> {
    return knownSpace ?? (await readMeta())?.embedding;
  }

  function checkDimensions(space: EmbeddingSpace, length: number, what: string): void {
    if (length === space.dimensions) return;
    throw new AnswerloopError(
      'dimension_mismatch',
      `${what} has ${length} dimensions, but the knowledge index "${alias}" holds ${space.dimensions}-dimension vectors from ${space.embedderId}. ` +
        'Run `answerloop ingest --rebuild <path>` after changing the embedder.',
      { details: { index: alias, stored: space, length } },
    );
  }

  function checkSpace(stored: EmbeddingSpace, wanted: EmbeddingSpace): void {
    if (stored.embedderId === wanted.embedderId && stored.dimensions === wanted.dimensions) return;
    throw new AnswerloopError(
      'dimension_mismatch',
      `The knowledge index "${alias}" holds vectors from ${stored.embedderId} (${stored.dimensions} dimensions), but the configured embedder is ` +
        `${wanted.embedderId} (${wanted.dimensions} dimensions). Rebuild the index with \`answerloop ingest --rebuild <path>\`, ` +
        'or configure the embedder it was built with.',
      { details: { stored, configured: wanted, index: alias } },
    );
  }

  /** Ids of every chunk matching the query, paged with search_after so no document is too large. */
  async function chunkIds(query: estypes.QueryDslQueryContainer): Promise<string[]> {
    return readOrEmpty('list chunk ids', [], async () => {
      const ids: string[] = [];
      let after: estypes.SortResults | undefined;
      for (;;) {
        const page = await client.search({
          index: alias,
          query,
          _source: false,
          size: pageSize,
          sort: [{ id: 'asc' }],
          search_after: after,
        });
        for (const hit of page.hits.hits) if (hit._id) ids.push(hit._id);
        if (page.hits.hits.length < pageSize) return ids;
        after = page.hits.hits.at(-1)?.sort;
      }
    });
  }

  async function refresh(): Promise<void> {
    await context.request(`refresh ${alias}`, () => client.indices.refresh({ index: alias }));
  }

  // Writes do not refresh one by one: a refresh per document made ingestion three times slower than plain _bulk
  // (bench/). This store refreshes before its own next search instead, so it still reads what it wrote; other
  // processes see the writes after Elasticsearch's periodic refresh (1 s), or after close().
  // Each write gets a number; a refresh makes every write numbered before it started searchable.
  let writes = 0;
  let refreshedThrough = 0;
  const lastWriteOf = new Map<string, number>();
  const noteWrite = (docId: string) => {
    writes += 1;
    lastWriteOf.set(docId, writes);
  };
  /** Refreshes when this store wrote something (that document, when given) since the last refresh. */
  async function refreshIfWritten(docId?: string): Promise<void> {
    const needed = docId === undefined ? writes : (lastWriteOf.get(docId) ?? 0);
    if (needed <= refreshedThrough) return;
    const upTo = writes;
    await refresh();
    refreshedThrough = Math.max(refreshedThrough, upTo);
    if (refreshedThrough === writes) lastWriteOf.clear();
  }

  return {
    currentSpace,
    checkDimensions,
    refreshIfWritten,

    async init(space: EmbeddingSpace): Promise<void> {
      const existing = await readMeta();
      if (existing) {
        checkSpace(existing.embedding, space);
        // An index created before sentence vectors were kept gets their fields (adding fields is always allowed).
        await context.request(`add sentence fields to ${alias}`, () =>
          client.indices.putMapping({ index: alias, properties: sentenceFields }),
        );
        return;
      }
      const analyzer = await chooseAnalyzer(context, options.analyzer, logger);
      const meta: ChunkIndexMeta = { embedding: space, analyzer, mappingVersion };
      const created = await ensureIndex(context, names.chunks, chunkIndexDefinition(meta));
      if (created) {
        knownSpace = space;
        return;
      }
      // Another process created it first: its space must match ours too.
      const winner = await readMeta();
      if (winner) checkSpace(winner.embedding, space);
    },

    async embeddingSpace(): Promise<EmbeddingSpace | undefined> {
      return (await readMeta())?.embedding;
    },

    /** The effective analyzer, for health reports. */
    async analyzer(): Promise<ChunkIndexMeta['analyzer'] | undefined> {
      return (await readMeta())?.analyzer;
    },

    async resetKnowledge(): Promise<void> {
      const concrete = await readOrEmpty('find the chunk index', [] as string[], async () =>
        Object.keys(await client.indices.get({ index: alias })),
      );
      // Concrete names, not the alias or a wildcard: clusters refuse destructive wildcards by default.
      if (concrete.length > 0)
        await context.request(`delete ${concrete.join(', ')}`, () =>
          client.indices.delete({ index: concrete }),
        );
      knownSpace = undefined;
      refreshedThrough = writes;
      lastWriteOf.clear();
    },

    async listDocuments(): Promise<DocumentSummary[]> {
      await refreshIfWritten();
      return readOrEmpty('list documents', [], async () => {
        const documents: DocumentSummary[] = [];
        let after: Record<string, estypes.FieldValue> | undefined;
        for (;;) {
          const response = await client.search({
            index: alias,
            size: 0,
            aggs: {
              documents: {
                composite: { size: pageSize, sources: [{ doc_id: { terms: { field: 'doc_id' } } }], after },
                aggs: {
                  without_sentences: { missing: { field: 'sentence_count' } },
                  latest: {
                    top_hits: {
                      size: 1,
                      sort: [{ updated_at: 'desc' }, { ordinal: 'asc' }],
                      _source: { includes: ['source', 'title', 'document_hash', 'updated_at'] },
                    },
                  },
                },
              },
            },
          });
          const aggregate = response.aggregations?.documents as
            estypes.AggregationsCompositeAggregate | undefined;
          const buckets = (aggregate?.buckets ?? []) as Array<
            estypes.AggregationsCompositeBucket & {
              latest: estypes.AggregationsTopHitsAggregate;
              without_sentences: estypes.AggregationsMissingAggregate;
            }
          >;
          for (const bucket of buckets) {
            const latest = bucket.latest.hits.hits[0]?._source as Partial<ChunkDocument> | undefined;
            documents.push({
              docId: String(bucket.key.doc_id),
              source: latest?.source ?? '',
              title: latest?.title ?? '',
              documentHash: latest?.document_hash ?? '',
              chunkCount: bucket.doc_count,
              updatedAt: latest?.updated_at ?? '',
              ...(bucket.without_sentences.doc_count > 0 ? { withoutSentences: true } : {}),
            });
          }
          if (buckets.length < pageSize || !aggregate?.after_key) return documents;
          after = aggregate.after_key;
        }
      });
    },

    /**
     * Writes the new chunks first, then deletes the document's chunks that the new version no longer has: a reader
     * never finds the document missing, only (for a moment) a mix of old and new chunks.
     */
    async replaceDocument(docId: string, chunks: Chunk[]): Promise<void> {
      const space = await currentSpace();
      if (!space) {
        throw new AnswerloopError(
          'store_failed',
          `The knowledge index "${alias}" does not exist yet: the store must be initialised before use.`,
        );
      }
      // Checked before anything is written: Elasticsearch would reject the chunk alone and keep the others.
      for (const chunk of chunks) {
        checkDimensions(space, chunk.embedding.length, `The embedding of chunk ${chunk.id}`);
        for (const sentence of chunk.sentences ?? [])
          checkDimensions(space, sentence.vector.length, `A sentence vector of chunk ${chunk.id}`);
      }
      await refreshIfWritten(docId);
      const previous = await chunkIds({ term: { doc_id: docId } });
      const current = new Set(chunks.map((chunk) => chunk.id));
      await runBulk(
        context,
        alias,
        chunks.map((chunk) => ({
          kind: 'index',
          id: chunk.id,
          document: { ...toChunkDocument(chunk) },
          source: chunk.source,
        })),
        `write the chunks of ${docId}`,
      );
      const stale = previous.filter((id) => !current.has(id));
      await runBulk(
        context,
        alias,
        stale.map((id) => ({ kind: 'delete', id, source: docId })),
        `delete old chunks of ${docId}`,
      );
      noteWrite(docId);
    },

    async deleteDocument(docId: string): Promise<void> {
      await refreshIfWritten(docId);
      const ids = await chunkIds({ term: { doc_id: docId } });
      if (ids.length === 0) return;
      await runBulk(
        context,
        alias,
        ids.map((id) => ({ kind: 'delete', id, source: docId })),
        `delete the chunks of ${docId}`,
      );
      noteWrite(docId);
    },

    async getChunks(ids: string[]): Promise<Chunk[]> {
      if (ids.length === 0) return [];
      return readOrEmpty('read chunks', [], async () => {
        const response = await client.mget<ChunkDocument>({ index: alias, ids });
        const chunks: Chunk[] = [];
        for (const document of response.docs) {
          if ('found' in document && document.found && document._source)
            chunks.push(fromChunkDocument(document._source));
        }
        return chunks;
      });
    },

    async termChunkCounts(words: string[]): Promise<{ chunks: number; counts: number[] }> {
      await refreshIfWritten();
      if (words.length === 0) return { chunks: (await this.counts()).chunks, counts: [] };
      return readOrEmpty('count terms', { chunks: 0, counts: words.map(() => 0) }, async () => {
        // One artificial document per word: the text field's analyzer stems it exactly as it stems a search.
        const response = await client.mtermvectors({
          docs: words.map((word) => ({
            _index: alias,
            doc: { text: word },
            fields: ['text'],
            term_statistics: true,
            field_statistics: true,
            positions: false,
            offsets: false,
          })),
        });
        let chunks = 0;
        const counts = response.docs.map((document) => {
          const vector = document.term_vectors?.text;
          if (!vector) return 0;
          chunks = Math.max(chunks, vector.field_statistics?.doc_count ?? 0);
          const frequencies = Object.values(vector.terms ?? {}).map((term) => term.doc_freq ?? 0);
          return frequencies.length === 0 ? 0 : Math.min(...frequencies);
        });
        return { chunks, counts };
      });
    },

    async passageCounts(docIds: string[]): Promise<Map<string, number>> {
      const wanted = [...new Set(docIds)];
      if (wanted.length === 0) return new Map();
      await refreshIfWritten();
      return readOrEmpty('count passages per document', new Map<string, number>(), async () => {
        const response = await client.search({
          index: alias,
          size: 0,
          query: { terms: { doc_id: wanted } },
          aggs: { documents: { terms: { field: 'doc_id', size: wanted.length } } },
        });
        const buckets = (
          response.aggregations?.documents as estypes.AggregationsStringTermsAggregate | undefined
        )?.buckets as estypes.AggregationsStringTermsBucket[] | undefined;
        return new Map((buckets ?? []).map((bucket) => [String(bucket.key), bucket.doc_count]));
      });
    },

    async chunksWithoutSentences(): Promise<number> {
      await refreshIfWritten();
      return readOrEmpty('count chunks without sentence vectors', 0, async () => {
        const response = await client.count({
          index: alias,
          query: { bool: { must_not: { exists: { field: 'sentence_count' } } } },
        });
        return response.count;
      });
    },

    async counts(): Promise<{ documents: number; chunks: number }> {
      await refreshIfWritten();
      return readOrEmpty('count chunks', { documents: 0, chunks: 0 }, async () => {
        const response = await client.search({
          index: alias,
          size: 0,
          track_total_hits: true,
          // Below the precision threshold the cardinality count is exact in practice.
          aggs: { documents: { cardinality: { field: 'doc_id', precision_threshold: 40000 } } },
        });
        const total = response.hits.total;
        const documents =
          (response.aggregations?.documents as estypes.AggregationsCardinalityAggregate | undefined)?.value ??
          0;
        return { documents, chunks: typeof total === 'number' ? total : (total?.value ?? 0) };
      });
    },
  };
}

export type ChunkIndex = ReturnType<typeof createChunkIndex>;
