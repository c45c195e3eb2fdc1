import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { Core } from '../../../../core/index.ts';
import { describeError } from '../../../format/figures.ts';
import { initialPlayground, playgroundReducer } from '../../../state/playground.ts';

/** Asks core as a user would (platform 'tui'), streams the answer in, and records the operator's feedback. */
export function usePlayground(core: Core, reviewer: string) {
  const [state, dispatch] = useReducer(playgroundReducer, initialPlayground);
  const [emptyKnowledge, setEmptyKnowledge] = useState(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    core
      .knowledgeCounts()
      .then((counts) => {
        if (mounted.current) setEmptyKnowledge(counts.chunks === 0);
      })
      .catch(() => {});
    return () => {
      mounted.current = false;
    };
  }, [core]);

  const ask = useCallback(
    async (question: string) => {
      const text = question.trim();
      if (!text) return;
      dispatch({ type: 'askStarted', question: text });
      try {
        const result = await core.ask(
          { question: text, context: { platform: 'tui', channel: 'playground', userId: reviewer } },
          { onDelta: (_delta, textSoFar) => mounted.current && dispatch({ type: 'delta', textSoFar }) },
        );
        if (mounted.current) dispatch({ type: 'answered', result });
      } catch (error) {
        if (mounted.current) dispatch({ type: 'failed', error: describeError(error) });
      }
    },
    [core, reviewer],
  );

  const recordFeedback = useCallback(
    async (helpful: boolean) => {
      if (!state.result) return;
      try {
        await core.recordFeedback(state.result.conversationId, { helpful, by: reviewer });
        if (mounted.current) dispatch({ type: 'feedback', helpful });
      } catch (error) {
        if (mounted.current) dispatch({ type: 'failed', error: describeError(error) });
      }
    },
    [core, reviewer, state.result],
  );

  return { state, dispatch, ask, recordFeedback, emptyKnowledge };
}
