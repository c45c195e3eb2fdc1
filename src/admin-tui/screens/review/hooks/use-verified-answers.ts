import { useCallback, useEffect, useReducer } from 'react';
import type { Core, VerifiedAnswerRecord, VerifiedAnswerResult } from '../../../../core/index.ts';
import { describeError, oneLine } from '../../../format/figures.ts';
import { initialVerifiedAnswers, verifiedAnswersReducer } from '../../../state/verified-answers.ts';
import { useMountedRef } from '../../../hooks/use-mounted.ts';

type Change = 'edit' | 'reapprove' | 'retire';
const pastTense: Record<Change, string> = { edit: 'Edited', reapprove: 'Re-approved', retire: 'Retired' };

/** The verified answers through core.verified: the list, and edits, re-approvals and retirements. */
export function useVerifiedAnswers(core: Core, reviewer: string) {
  const [state, dispatch] = useReducer(verifiedAnswersReducer, initialVerifiedAnswers);
  const mounted = useMountedRef();

  const load = useCallback(async () => {
    dispatch({ type: 'loadStarted' });
    try {
      const items = await core.verified.list('active');
      if (mounted.current) dispatch({ type: 'loaded', items });
    } catch (error) {
      if (mounted.current) dispatch({ type: 'failed', error: describeError(error) });
    }
  }, [core]);

  useEffect(() => {
    void load();
  }, [load]);

  const change = useCallback(
    async (kind: Change, record: VerifiedAnswerRecord, answer?: string) => {
      try {
        const input = { id: record.id, reviewer };
        const result: VerifiedAnswerResult =
          kind === 'edit'
            ? await core.verified.edit({ ...input, answer })
            : kind === 'reapprove'
              ? await core.verified.reapprove(input)
              : await core.verified.retire(input);
        if (!mounted.current) return;
        dispatch({
          type: 'changed',
          record: result.verified,
          notice: `${pastTense[kind]} “${oneLine(record.question, 40)}”${result.changed ? '' : ' (no change)'}`,
        });
      } catch (error) {
        if (mounted.current)
          dispatch({ type: 'failed', error: `${pastTense[kind]} failed: ${describeError(error)}` });
      }
    },
    [core, reviewer],
  );

  return { state, dispatch, change, reload: load };
}
