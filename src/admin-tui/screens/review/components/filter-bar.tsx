import { Box, Text } from 'ink';
import type { FeedbackFilter, OutcomeFilter, StatusFilter } from '../../../state/review-queue.ts';

export interface FilterBarProps {
  feedback: FeedbackFilter;
  status: StatusFilter;
  /** Shown once it constrains the queue: 'all' is every conversation. */
  outcome: OutcomeFilter;
  text: string;
  page: number;
  pages: number;
  total: number;
  shown: number;
}

const feedbackNames: Record<FeedbackFilter, string> = {
  any: 'rated',
  not_helpful: 'not helpful',
  none: 'not rated',
  helpful: 'helpful',
};

/** The filters in force and where in the queue we are. */
export function FilterBar({ feedback, status, outcome, text, page, pages, total, shown }: FilterBarProps) {
  return (
    <Box height={1}>
      <Text wrap="truncate-end">
        <Text dimColor>feedback </Text>
        <Text color="cyan">{feedbackNames[feedback]}</Text>
        <Text dimColor> · status </Text>
        <Text color="cyan">{status}</Text>
        {outcome !== 'all' ? (
          <>
            <Text dimColor> · outcome </Text>
            <Text color="cyan">{outcome}</Text>
          </>
        ) : null}
        {text ? (
          <>
            <Text dimColor> · words </Text>
            <Text color="cyan">{text}</Text>
          </>
        ) : null}
        <Text
          dimColor
        >{` · ${text ? `${shown} of ` : ''}${total} conversation${total === 1 ? '' : 's'}${pages > 1 ? ` · page ${page}/${pages}` : ''}`}</Text>
      </Text>
    </Box>
  );
}
