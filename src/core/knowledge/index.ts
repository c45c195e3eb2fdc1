// Ingestion: loaders, chunker and the incremental pipeline. (Being built.)
import { AnswerloopError } from '../errors/index.ts';
import type { ChunkStore, Clock, Embedder, Logger } from '../ports/index.ts';

export interface KnowledgeSettings {
  chunkTokens: number;
  chunkOverlapTokens: number;
  extensions: string[];
  maxFileBytes: number;
}

export interface IngestProgress {
  phase: 'scan' | 'read' | 'embed' | 'write' | 'delete' | 'done';
  done: number;
  total: number;
  /** The file being worked on. */
  current?: string;
}

export interface IngestReport {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Chunks written in this run. */
  chunks: number;
  /** Files not ingested and why (binary, unreadable, unsupported type). */
  skipped: Array<{ path: string; reason: string }>;
  /** Files that were empty. */
  empty: string[];
  /** Documents whose write failed, with the store's reason. */
  failed: Array<{ source: string; error: string }>;
  /** Documents added, changed or deleted: answers citing them may be stale. */
  changedDocIds: string[];
  durationMs: number;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  /** Remove documents under the given roots whose files are gone (default true). */
  prune?: boolean;
}

export interface IngestDependencies {
  store: ChunkStore;
  embedder: Embedder;
  settings: KnowledgeSettings;
  logger: Logger;
  clock: Clock;
  /** Directory document ids are made relative to. */
  rootDir: string;
}

export async function ingestPaths(_paths: string[], _options: IngestOptions, _dependencies: IngestDependencies): Promise<IngestReport> {
  throw new AnswerloopError('internal', 'Ingestion is being built.');
}
