// The knowledge part's own types: what ingestion takes, reports and needs.
import type { AnswerloopError } from '../errors/index.ts';
import type { ChunkStore, Clock, Embedder, KeyValueStore, Logger } from '../ports/index.ts';

export interface KnowledgeSettings {
  chunkTokens: number;
  chunkOverlapTokens: number;
  extensions: string[];
  maxFileBytes: number;
  /** Documents written to the store at once. */
  writeConcurrency: number;
}

export interface IngestProgress {
  phase: 'scan' | 'fetch' | 'read' | 'embed' | 'write' | 'delete' | 'done';
  done: number;
  total: number;
  /** The file or page being worked on. */
  current?: string;
}

export interface IngestReport {
  /** The source ingested, as given (folders, a site's URL, a repository). */
  source?: string;
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Chunks written in this run. */
  chunks: number;
  /** Files not ingested and why (binary, unreadable, unsupported type). */
  skipped: Array<{ path: string; reason: string }>;
  /** Documents with no text, with a note in brackets when there is one (a page that needs JavaScript). */
  empty: string[];
  /** Documents whose write failed, with the store's reason. */
  failed: Array<{ source: string; error: string; docId?: string }>;
  /** Documents added, changed or deleted: answers citing them may be stale. */
  changedDocIds: string[];
  durationMs: number;
  /** Facts about the run worth a line, e.g. the commit synced or a limit reached. */
  notes?: string[];
  /** True when the run rebuilt the index: every document written was re-embedded, unchanged ones included. */
  rebuilt?: boolean;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  /** Remove documents under the given roots whose files are gone (default true). */
  prune?: boolean;
  /**
   * Drop the whole knowledge index and record the current embedder's space before ingesting: the fix for a
   * dimension mismatch after changing embedders. Documents under paths not given are gone until ingested again.
   */
  rebuild?: boolean;
  /** Added to every document's own tags. */
  tags?: string[];
  /** Stops a long crawl: what was read is written, nothing is deleted. */
  signal?: AbortSignal;
}

export interface IngestDependencies {
  /** Chunks, and the small key-value records where each source keeps its change tokens. */
  store: ChunkStore & KeyValueStore;
  embedder: Embedder;
  settings: KnowledgeSettings;
  logger: Logger;
  clock: Clock;
  /** Directory document ids are made relative to. */
  rootDir: string;
  /** Stored documents another source owns and writes again itself (verified answers): a rebuild does not drop them. */
  ownedElsewhere?: (docId: string) => boolean;
  /** Told of each document that failed, with its error, beside the report's line (verified answers throw it). */
  onFailure?: (docId: string, error: AnswerloopError) => void;
}
