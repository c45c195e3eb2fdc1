import { Box, Text } from 'ink';
import type { ConversationRecord, ReviewStatus } from '../../../../core/index.ts';
import { fit } from '../../../format/figures.ts';
import { visibleWindow } from '../../../state/list-cursor.ts';

export interface QueueListProps {
  items: ConversationRecord[];
  cursor: number;
  height: number;
  width: number;
}

const statusMarks: Record<ReviewStatus, { mark: string; color?: string }> = {
  new: { mark: '•', color: 'cyan' },
  approved: { mark: '✓', color: 'green' },
  corrected: { mark: '✎', color: 'green' },
  rejected: { mark: '✗', color: 'gray' },
};

function feedbackMark(item: ConversationRecord): { mark: string; color?: string } {
  if (item.feedback?.helpful === false) return { mark: '−', color: 'red' };
  if (item.feedback?.helpful === true) return { mark: '+', color: 'green' };
  return { mark: ' ' };
}

/** The queue: review status, feedback, question; the selected row inverse. */
export function QueueList({ items, cursor, height, width }: QueueListProps) {
  if (items.length === 0) {
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text dimColor>Nothing to review here.</Text>
        <Text dimColor>f and s change the filters.</Text>
      </Box>
    );
  }
  const { start, end } = visibleWindow(cursor, items.length, height);
  return (
    <Box width={width} height={height} flexDirection="column" flexShrink={0}>
      {items.slice(start, end).map((item, offset) => {
        const index = start + offset;
        const status = statusMarks[item.reviewStatus];
        const feedback = feedbackMark(item);
        const selected = index === cursor;
        return (
          <Box key={item.id} height={1}>
            <Text color={status.color}>{status.mark}</Text>
            <Text color={feedback.color}>{feedback.mark}</Text>
            <Text inverse={selected} dimColor={item.reviewStatus === 'rejected' && !selected}>
              {` ${fit(item.question, width - 4)}`}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
