import { Box, Text } from 'ink';
import { type Command, keyBindings } from '../keys/key-bindings.ts';

export interface KeyFooterProps {
  hints: readonly Command[];
  typing: boolean;
  helpOpen: boolean;
  columns: number;
}

/** The bottom line: the keys that work here and now, then the few that work everywhere. */
export function KeyFooter({ hints, typing, helpOpen, columns }: KeyFooterProps) {
  const everywhere = helpOpen ? 'esc/? close help' : typing ? 'tab screens · C-c quit' : 'tab/1-7 screens · ? help · q quit';
  const local = helpOpen ? [] : hints.map((command) => `${keyBindings[command].keys} ${keyBindings[command].label}`);
  return (
    <Box width={columns} height={1} overflow="hidden">
      <Text wrap="truncate-end">
        {local.length > 0 ? <Text color="cyan">{local.join(' · ')}</Text> : null}
        {local.length > 0 ? <Text dimColor>{' │ '}</Text> : null}
        <Text dimColor>{everywhere}</Text>
      </Text>
    </Box>
  );
}
