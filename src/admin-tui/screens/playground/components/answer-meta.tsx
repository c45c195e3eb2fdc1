import { Box, Text } from 'ink';
import type { AskResult } from '../../../../core/index.ts';
import { milliseconds } from '../../../format/figures.ts';

export interface AnswerMetaProps {
  result: AskResult;
  feedback: 'helpful' | 'not_helpful' | null;
}

const routeColors: Record<AskResult['route'], string> = {
  retrieve: 'green',
  direct: 'cyan',
  help: 'cyan',
  refused: 'yellow',
};

/** Route, model, confidence and latency of the answer, and the feedback recorded for it. */
export function AnswerMeta({ result, feedback }: AnswerMetaProps) {
  const model = result.extractive ? 'extractive' : result.model;
  return (
    <Box paddingX={1} height={1}>
      <Text wrap="truncate-end">
        <Text>route </Text>
        <Text color={routeColors[result.route]} bold>
          {result.route}
        </Text>
        <Text
          dimColor
        >{` · ${model} · confidence ${result.confidence.toFixed(2)} · ${milliseconds(result.latencyMs)}`}</Text>
        {feedback ? (
          <Text
            color={feedback === 'helpful' ? 'green' : 'yellow'}
          >{` · marked ${feedback === 'helpful' ? 'helpful' : 'not helpful'}`}</Text>
        ) : null}
        {result.notice ? <Text color="yellow">{` · ${result.notice}`}</Text> : null}
      </Text>
    </Box>
  );
}
