import { Box, Text } from 'ink';
import { StatusLine } from '../../components/status-line.tsx';
import { Command, matches } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { OverviewFiguresList } from './components/overview-figures.tsx';
import { QuestionsChart } from './components/questions-chart.tsx';
import { ResolutionChart } from './components/resolution-chart.tsx';
import { useOverview } from './hooks/use-overview.ts';

/** The figures an operator checks first: knowledge, questions, feedback, latency, model, store, training. */
export function OverviewScreen() {
  const { core, size, visible } = useScreenFrame();
  const { figures, resolution, error, loading, refresh } = useOverview(core, visible);
  useScreenKeys({
    keyMap: screenKeyMaps.overview,
    onKey: (input, key) => {
      if (matches(Command.Refresh, input, key)) void refresh();
    },
  });
  const wide = size.columns >= 100;
  // Below the figures on a narrow terminal only when it is tall enough for both charts.
  const showResolution = resolution !== null && (wide || size.rows >= 34);
  const chartWidth = wide ? Math.floor(size.columns * 0.4) : size.columns;
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      {figures ? (
        <Box flexDirection={wide ? 'row' : 'column'} flexGrow={1}>
          <Box flexDirection="column" width={wide ? Math.floor(size.columns * 0.6) : size.columns}>
            <OverviewFiguresList
              figures={figures}
              width={wide ? Math.floor(size.columns * 0.6) : size.columns}
            />
          </Box>
          <Box flexDirection="column" marginTop={wide ? 0 : 1}>
            <Text bold>Questions per day</Text>
            <QuestionsChart perDay={figures.questions.perDay} width={chartWidth} />
            {showResolution ? (
              <Box flexDirection="column" marginTop={1}>
                <Text bold>Resolved without a person, per week</Text>
                <ResolutionChart weeks={resolution.weeks} width={chartWidth} />
              </Box>
            ) : null}
          </Box>
        </Box>
      ) : (
        <Box flexGrow={1}>{error ? null : <Text dimColor>Reading the store…</Text>}</Box>
      )}
      <StatusLine
        busy={loading && !figures ? 'Loading the figures…' : null}
        error={error}
        width={size.columns}
      />
    </Box>
  );
}
