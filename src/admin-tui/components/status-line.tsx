import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { oneLine } from '../format/figures.ts';

export interface StatusLineProps {
  busy?: string | null;
  error?: string | null;
  notice?: string | null;
  width: number;
}

/** One line under a screen: a spinner while work runs, else the last error (red) or notice (green). */
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
    return (
      <Box height={1}>
        <Text color="red">{`✗ ${oneLine(error, width - 2)}`}</Text>
      </Box>
    );
  }
  if (notice) {
    return (
      <Box height={1}>
        <Text color="green">{`✓ ${oneLine(notice, width - 2)}`}</Text>
      </Box>
    );
  }
  return <Box height={1} />;
}
