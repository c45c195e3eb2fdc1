import { Client } from '@elastic/elasticsearch';
import { ElasticVectorSearch } from '@langchain/community/vectorstores/elasticsearch';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { benchIndexPrefix, deleteIndices } from './bench-stores.ts';
import { type LatencySummary, summarise } from './latency-summary.ts';
import { benchK, type QualityFigures, qualityOf, scoreRanking } from './search-latency.ts';
import { segmentCount } from './store-benchmarks.ts';
import { ingestionFigures, type IngestionFigures } from './store-ingestion.ts';
import { type SyntheticQuery, syntheticDocuments } from './synthetic-corpus.ts';

/**
 * The peer: LangChain JS's Elasticsearch vector store (@langchain/community ElasticVectorSearch) on the same
 * node, corpus and queries, used as its documentation shows, with its defaults (HNSW, l2_norm, 200 candidates).
 * Its hybrid mode needs Elasticsearch's server-side `rrf` retriever, which the local node lacks, so it is
 * compared as the vector search it offers everywhere.
 */

/** LangChain's embeddings interface over precomputed vectors: the model is not what is measured. */
class PrecomputedEmbeddings extends Embeddings {
  constructor(private readonly vectors: Map<string, number[]>) {
    super({});
  }

  private vectorOf(text: string): number[] {
    const vector = this.vectors.get(text);
    if (!vector) throw new Error(`No precomputed vector for "${text}".`);
    return vector;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.vectorOf(text));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.vectorOf(text);
  }
}

export interface PeerResult extends QualityFigures {
  system: string;
  chunks: number;
  ingestion: IngestionFigures;
  latency: LatencySummary;
  /** Lucene segments of its index when it was searched. */
  segments?: number;
}

export async function benchmarkLangChain(
  url: string,
  chunkTarget: number,
  queries: SyntheticQuery[],
  options: { warmup: number; batchSize: number },
): Promise<PeerResult> {
  const client = new Client({ node: url, requestTimeout: 120_000 });
  const prefix = benchIndexPrefix('langchain');
  const indexName = `${prefix}-documents`;
  const store = new ElasticVectorSearch(
    new PrecomputedEmbeddings(new Map(queries.map((query) => [query.text, query.vector]))),
    { client, indexName },
  );
  try {
    let ms = 0;
    let chunks = 0;
    let documents = 0;
    let batch: Array<{ vector: number[]; document: Document; id: string }> = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const started = performance.now();
      await store.addVectors(
        batch.map((entry) => entry.vector),
        batch.map((entry) => entry.document),
        { ids: batch.map((entry) => entry.id) },
      );
      ms += performance.now() - started;
      chunks += batch.length;
      batch = [];
    };
    for (const synthetic of syntheticDocuments(chunkTarget)) {
      documents += 1;
      for (const chunk of synthetic.chunks) {
        batch.push({
          vector: chunk.embedding,
          document: new Document({
            pageContent: chunk.text,
            metadata: { chunkId: chunk.id, docId: chunk.docId, title: chunk.title },
          }),
          id: chunk.id,
        });
      }
      if (batch.length >= options.batchSize) await flush();
    }
    await flush();

    for (const query of queries.slice(0, options.warmup))
      await store.similaritySearchWithScore(query.text, benchK);
    const latencies: number[] = [];
    const scores: Array<{ hitAt5: number; reciprocalRank: number }> = [];
    for (const query of queries) {
      const started = performance.now();
      const hits = await store.similaritySearchWithScore(query.text, benchK);
      latencies.push(performance.now() - started);
      scores.push(
        scoreRanking(
          hits.map(([document]) => String(document.metadata.chunkId)),
          query.targetChunkId,
        ),
      );
    }
    return {
      system: 'LangChain ElasticVectorSearch (vector)',
      chunks,
      ingestion: ingestionFigures(chunks, documents, ms),
      latency: summarise(latencies),
      segments: await segmentCount(client, indexName),
      ...qualityOf(scores),
    };
  } finally {
    await deleteIndices(url, prefix);
    await client.close();
  }
}
