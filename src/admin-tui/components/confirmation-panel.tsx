import { Box, Text } from 'ink';

export interface ConfirmationPanelProps {
  title: string;
  facts: ReadonlyArray<readonly [string, string]>;
  /** A caution shown in yellow, e.g. that the model lost its evaluation. */
  warning?: string | null;
  width: number;
}

/** A boxed question with the facts the operator decides on, answered with y or n. */
export function ConfirmationPanel({ title, facts, warning, width }: ConfirmationPanelProps) {
  const labelWidth = Math.max(...facts.map(([label]) => label.length), 4) + 2;
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor="yellow"
      paddingX={1}
      width={Math.min(width, 76)}
    >
      <Text bold>{title}</Text>
      {facts.map(([label, value]) => (
        <Box key={label}>
          <Box width={labelWidth} flexShrink={0}>
            <Text dimColor>{label}</Text>
          </Box>
          <Text>{value}</Text>
        </Box>
      ))}
      {warning ? <Text color="yellow">{warning}</Text> : null}
      <Text>
        <Text color="cyan">y</Text> confirm · <Text color="cyan">n</Text>/<Text color="cyan">esc</Text> cancel
      </Text>
    </Box>
  );
}
