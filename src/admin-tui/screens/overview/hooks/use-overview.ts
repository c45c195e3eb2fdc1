import { useCallback, useState } from 'react';
import type { Core, OverviewFigures, ResolutionReport } from '../../../../core/index.ts';
import { describeError } from '../../../format/figures.ts';
import { usePolling } from '../../../hooks/use-task.ts';
import { useMountedRef } from '../../../hooks/use-mounted.ts';

/** The Overview refreshes itself this often while it is shown. */
export const overviewRefreshMs = 10_000;

/** Weeks of resolution bars: this week and the ones before. */
const resolutionWeeks = 4;

/** Loads core.insights.overview() now, then every few seconds while the screen is visible. */
export function useOverview(core: Core, visible: boolean) {
  const [figures, setFigures] = useState<OverviewFigures | null>(null);
  const [resolution, setResolution] = useState<ResolutionReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const mounted = useMountedRef();
  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [next, weekly] = await Promise.all([
        core.insights.overview(),
        core.insights.resolution({ since: `${resolutionWeeks - 1}w` }),
      ]);
      if (mounted.current) {
        setFigures(next);
        setResolution(weekly);
        setError(null);
      }
    } catch (failure) {
      if (mounted.current) setError(describeError(failure));
    } finally {
      if (mounted.current) setLoading(false);
    }
  }, [core]);
  usePolling(load, overviewRefreshMs, visible);
  return { figures, resolution, error, loading, refresh: load };
}
