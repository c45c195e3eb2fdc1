import { Box, Text } from 'ink';
import { oneLine } from '../format/figures.ts';

export interface ProgressBarProps {
  done: number;
  total: number;
  label: string;
  width: number;
}

/** `[#####.....]  42 %  embed 12/30 docs/guide.md` in one line. */
export function ProgressBar({ done, total, label, width }: ProgressBarProps) {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const barWidth = Math.max(10, Math.min(30, Math.floor(width / 3)));
  const filled = Math.round(share * barWidth);
  const percentText = `${String(Math.floor(share * 100)).padStart(3)} %`;
  return (
    <Box height={1}>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      <Text>{` ${percentText} ${oneLine(label, Math.max(0, width - barWidth - 8))}`}</Text>
    </Box>
  );
}
