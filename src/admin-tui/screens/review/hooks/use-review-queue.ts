import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ConversationRecord, Core } from '../../../../core/index.ts';
import { describeError, oneLine } from '../../../format/figures.ts';
import {
  initialReviewQueue,
  nextDiagnosis,
  outcomeQuery,
  type ReviewAction,
  reviewQueueReducer,
  statusesFor,
} from '../../../state/review-queue.ts';
import { useMountedRef } from '../../../hooks/use-mounted.ts';

const pageSize = 50;

const pastTense: Record<ReviewAction, string> = {
  approve: 'Approved',
  correct: 'Corrected',
  reject: 'Rejected',
};

/** The review queue through core.review: pages, filters, and actions applied at once and confirmed in the background. */
export function useReviewQueue(core: Core, reviewer: string, visible: boolean) {
  const [state, dispatch] = useReducer(reviewQueueReducer, initialReviewQueue);
  const mounted = useMountedRef();
  const loads = useRef(0);

  const { feedback, status, outcome, page } = state;
  const load = useCallback(async () => {
    loads.current += 1;
    const mine = loads.current;
    dispatch({ type: 'loadStarted' });
    try {
      const result = await core.review.listReviewQueue({
        feedback,
        status: statusesFor(status),
        ...outcomeQuery(outcome),
        page,
        pageSize,
        order: 'review',
      });
      if (mounted.current && mine === loads.current)
        dispatch({
          type: 'loaded',
          items: result.items,
          total: result.total,
          pages: result.pages,
          page: result.page,
        });
    } catch (error) {
      if (mounted.current && mine === loads.current)
        dispatch({ type: 'loadFailed', error: describeError(error) });
    }
  }, [core, feedback, status, outcome, page]);

  // Reload when the filters or the page change, and whenever the screen is shown: other screens add conversations.
  useEffect(() => {
    if (visible) void load();
  }, [load, visible]);

  const act = useCallback(
    async (kind: ReviewAction, conversation: ConversationRecord, answer?: string) => {
      const status = kind === 'approve' ? 'approved' : kind === 'correct' ? 'corrected' : 'rejected';
      dispatch({ type: 'reviewed', conversationId: conversation.id, status, correctedAnswer: answer });
      try {
        const input = { conversationId: conversation.id, reviewer };
        const result =
          kind === 'approve'
            ? await core.review.approve(input)
            : kind === 'correct'
              ? await core.review.correct({ ...input, answer: answer ?? '' })
              : await core.review.reject(input);
        if (!mounted.current) return;
        dispatch({ type: 'updated', conversation: result.conversation });
        const where = result.example ? ` → dataset ${result.example.dataset}` : '';
        const warnings = result.warnings.length > 0 ? ` (${result.warnings.join('; ')})` : '';
        dispatch({
          type: 'notice',
          text: `${pastTense[kind]} “${oneLine(conversation.question, 40)}”${where}${result.changed ? '' : ' (no change)'}${warnings}`,
        });
      } catch (error) {
        if (!mounted.current) return;
        dispatch({ type: 'failed', error: `${pastTense[kind]} failed: ${describeError(error)}` });
        void load();
      }
    },
    [core, reviewer, load],
  );

  const diagnose = useCallback(
    async (conversation: ConversationRecord) => {
      const failureKind = nextDiagnosis(conversation.failureKind);
      dispatch({ type: 'diagnosed', conversationId: conversation.id, failureKind });
      try {
        const result = await core.review.diagnose({
          conversationId: conversation.id,
          reviewer,
          failureKind,
        });
        if (mounted.current) dispatch({ type: 'updated', conversation: result.conversation });
      } catch (error) {
        if (mounted.current) dispatch({ type: 'failed', error: `Diagnosis failed: ${describeError(error)}` });
      }
    },
    [core, reviewer],
  );

  return { state, dispatch, act, diagnose, reload: load };
}
