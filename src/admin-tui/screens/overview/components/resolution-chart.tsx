import { Box, Text } from 'ink';
import type { ResolutionReport } from '../../../../core/index.ts';
import { bar } from '../../../format/charts.ts';
import { percent } from '../../../format/figures.ts';

export interface ResolutionChartProps {
  weeks: ResolutionReport['weeks'];
  width: number;
}

/**
 * One line per week, oldest first: a bar of the questions resolved without a person (green) beside those a
 * person took up or that failed (dim), scaled to the busiest week, then the share.
 */
export function ResolutionChart({ weeks, width }: ResolutionChartProps) {
  const maximum = Math.max(1, ...weeks.map((week) => week.questions));
  const barWidth = Math.max(5, width - 22);
  return (
    <Box flexDirection="column">
      {weeks.map((week) => {
        const resolved = bar(week.resolvedWithoutPerson, maximum, barWidth);
        const rest = bar(week.questions, maximum, barWidth).slice(resolved.length);
        return (
          <Box key={week.week} height={1}>
            <Text dimColor>{`${week.week.slice(5)} `}</Text>
            <Text color="green">{resolved}</Text>
            <Text dimColor>{rest.replace(/█/g, '░')}</Text>
            <Text>{` ${percent(week.resolvedShare)} of ${week.questions}`}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
