import { Box, Text } from 'ink';
import { type Command, keyBindings } from '../keys/key-bindings.ts';

export interface KeyFooterProps {
  hints: readonly Command[];
  typing: boolean;
  helpOpen: boolean;
  columns: number;
}

/**
 * The bottom line: the keys that work here and now on the left (cut when the terminal is narrow), and on the right
 * the few that work everywhere, which are never cut.
 */
export function KeyFooter({ hints, typing, helpOpen, columns }: KeyFooterProps) {
  const everywhere = helpOpen
    ? 'esc/? close help'
    : typing
      ? 'tab screens · C-c quit'
      : '1-8/tab screens · ? help · q quit';
  const local = helpOpen
    ? ''
    : hints.map((command) => `${keyBindings[command].keys} ${keyBindings[command].label}`).join(' · ');
  const room = Math.max(0, columns - everywhere.length - 3);
  return (
    <Box width={columns} height={1}>
      <Box width={room} overflow="hidden">
        <Text color="cyan" wrap="truncate-end">
          {local}
        </Text>
      </Box>
      <Text dimColor>{` │ ${everywhere}`}</Text>
    </Box>
  );
}
