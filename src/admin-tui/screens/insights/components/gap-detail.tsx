import { Box, Text } from 'ink';
import type { KnowledgeGap } from '../../../../core/index.ts';
import { oneLine, when } from '../../../format/figures.ts';

export interface GapDetailProps {
  gap: KnowledgeGap;
  height: number;
  width: number;
}

const reasonNames = {
  refused: 'refused',
  low_confidence: 'low confidence',
  not_helpful: 'not helpful',
  corrected: 'corrected',
} as const;

/** One gap: who asked what and where, what the documentation nearly says, the verified answers already given. */
export function GapDetail({ gap, height, width }: GapDetailProps) {
  const reasons = Object.entries(gap.reasons)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reasonNames[reason as keyof typeof reasonNames]}`)
    .join(', ');
  const line = (text: string) => oneLine(text, width);
  // The questions take what the passages and verified answers leave.
  const fixed =
    4 + (gap.nearest.length > 0 ? gap.nearest.length + 1 : 0) + (gap.verifiedAnswers.length > 0 ? 2 : 0);
  const questionLines = Math.max(1, height - fixed);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        {gap.title}
      </Text>
      <Text dimColor wrap="truncate-end">
        {line(
          `${gap.id} · asked ${gap.count}× by ${gap.askers} · ${when(gap.firstSeen)} – ${when(gap.lastSeen)} · ${reasons}`,
        )}
      </Text>
      <Text dimColor>Asked:</Text>
      {gap.questions.slice(0, questionLines).map((question) => (
        <Text key={question.conversationId} wrap="truncate-end">
          {line(
            `  ${question.platform}${question.channel ? ` ${question.channel}` : ''}: ${question.question}`,
          )}
        </Text>
      ))}
      {gap.nearest.length > 0 ? <Text dimColor>Nearest in the docs:</Text> : null}
      {gap.nearest.map((passage) => (
        <Text key={`${passage.docId}-${passage.score}`} wrap="truncate-end">
          {line(`  ${[passage.title, ...passage.headingPath.slice(1)].join(' › ')} (${passage.source})`)}
        </Text>
      ))}
      {gap.verifiedAnswers.length > 0 ? (
        <Text color="green" wrap="truncate-end">
          {line(
            `Verified: ${gap.verifiedAnswers.map((answer) => `${answer.id} ${answer.answer}`).join(' · ')}`,
          )}
        </Text>
      ) : null}
    </Box>
  );
}
