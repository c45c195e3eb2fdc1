import { Box, Text } from 'ink';
import type { KnowledgeGap } from '../../../../core/index.ts';
import { bar } from '../../../format/charts.ts';
import { oneLine } from '../../../format/figures.ts';
import { visibleWindow } from '../../../state/list-cursor.ts';

export interface GapListProps {
  gaps: readonly KnowledgeGap[];
  cursor: number;
  height: number;
  width: number;
}

/** The gaps as ranked, one line each: how many asked, a bar of it against the largest gap, and the title. */
export function GapList({ gaps, cursor, height, width }: GapListProps) {
  const maximum = Math.max(1, ...gaps.map((gap) => gap.count));
  const countWidth = String(maximum).length;
  const barWidth = Math.max(4, Math.min(12, Math.floor(width / 6)));
  const { start, end } = visibleWindow(cursor, gaps.length, height);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {gaps.slice(start, end).map((gap, offset) => {
        const index = start + offset;
        const selected = index === cursor;
        const title = oneLine(gap.title, Math.max(5, width - countWidth - barWidth - 5));
        return (
          <Box key={gap.id} height={1}>
            <Text color={selected ? 'cyan' : undefined} bold={selected}>
              {selected ? '› ' : '  '}
              {String(gap.count).padStart(countWidth)}{' '}
            </Text>
            <Text color="magenta">{bar(gap.count, maximum, barWidth).padEnd(barWidth)}</Text>
            <Text color={selected ? 'cyan' : undefined} bold={selected}>
              {` ${title}`}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
