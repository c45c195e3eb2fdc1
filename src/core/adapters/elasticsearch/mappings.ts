import type { estypes } from '@elastic/elasticsearch';
import type { EmbeddingSpace } from '../../ports/index.ts';
import type { RecordKind } from './index-names.ts';

/** Used when the configured analyzer does not exist on the cluster: tokenises like `english` without stemming. */
export const fallbackAnalyzerName = 'answerloop_standard_english_stop';

export interface AnalyzerChoice {
  /** The analyzer the mapping names. */
  name: string;
  /** The analyzer the configuration asked for. */
  requested: string;
  fallback: boolean;
}

/** What the chunk index records about itself in `_meta`, so a later start can check it. */
export interface ChunkIndexMeta {
  embedding: EmbeddingSpace;
  analyzer: AnalyzerChoice;
  mappingVersion: number;
}

/**
 * Single-node clusters (the dev launcher, docker compose) need zero replicas to be green; larger clusters get
 * one replica. `auto_expand_replicas` gives both without a setting.
 */
const indexSettings: estypes.IndicesIndexSettings = { number_of_shards: 1, auto_expand_replicas: '0-1' };

export function chunkIndexDefinition(meta: ChunkIndexMeta): {
  settings: estypes.IndicesIndexSettings;
  mappings: estypes.MappingTypeMapping;
} {
  const analyzer = meta.analyzer.name;
  const analysis: estypes.IndicesIndexSettingsAnalysis | undefined = meta.analyzer.fallback
    ? { analyzer: { [fallbackAnalyzerName]: { type: 'standard', stopwords: '_english_' } } }
    : undefined;
  return {
    settings: { ...indexSettings, ...(analysis ? { analysis } : {}) },
    mappings: {
      // A field nobody declared is a bug in our code, not data to guess a type for.
      dynamic: 'strict',
      _meta: meta as unknown as estypes.Metadata,
      properties: {
        id: { type: 'keyword' },
        doc_id: { type: 'keyword' },
        source: { type: 'keyword' },
        title: { type: 'text', analyzer },
        headings: { type: 'text', analyzer },
        text: { type: 'text', analyzer },
        embedding: {
          type: 'dense_vector',
          dims: meta.embedding.dimensions,
          index: true,
          // Embedders return unit vectors, for which dot product equals cosine and is the cheapest to compute.
          similarity: 'dot_product',
          // int8 quantisation keeps the vectors searched in a quarter of the memory, at a small cost in score
          // precision; m and ef_construction are Elasticsearch's defaults.
          index_options: { type: 'int8_hnsw', m: 16, ef_construction: 100 },
        },
        tags: { type: 'keyword' },
        updated_at: { type: 'date' },
        content_hash: { type: 'keyword' },
        document_hash: { type: 'keyword' },
        ordinal: { type: 'integer' },
        ...sentenceFields,
      },
    },
  };
}

/**
 * The passage's sentences and their vectors, kept for answering and never searched (`enabled: false`: stored in
 * `_source` only); `sentence_count` is indexed so chunks stored before sentence vectors were kept can be counted.
 * Added to an older index's mapping when a store opens it.
 */
export const sentenceFields: Record<string, estypes.MappingProperty> = {
  sentences: { type: 'object', enabled: false },
  sentence_count: { type: 'integer' },
};

const keyword: estypes.MappingProperty = { type: 'keyword' };
const date: estypes.MappingProperty = { type: 'date' };
const bool: estypes.MappingProperty = { type: 'boolean' };

/** Only the fields queries filter or sort on are indexed; each index also has `record_id` and `record`. */
const recordFields: Record<RecordKind, Record<string, estypes.MappingProperty>> = {
  conversations: {
    platform: keyword,
    channel: keyword,
    thread: keyword,
    feedback: keyword,
    review_rank: { type: 'byte' },
    review_status: keyword,
    refused: bool,
    silent: bool,
    confidence: { type: 'double' },
    stale: bool,
    cited_doc_ids: keyword,
    created_at: date,
  },
  examples: {
    dataset: keyword,
    origin_conversation_id: keyword,
    source_doc_ids: keyword,
    stale: bool,
    split: keyword,
    created_at: date,
  },
  datasets: { name: keyword, created_at: date },
  'dataset-versions': { dataset: keyword, version: { type: 'integer' }, created_at: date },
  models: { name: keyword, status: keyword, created_at: date },
  'training-jobs': { status: keyword, created_at: date },
  evaluations: { candidate: keyword, created_at: date },
  'key-values': { namespace: keyword, key: keyword },
  coordination: { namespace: keyword, key: keyword, state: keyword, due_at: { type: 'long' } },
  'thread-messages': {
    platform: keyword,
    channel: keyword,
    thread: keyword,
    message_id: keyword,
    answers: keyword,
    at: date,
  },
};

export function recordIndexDefinition(kind: RecordKind): {
  settings: estypes.IndicesIndexSettings;
  mappings: estypes.MappingTypeMapping;
} {
  return {
    settings: indexSettings,
    mappings: {
      dynamic: 'strict',
      properties: {
        // A unique sortable key: sorting on _id is disabled in Elasticsearch 8, and search_after needs a tiebreaker.
        record_id: keyword,
        // The whole record as the port defines it, stored but not indexed: reads return it unchanged.
        record: { type: 'object', enabled: false },
        ...recordFields[kind],
      },
    },
  };
}
