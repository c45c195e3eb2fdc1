import { Box, Text } from 'ink';

export interface AnswerPaneProps {
  question: string | null;
  /** The answer, already wrapped to the pane's width. */
  lines: string[];
  scroll: number;
  height: number;
  asking: boolean;
  emptyKnowledge: boolean;
}

/** The question asked and the answer's lines that fit, from `scroll` on. */
export function AnswerPane({ question, lines, scroll, height, asking, emptyKnowledge }: AnswerPaneProps) {
  if (!question) {
    return (
      <Box flexDirection="column" height={height} paddingX={1}>
        <Text>Ask a question the way a user would in Slack or Discord, and press Enter.</Text>
        <Text dimColor>You will see the answer, the sources it cites and the route it took.</Text>
        <Text dimColor>Esc leaves the box: then tab or 1-8 switch screens and ? lists every key.</Text>
        {emptyKnowledge ? (
          <Box marginTop={1}>
            <Text color="yellow">
              The knowledge base is empty: press esc, then 6 (Knowledge) and i to ingest your docs.
            </Text>
          </Box>
        ) : null}
      </Box>
    );
  }
  const room = Math.max(1, height - 1);
  const shown = lines.slice(scroll, scroll + room);
  const more = lines.length - scroll - shown.length;
  return (
    <Box flexDirection="column" height={height} paddingX={1} overflow="hidden">
      <Text bold wrap="truncate-end">
        Q: {question}
      </Text>
      {shown.length === 0 || (shown.length === 1 && !shown[0]) ? (
        <Text dimColor>{asking ? 'Thinking…' : '(no answer)'}</Text>
      ) : (
        shown.map((line, index) => (
          <Text key={scroll + index}>
            {index === shown.length - 1 && more > 0 ? `${line}  ↓ ${more} more` : line || ' '}
          </Text>
        ))
      )}
    </Box>
  );
}
