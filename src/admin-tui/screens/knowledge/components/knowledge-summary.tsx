import { Box, Text } from 'ink';
import { tail, thousands } from '../../../format/figures.ts';
import type { KnowledgeSummary as Summary } from '../hooks/use-knowledge.ts';

export interface KnowledgeSummaryProps {
  summary: Summary | null;
  width: number;
}

/** One line: how many documents and passages, and where they are stored. */
export function KnowledgeSummary({ summary, width }: KnowledgeSummaryProps) {
  if (!summary) return <Text dimColor>Reading the knowledge base…</Text>;
  const store = summary.health
    ? `${summary.health.kind} store: ${summary.health.status}`
    : 'store status unknown';
  return (
    <Box height={1}>
      <Text bold>{`${thousands(summary.documents)} documents · ${thousands(summary.chunks)} passages`}</Text>
      <Text color={summary.health?.ok === false ? 'red' : undefined} dimColor={summary.health?.ok !== false}>
        {`  ${tail(store, Math.max(10, width - 40))}`}
      </Text>
    </Box>
  );
}
