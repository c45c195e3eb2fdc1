import { useCallback, useEffect, useReducer, useState } from 'react';
import type { Core, EvaluationProgress, EvaluationResult } from '../../../../core/index.ts';
import { shortModelName } from '../../../format/figures.ts';
import { useTask } from '../../../hooks/use-task.ts';
import { initialModels, modelsReducer, promotionCaution } from '../../../state/models.ts';
import { useMountedRef } from '../../../hooks/use-mounted.ts';

/** The registry through core.training: evaluate a candidate, promote, roll back. */
export function useModels(core: Core, reviewer: string, visible: boolean) {
  const [state, dispatch] = useReducer(modelsReducer, initialModels);
  const [progress, setProgress] = useState<EvaluationProgress | null>(null);
  /** The evaluation run from this screen, with its per-question rows. */
  const [lastEvaluation, setLastEvaluation] = useState<EvaluationResult | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const task = useTask<void>();
  const mounted = useMountedRef();

  const load = useCallback(
    async (select?: string) => {
      const listing = await core.training.listModels();
      const evaluations = Object.fromEntries(
        await Promise.all(listing.models.map(async (model) => [model.name, await core.training.latestEvaluation(model.name)] as const)),
      );
      if (mounted.current) dispatch({ type: 'loaded', ...listing, evaluations, select });
    },
    [core],
  );

  const { run } = task;
  const refresh = useCallback(() => run('Reading the model registry…', () => load()), [run, load]);
  // Jobs that finish on the Training screen register candidates: read the registry whenever the screen is shown.
  useEffect(() => {
    if (visible) void refresh();
  }, [visible, refresh]);

  const evaluate = useCallback(
    (candidate: string) =>
      run(`Evaluating ${candidate} against the active model…`, async () => {
        setNotice(null);
        const result = await core.training.evaluateCandidate({ candidate, onProgress: (update) => mounted.current && setProgress(update) });
        if (!mounted.current) return;
        setLastEvaluation(result);
        setNotice(`${shortModelName(candidate)}: win rate ${Math.round(result.winRate * 100)} % over ${result.examples} examples (${result.wins.candidate} won, ${result.wins.baseline} lost, ${result.wins.tie} tied)`);
        await load(candidate);
      }).finally(() => mounted.current && setProgress(null)),
    [run, core, load],
  );

  const promote = useCallback(
    (model: string) =>
      run(`Promoting ${model}…`, async () => {
        const force = promotionCaution(state.evaluations[model])?.force ?? false;
        const result = await core.training.promote({ model, force, by: reviewer });
        if (!mounted.current) return;
        setNotice(`${shortModelName(model)} is active: bots answer with it within seconds${result.previous ? `; b rolls back to ${shortModelName(result.previous)}` : ''}.`);
        await load(model);
      }),
    [run, core, reviewer, state.evaluations, load],
  );

  const rollback = useCallback(
    () =>
      run('Rolling back…', async () => {
        const result = await core.training.rollback({ by: reviewer });
        if (!mounted.current) return;
        setNotice(`Rolled back: answers come from ${shortModelName(result.to)} again, not ${shortModelName(result.from)}.`);
        await load();
      }),
    [run, core, reviewer, load],
  );

  return { state, dispatch, task, progress, lastEvaluation, notice, evaluate, promote, rollback, refresh };
}
