import { Box, Text } from 'ink';
import type { VerifiedAnswerRecord } from '../../../../core/index.ts';
import { fit } from '../../../format/figures.ts';
import { visibleWindow } from '../../../state/list-cursor.ts';

export interface VerifiedAnswerListProps {
  items: VerifiedAnswerRecord[];
  cursor: number;
  height: number;
  width: number;
}

/** The verified answers: ✓ in use, ! stale (withdrawn until re-approved); the selected row inverse. */
export function VerifiedAnswerList({ items, cursor, height, width }: VerifiedAnswerListProps) {
  if (items.length === 0) {
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text dimColor>No verified answers yet.</Text>
        <Text dimColor>In the queue, v publishes an approved or corrected answer.</Text>
      </Box>
    );
  }
  const { start, end } = visibleWindow(cursor, items.length, height);
  return (
    <Box width={width} height={height} flexDirection="column" flexShrink={0}>
      {items.slice(start, end).map((item, offset) => {
        const selected = start + offset === cursor;
        return (
          <Box key={item.id} height={1}>
            <Text color={item.stale ? 'yellow' : 'green'}>{item.stale ? '!' : '✓'}</Text>
            <Text inverse={selected}>{` ${fit(item.question, width - 3)}`}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
