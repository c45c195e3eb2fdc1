import { Box, Text } from 'ink';
import { bar } from '../../../format/charts.ts';

export interface QuestionsChartProps {
  perDay: Array<{ date: string; count: number }>;
  width: number;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function dayLabel(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return `${weekdays[new Date(year, month - 1, day).getDay()]} ${date.slice(5)}`;
}

/** Questions per day for the last seven days, one bar per day, today last. */
export function QuestionsChart({ perDay, width }: QuestionsChartProps) {
  const maximum = Math.max(1, ...perDay.map((day) => day.count));
  const barWidth = Math.max(5, width - 18);
  return (
    <Box flexDirection="column">
      {perDay.map((day, index) => (
        <Box key={day.date} height={1}>
          <Text dimColor={index !== perDay.length - 1}>{`${dayLabel(day.date)} `}</Text>
          <Text color="cyan">{bar(day.count, maximum, barWidth)}</Text>
          <Text>{` ${day.count}`}</Text>
        </Box>
      ))}
    </Box>
  );
}
