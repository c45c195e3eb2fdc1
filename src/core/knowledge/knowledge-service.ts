/**
 * The knowledge part of Core: ingesting locations (files, websites, git repositories) and the configured sources,
 * searching what was ingested, and its counts. After every run the documents that changed are reported, so the
 * answers and examples citing them can be flagged stale.
 */
import type { Config } from '../config/index.ts';
import { resolveConfigPath } from '../config/index.ts';
import { AnswerloopError } from '../errors/index.ts';
import type { ChunkStore, Clock, Embedder, KeyValueStore, Logger, Metrics } from '../ports/index.ts';
import { search, type SearchOptions, type SearchResult } from '../retrieval/index.ts';
import { forgetDocuments, type ForgetOptions, type ForgetReport } from './forget-documents.ts';
import { ingestSource } from './ingest-pipeline.ts';
import { mergeIngestReports } from './ingest-report.ts';
import type { KnowledgeSource } from './sources/knowledge-source.ts';
import {
  createSource,
  groupLocations,
  type SourceChoices,
  type SourceSettings,
} from './sources/source-location.ts';
import { createSourceSync, type SourceSync } from './source-sync.ts';
import type { SyncLease } from './sync-lease.ts';
import type { IngestOptions, IngestReport } from './types.ts';

export interface KnowledgeService {
  /** Files and folders, websites (`https://...`) and git repositories (`git+https://...#ref:folder/`). */
  ingest(locations: string[], options?: IngestOptions & SourceChoices): Promise<IngestReport>;
  /** The sources of `knowledge.sources`: listed, synced on demand, kept fresh in the background. */
  readonly sources: SourceSync;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  counts(): Promise<{ documents: number; chunks: number }>;
  /**
   * Passages stored before sentence vectors were kept with them: each costs an embedding batch per question
   * until its source is ingested again (`answerloop ingest` or `answerloop sync` rewrites them).
   */
  passagesWithoutSentenceVectors(): Promise<number>;
  /** Embeds one text: proves the embedder loads and says how fast. */
  checkEmbedder(): Promise<{ id: string; dimensions: number; ms: number }>;
  /**
   * Removes the documents at or under these locations (files, folders, URLs, git locations, as ingested), and flags
   * what cites them stale; verified answers are never removed here.
   */
  forget(locations: string[], options?: ForgetOptions): Promise<ForgetReport>;
}

export interface KnowledgeDependencies {
  config: Config;
  /** The store that waits for its own start-up. */
  store: ChunkStore & KeyValueStore;
  /** The bare store: a rebuild resets and re-opens it itself, so it must not wait for a start-up that may fail. */
  rebuildStore: ChunkStore & KeyValueStore;
  embedder: Embedder;
  /** Documents added, changed or deleted by a run: what cites them may be stale. */
  documentsChanged: (docIds: string[]) => Promise<unknown>;
  /**
   * Sources the product keeps itself (verified answers): no other source prunes their documents, and after a
   * rebuild emptied the index they are written again.
   */
  productSources: KnowledgeSource[];
  lease: SyncLease;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
}

export function createKnowledgeService(dependencies: KnowledgeDependencies): KnowledgeService {
  const { config, store, embedder, logger, clock, productSources } = dependencies;
  const ownedElsewhere = (docId: string) => productSources.some((source) => source.owns?.(docId));
  const pipelineDependencies = {
    ...{ store, embedder, settings: config.knowledge, clock, rootDir: config.rootDir, ownedElsewhere },
    logger: logger.child({ component: 'ingest' }),
  };
  // A rebuild resets the index and records the embedder's space itself: a dimension mismatch must not stop it.
  const rebuildDependencies = { ...pipelineDependencies, store: dependencies.rebuildStore };
  const sourceSettings: SourceSettings = {
    rootDir: config.rootDir,
    dataDir: resolveConfigPath(config, config.dataDir),
    extensions: config.knowledge.extensions,
    web: config.knowledge.web,
    git: config.knowledge.git,
    ownedElsewhere,
  };
  const ingestKnowledge = async (
    source: KnowledgeSource,
    ingestOptions: IngestOptions,
  ): Promise<IngestReport> => {
    const report = await ingestSource(
      source,
      ingestOptions,
      ingestOptions.rebuild ? rebuildDependencies : pipelineDependencies,
    );
    if (report.changedDocIds.length > 0) await dependencies.documentsChanged(report.changedDocIds);
    return report;
  };
  const sources = createSourceSync({
    sources: config.knowledge.sources,
    createSource: (source) => createSource([source.location], source, sourceSettings),
    ingest: ingestKnowledge,
    store,
    // The store's leases: with several processes on one store, one of them syncs a given source at a time.
    lease: dependencies.lease,
    logger: logger.child({ component: 'source-sync' }),
    clock,
    metrics: dependencies.metrics,
  });
  const searchDependencies = { store, embedder, settings: config.retrieval };

  return {
    async ingest(locations, ingestOptions = {}) {
      const { tags, include, exclude, maxPages, maxDepth, urlTemplate, ...pipelineOptions } = ingestOptions;
      const choices: SourceChoices = { tags, include, exclude, maxPages, maxDepth, urlTemplate };
      const groups = groupLocations(locations);
      if (groups.length === 0) groups.push([]);
      // Every location is checked before the first is ingested.
      const sourcesToIngest = groups.map((group) => createSource(group, choices, sourceSettings));
      const reports: IngestReport[] = [];
      // Only the first source of a rebuild resets the index.
      for (const [index, source] of sourcesToIngest.entries())
        reports.push(
          await ingestKnowledge(source, {
            ...pipelineOptions,
            rebuild: index === 0 && pipelineOptions.rebuild,
          }),
        );
      // Written again as they were, so nothing citing them is flagged and the report counts the locations only.
      if (ingestOptions.rebuild)
        for (const source of productSources) await ingestSource(source, {}, pipelineDependencies);
      return mergeIngestReports(reports);
    },
    sources,
    search: (query, searchOptions = {}) => search(query, searchOptions, searchDependencies),
    counts: () => store.counts(),
    passagesWithoutSentenceVectors: () => store.chunksWithoutSentences(),
    forget: (locations, forgetOptions = {}) =>
      forgetDocuments(locations, forgetOptions, {
        store,
        rootDir: config.rootDir,
        ownedElsewhere,
        documentsChanged: dependencies.documentsChanged,
      }),
    async checkEmbedder() {
      const started = performance.now();
      const [vector] = await embedder.embed(['answerloop health check']);
      if (vector?.length !== embedder.dimensions) {
        throw new AnswerloopError(
          'embedder_failed',
          `The embedder returned ${vector?.length ?? 0} dimensions, expected ${embedder.dimensions}.`,
        );
      }
      return {
        id: embedder.id,
        dimensions: embedder.dimensions,
        ms: Math.round(performance.now() - started),
      };
    },
  };
}
