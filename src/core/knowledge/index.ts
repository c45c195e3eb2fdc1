// Ingestion: loaders, chunker and the incremental pipeline. Types live in types.ts; this file only re-exports.
export type {
  IngestDependencies,
  IngestOptions,
  IngestProgress,
  IngestReport,
  KnowledgeSettings,
} from './types.ts';
export { ingestPaths, ingestSource } from './ingest-pipeline.ts';
export { chunkMarkdown, chunkPlainText, type ChunkDraft, type ChunkingSettings } from './chunker.ts';
export {
  createSource,
  groupLocations,
  sourceKindOf,
  crawlerUserAgent,
  type SourceChoices,
  type SourceSettings,
} from './sources/source-location.ts';
export type { KnowledgeSource, SourceItem, SourceKind } from './sources/knowledge-source.ts';
export { parseGitLocation, type GitLocation } from './sources/git-source.ts';
export { nonInteractiveGitEnvironment } from './sources/git-environment.ts';
export {
  createSourceSync,
  type ConfiguredSource,
  type SourceStatus,
  type SourceSync,
  type SourceSyncResult,
  type SyncRecord,
} from './source-sync.ts';
export { createInProcessSyncLease, type HeldLease, type SyncLease } from './sync-lease.ts';
export { mergeIngestReports } from './ingest-report.ts';
