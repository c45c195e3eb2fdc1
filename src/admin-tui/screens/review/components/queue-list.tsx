import { Box, Text } from 'ink';
import {
  type ConversationOutcome,
  type ConversationRecord,
  conversationOutcome,
  type ReviewStatus,
} from '../../../../core/index.ts';
import { fit } from '../../../format/figures.ts';
import { keyBindings } from '../../../keys/key-bindings.ts';
import { visibleWindow } from '../../../state/list-cursor.ts';
import type { FeedbackFilter, OutcomeFilter } from '../../../state/review-queue.ts';

export interface QueueListProps {
  items: ConversationRecord[];
  cursor: number;
  height: number;
  width: number;
  /** The filters in force, for the message of an empty queue. */
  feedback: FeedbackFilter;
  outcome: OutcomeFilter;
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

/** What the bot did with the question: nothing shown for an answer. */
const outcomeMarks: Record<ConversationOutcome, { mark: string; color?: string; dim?: boolean }> = {
  answered: { mark: ' ' },
  refused: { mark: '∅', color: 'yellow' },
  silent: { mark: '◌', dim: true },
};

/** The columns before the question: the status, feedback and outcome marks and a space. */
const markColumns = 4;

/** Room for the question: the row stops a column short of the list's width, so it never wraps. */
function questionWidth(width: number): number {
  return width - markColumns - 1;
}

const emptyTitles: Record<OutcomeFilter, string> = {
  all: 'Nothing to review here.',
  answered: 'No answers here.',
  refused: 'No refused questions here.',
  silent: 'No silent questions here.',
};

const {
  cycleFeedbackFilter: feedbackKey,
  cycleStatusFilter: statusKey,
  cycleOutcomeFilter: outcomeKey,
} = keyBindings;

/** Why the queue may be empty and which keys widen it. */
function emptyMessage(feedback: FeedbackFilter, outcome: OutcomeFilter): string[] {
  const lines = [emptyTitles[outcome]];
  // Nobody asked the bot a silent question, so nobody rated its answer.
  if (outcome === 'silent' && feedback !== 'none')
    lines.push(`Silent questions are never rated: press ${feedbackKey.keys} for not rated.`);
  lines.push(`${feedbackKey.keys}, ${statusKey.keys} and ${outcomeKey.keys} change the filters.`);
  return lines;
}

/** The queue: review status, feedback, what the bot did, question; the selected row inverse. */
export function QueueList({ items, cursor, height, width, feedback, outcome }: QueueListProps) {
  if (items.length === 0) {
    return (
      <Box width={width} height={height} flexDirection="column">
        {emptyMessage(feedback, outcome).map((line) => (
          <Text key={line} dimColor>
            {line}
          </Text>
        ))}
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
        const outcome = outcomeMarks[conversationOutcome(item)];
        const selected = index === cursor;
        return (
          <Box key={item.id} height={1}>
            <Text color={status.color}>{status.mark}</Text>
            <Text color={feedback.color}>{feedback.mark}</Text>
            <Text color={outcome.color} dimColor={outcome.dim}>
              {outcome.mark}
            </Text>
            <Text inverse={selected} dimColor={item.reviewStatus === 'rejected' && !selected}>
              {` ${fit(item.question, questionWidth(width))}`}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
