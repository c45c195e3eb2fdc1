import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { oneLine } from '../format/figures.ts';

export interface StatusLineProps {
  busy?: string | null;
  error?: string | null;
  notice?: string | null;
  width: number;
}

/** Under a screen: a spinner while work runs, else the last error (red) or notice (green), on up to two lines. */
export function StatusLine({ busy, error, notice, width }: StatusLineProps) {
  if (busy) {
    return (
      <Box height={1}>
        <Text color="yellow">
          <Spinner type="dots" />
        </Text>
        <Text>{` ${oneLine(busy, width - 3)}`}</Text>
      </Box>
    );
  }
  if (error) {
    // Errors say what to do, so they get two lines when they need them; the screen above gives up a line.
    return (
      <Box minHeight={1} flexShrink={0} width={width}>
        <Text color="red">{`✗ ${oneLine(error, width * 2 - 16)}`}</Text>
      </Box>
    );
  }
  if (notice) {
    return (
      <Box minHeight={1} flexShrink={0} width={width}>
        <Text color="green">{`✓ ${oneLine(notice, width * 2 - 16)}`}</Text>
      </Box>
    );
  }
  return <Box height={1} />;
}
