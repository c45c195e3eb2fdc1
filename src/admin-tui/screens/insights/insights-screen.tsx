import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { hideUrlCredentials } from '../../../core/index.ts';
import { ConfirmationPanel } from '../../components/confirmation-panel.tsx';
import { StatusLine } from '../../components/status-line.tsx';
import { when } from '../../format/figures.ts';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { cursorAfterKey } from '../../state/list-cursor.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { GapDetail } from './components/gap-detail.tsx';
import { GapList } from './components/gap-list.tsx';
import { useInsights } from './hooks/use-insights.ts';

const { insightsBrowsing: browseKeys, insightsConfirm: confirmKeys } = screenKeyMaps;

/** Where a proposal would go: the first git source, else the first folder (as `answerloop docs propose`). */
function proposalTarget(sources: ReadonlyArray<{ name: string; location: string }>): string {
  const git = sources.find((source) => source.location.startsWith('git+'));
  const folder = sources.find((source) => !/^(git\+|https?:\/\/)/.test(source.location));
  if (git) return `${git.name}: a new branch answerloop/… pushed to ${hideUrlCredentials(git.location)}`;
  if (folder) return `${folder.name}: a patch file in the data folder`;
  return 'no git or folder source in knowledge.sources';
}

/** Knowledge gaps: what users asked that the documentation did not answer, ranked, with the keys to close them. */
export function InsightsScreen() {
  const { core, reviewer, size, visible, setBusy } = useScreenFrame();
  const insights = useInsights(core, reviewer, visible);
  const { report, cursor, setCursor, task } = insights;
  const [confirming, setConfirming] = useState(false);
  const gaps = report?.gaps ?? [];
  const gap = gaps[cursor];
  const wide = size.columns >= 100;
  const bodyHeight = size.rows - 2;
  const listWidth = wide ? Math.floor(size.columns * 0.45) : size.columns;
  const listHeight = wide ? bodyHeight : Math.max(3, Math.min(gaps.length, Math.floor(bodyHeight * 0.4)));
  const detailWidth = wide ? size.columns - listWidth - 2 : size.columns;
  const detailHeight = wide ? bodyHeight : bodyHeight - listHeight - 1;

  useEffect(() => {
    setBusy(task.running !== null);
  }, [task.running, setBusy]);

  useScreenKeys({
    keyMap: confirming ? confirmKeys : browseKeys,
    onKey: (input, key) => {
      if (confirming) {
        const command = firstMatch(confirmKeys.commands, input, key);
        if (command === Command.Confirm && gap) void insights.propose(gap);
        if (command) setConfirming(false);
        return;
      }
      if (task.running) return;
      const moved = cursorAfterKey(cursor, gaps.length, listHeight - 1, input, key);
      if (moved !== undefined) {
        setCursor(moved);
        return;
      }
      switch (firstMatch(browseKeys.commands, input, key)) {
        case Command.ProposeDocs:
          if (gap) setConfirming(true);
          return;
        case Command.PublishVerified:
          if (gap) void insights.publish(gap);
          return;
        case Command.Refresh:
          void insights.refresh();
          return;
      }
    },
  });

  const header = report
    ? `${gaps.length} gaps from ${report.questionsConsidered} questions the docs did not answer well, since ${when(report.since)}`
    : 'Grouping the questions the documentation did not answer…';
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Text dimColor wrap="truncate-end">
        {header}
      </Text>
      {confirming && gap ? (
        <Box height={bodyHeight}>
          <ConfirmationPanel
            title="Propose a documentation page for this gap?"
            facts={[
              ['Gap', gap.title],
              ['Asked', `${gap.count} times by ${gap.askers} people`],
              [
                'Draft',
                gap.verifiedAnswers.length > 0
                  ? 'its verified answer'
                  : 'the question, for the docs team to answer',
              ],
              ['Goes to', proposalTarget(core.config.knowledge.sources)],
            ]}
            width={size.columns}
          />
        </Box>
      ) : report && gaps.length === 0 ? (
        <Box height={bodyHeight}>
          <Text>
            No gaps: every question of the window was answered with confidence and nobody marked it unhelpful.
          </Text>
        </Box>
      ) : (
        <Box flexDirection={wide ? 'row' : 'column'} height={bodyHeight} overflow="hidden">
          <GapList gaps={gaps} cursor={cursor} height={listHeight} width={listWidth} />
          <Box width={wide ? 2 : 0} height={wide ? 0 : 1} />
          {gap ? <GapDetail gap={gap} height={detailHeight} width={detailWidth} /> : null}
        </Box>
      )}
      <StatusLine
        busy={task.running ?? (insights.loading && !report ? 'Grouping questions by meaning…' : null)}
        error={insights.error}
        notice={insights.notice}
        width={size.columns}
      />
    </Box>
  );
}
