import { useCallback, useEffect, useReducer, useState } from 'react';
import type { Core, IngestProgress, SearchMode, SourceStatus, StoreHealth } from '../../../../core/index.ts';
import { describeError } from '../../../format/figures.ts';
import {
  initialKnowledge,
  type KnowledgeAction,
  knowledgeReducer,
  rankingModes,
} from '../../../state/knowledge.ts';
import { useMountedRef } from '../../../hooks/use-mounted.ts';

/** Passages per ranking: enough to see where the legs disagree, few enough to fit. */
const rankingDepth = 10;
/** Progress is drawn at most this often: embedding reports every passage. */
const progressIntervalMs = 100;

/** Progress drawn at most every progressIntervalMs, always at the end of a phase. */
function throttledProgress(
  mounted: { current: boolean },
  dispatch: (action: KnowledgeAction) => void,
): (progress: IngestProgress) => void {
  let lastDrawn = 0;
  return (progress) => {
    const now = Date.now();
    if (now - lastDrawn < progressIntervalMs && progress.done < progress.total) return;
    lastDrawn = now;
    if (mounted.current) dispatch({ type: 'ingestProgress', progress });
  };
}

export interface KnowledgeSummary {
  documents: number;
  chunks: number;
  health: StoreHealth | null;
}

/** The knowledge base's size, ingestion with progress, and the three rankings of a query. */
export function useKnowledge(core: Core) {
  const [state, dispatch] = useReducer(knowledgeReducer, core.config.knowledge.docsDir, initialKnowledge);
  const [summary, setSummary] = useState<KnowledgeSummary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
  const [sources, setSources] = useState<SourceStatus[]>([]);
  const mounted = useMountedRef();

  const loadSummary = useCallback(async () => {
    try {
      const [counts, health, statuses] = await Promise.all([
        core.knowledgeCounts(),
        core.storeHealth().catch(() => null),
        core.sources.list(),
      ]);
      if (mounted.current) {
        setSummary({ ...counts, health });
        setSources(statuses);
        setSummaryError(null);
      }
    } catch (error) {
      if (mounted.current) setSummaryError(describeError(error));
    }
  }, [core]);

  useEffect(() => {
    void loadSummary();
  }, [loadSummary]);

  const ingest = useCallback(
    async (target: string) => {
      const paths = target.split(/\s+/).filter(Boolean);
      if (paths.length === 0) return;
      dispatch({ type: 'ingestStarted' });
      let lastDrawn = 0;
      const onProgress = (progress: IngestProgress) => {
        const now = Date.now();
        if (now - lastDrawn < progressIntervalMs && progress.done < progress.total) return;
        lastDrawn = now;
        if (mounted.current) dispatch({ type: 'ingestProgress', progress });
      };
      try {
        const report = await core.ingest(paths, { onProgress });
        if (mounted.current) dispatch({ type: 'ingestDone', report });
      } catch (error) {
        if (mounted.current) dispatch({ type: 'ingestFailed', error: describeError(error) });
      }
      await loadSummary();
    },
    [core, loadSummary],
  );

  /** Syncs one source of knowledge.sources; its progress and report show in the ingest panel. */
  const syncSource = useCallback(
    async (name: string) => {
      dispatch({ type: 'syncStarted', name });
      const onProgress = throttledProgress(mounted, dispatch);
      try {
        const [result] = await core.sources.sync([name], {
          onProgress: (_name, progress) => onProgress(progress),
        });
        if (!mounted.current) return;
        if (result?.report) dispatch({ type: 'ingestDone', report: result.report });
        else dispatch({ type: 'ingestFailed', error: result?.error ?? `no source named ${name}` });
      } catch (error) {
        if (mounted.current) dispatch({ type: 'ingestFailed', error: describeError(error) });
      }
      await loadSummary();
    },
    [core, loadSummary],
  );

  const search = useCallback(
    async (query: string) => {
      const text = query.trim();
      if (!text) return;
      dispatch({ type: 'searchStarted', query: text });
      try {
        const results = await Promise.all(
          rankingModes.map((mode) => core.search(text, { mode, k: rankingDepth })),
        );
        const rankings = Object.fromEntries(
          rankingModes.map((mode, index) => [mode, results[index]!.hits]),
        ) as Record<SearchMode, (typeof results)[number]['hits']>;
        if (mounted.current) dispatch({ type: 'searchDone', rankings });
      } catch (error) {
        if (mounted.current) dispatch({ type: 'searchFailed', error: describeError(error) });
      }
    },
    [core],
  );

  return {
    state,
    dispatch,
    summary,
    summaryError,
    sources,
    ingest,
    syncSource,
    search,
    refresh: loadSummary,
  };
}
