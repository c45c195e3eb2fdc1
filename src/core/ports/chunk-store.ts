/** A passage of a document, the unit of retrieval. */
export interface Chunk {
  /** Stable id: `${docId}#${ordinal}`. */
  id: string;
  /** Stable id of the document: its source path relative to the ingest root, or its URL. */
  docId: string;
  /** Where a reader can find it (relative path or URL); shown as the citation's link. */
  source: string;
  /** The document title. */
  title: string;
  /** Headings from the document root down to this chunk, e.g. ['Install', 'On Linux']. */
  headingPath: string[];
  text: string;
  /** Unit-length vector from the configured embedder. */
  embedding: number[];
  tags: string[];
  /** ISO-8601 time the chunk was written. */
  updatedAt: string;
  /** sha256 of the chunk text. */
  contentHash: string;
  /** sha256 of the whole source document: unchanged documents are skipped on re-ingest. */
  documentHash: string;
  /** Position of the chunk in its document, from 0. */
  ordinal: number;
  /**
   * The passage's quotable sentences with their vectors, computed at ingestion so answering embeds only the
   * question. Returned by `getChunks`, never by `searchLegs`. Undefined for a chunk stored before sentence vectors
   * were kept (answering then embeds its sentences at question time until it is ingested again).
   */
  sentences?: StoredSentence[];
}

/** One sentence of a passage, as the offline answer would quote it, and its unit-length vector. */
export interface StoredSentence {
  text: string;
  vector: number[];
}

/** What the store knows of one document, for incremental ingestion. */
export interface DocumentSummary {
  docId: string;
  source: string;
  title: string;
  documentHash: string;
  chunkCount: number;
  updatedAt: string;
  /** True when some of its chunks were stored without sentence vectors: ingestion writes it again. */
  withoutSentences?: boolean;
}

export interface SearchFilters {
  /** A chunk matches when it carries at least one of these tags. */
  tags?: string[];
  /** A chunk matches when its source starts with one of these prefixes. */
  sourcePrefixes?: string[];
}

/** One hit of one retrieval leg, with the engine's raw score (BM25 score, or cosine similarity in [-1, 1]). */
export interface LegHit {
  chunk: Chunk;
  score: number;
}

export interface LegSearchRequest {
  /** Run BM25 when set. */
  text?: string;
  /** Run kNN when set. */
  vector?: number[];
  /** How many hits each leg returns. */
  k: number;
  /** kNN candidates per shard (Elasticsearch); exact search ignores it. */
  numCandidates: number;
  filters: SearchFilters;
  /** Field boosts for BM25. */
  boosts: { title: number; headings: number; text: number };
}

export interface LegSearchResult {
  bm25: LegHit[];
  vector: LegHit[];
  /** Time the engine itself reports, when it reports one (Elasticsearch `took`). */
  engineTookMs?: number;
}

/** Identity of the embedder that filled the store: a different one would make the vectors meaningless. */
export interface EmbeddingSpace {
  embedderId: string;
  dimensions: number;
}

export interface StoreHealth {
  ok: boolean;
  kind: 'embedded' | 'elasticsearch';
  /** e.g. 'green', or the SQLite file path and size. */
  status: string;
  details: Record<string, unknown>;
}

export interface ChunkStore {
  readonly kind: 'embedded' | 'elasticsearch';
  /**
   * Creates tables or indices when missing and records the embedding space. Throws a `dimension_mismatch`
   * AnswerloopError, naming the command that rebuilds the index, when the store holds another space.
   */
  init(space: EmbeddingSpace): Promise<void>;
  /** The recorded embedding space, or undefined for a store never initialised. */
  embeddingSpace(): Promise<EmbeddingSpace | undefined>;
  /** Drops every chunk and the recorded embedding space (conversations, datasets and models stay). */
  resetKnowledge(): Promise<void>;
  listDocuments(): Promise<DocumentSummary[]>;
  /** Writes the document's chunks and removes any older chunk of the same document, atomically where the engine allows. */
  replaceDocument(docId: string, chunks: Chunk[]): Promise<void>;
  deleteDocument(docId: string): Promise<void>;
  getChunks(ids: string[]): Promise<Chunk[]>;
  counts(): Promise<{ documents: number; chunks: number }>;
  /** How many chunks were stored without sentence vectors (before they were kept): re-ingesting them fixes it. */
  chunksWithoutSentences(): Promise<number>;
  /**
   * How many chunks contain each word, as the store's full-text analysis sees it (stemmed, case-folded), and
   * how many chunks there are: the rarity of a question's words, for the answerability score.
   */
  termChunkCounts(words: string[]): Promise<{ chunks: number; counts: number[] }>;
  /**
   * How many passages each of these documents holds (a document the store does not hold is absent): how long a
   * page is, for the page length penalty of hybrid search.
   */
  passageCounts(docIds: string[]): Promise<Map<string, number>>;
  /** Runs the requested legs, in one round trip where the engine allows; fusion happens in core. */
  searchLegs(request: LegSearchRequest): Promise<LegSearchResult>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
