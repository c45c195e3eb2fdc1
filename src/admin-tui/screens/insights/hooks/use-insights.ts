import { useCallback, useState } from 'react';
import type { Core, DocsProposal, GapReport, KnowledgeGap } from '../../../../core/index.ts';
import { describeError } from '../../../format/figures.ts';
import { usePolling, useTask } from '../../../hooks/use-task.ts';
import { useMountedRef } from '../../../hooks/use-mounted.ts';

/** Gaps are grouped again (their questions embedded) on each load: once a minute is plenty. */
export const insightsRefreshMs = 60_000;
const listedGaps = 50;

/** What a proposal did, in one line for the status line. */
export function describeProposal(proposal: DocsProposal): string {
  if (proposal.kind === 'patch') return `Patch written for ${proposal.source}: ${proposal.patchFile}`;
  return `Pushed ${proposal.branch} to ${proposal.source}${proposal.requestUrl ? `: ${proposal.requestUrl}` : ' (no token: open the pull request from the branch)'}`;
}

/** The gaps (loaded while visible), a cursor, and the two actions on a gap: publish a verified answer, propose docs. */
export function useInsights(core: Core, reviewer: string, visible: boolean) {
  const [report, setReport] = useState<GapReport | null>(null);
  const [cursor, setCursor] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const task = useTask<string>();
  const mounted = useMountedRef();

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const next = await core.insights.gaps({ limit: listedGaps });
      if (!mounted.current) return;
      setReport(next);
      setCursor((previous) => Math.min(previous, Math.max(0, next.gaps.length - 1)));
      setError(null);
    } catch (failure) {
      if (mounted.current) setError(describeError(failure));
    } finally {
      if (mounted.current) setLoading(false);
    }
  }, [core]);
  usePolling(load, insightsRefreshMs, visible);

  const propose = useCallback(
    async (gap: KnowledgeGap) => {
      setNotice(null);
      const done = await task.run(`Proposing a page for “${gap.title}”…`, async () =>
        describeProposal(await core.insights.proposeDocChange({ gap: gap.id, by: reviewer })),
      );
      if (done && mounted.current) setNotice(done);
    },
    [core, reviewer, task],
  );

  /** Publishes the first of the gap's questions an operator approved or corrected as a verified answer. */
  const publish = useCallback(
    async (gap: KnowledgeGap) => {
      setNotice(null);
      const done = await task.run(`Publishing a verified answer for “${gap.title}”…`, async () => {
        for (const question of gap.questions) {
          const record = await core.getConversation(question.conversationId);
          if (record?.reviewStatus !== 'approved' && record?.reviewStatus !== 'corrected') continue;
          const result = await core.verified.publish({ conversationId: record.id, reviewer });
          return `Published verified answer ${result.verified.id}: the next person asking gets it.`;
        }
        throw new Error(
          `None of its ${gap.count} questions is approved or corrected yet: correct one on Review (2), conversation ${gap.questions[0]?.conversationId ?? '-'}, then press v again.`,
        );
      });
      if (done && mounted.current) {
        setNotice(done);
        await load();
      }
    },
    [core, reviewer, task, load],
  );

  return {
    report,
    cursor,
    setCursor,
    error: task.error ?? error,
    notice,
    loading,
    task,
    refresh: load,
    propose,
    publish,
  };
}
