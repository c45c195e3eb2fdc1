import { Box, Text } from 'ink';
import type { EvaluationSummary, ModelRecord, ModelStatus } from '../../../../core/index.ts';
import { fit, shortModelName } from '../../../format/figures.ts';
import { visibleWindow } from '../../../state/list-cursor.ts';

export interface ModelListProps {
  models: ModelRecord[];
  evaluations: Record<string, EvaluationSummary | null>;
  cursor: number;
  height: number;
  width: number;
}

const marks: Record<ModelStatus, { mark: string; color: string }> = {
  active: { mark: '●', color: 'green' },
  candidate: { mark: '○', color: 'cyan' },
  retired: { mark: '·', color: 'gray' },
  failed: { mark: '✗', color: 'red' },
};

/** The registry, newest first: status, name, and the win rate of the latest evaluation. */
export function ModelList({ models, evaluations, cursor, height, width }: ModelListProps) {
  if (models.length === 0) {
    return (
      <Box flexDirection="column" width={width} height={height} flexShrink={0}>
        <Text dimColor>No fine-tuned model yet.</Text>
        <Text dimColor>A job that succeeds on the Training screen (4) registers its model here.</Text>
      </Box>
    );
  }
  const { start, end } = visibleWindow(cursor, models.length, height);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {models.slice(start, end).map((model, offset) => {
        const evaluation = evaluations[model.name];
        const rate = evaluation ? ` ${Math.round(evaluation.winRate * 100)}%` : '';
        return (
          <Box key={model.name} height={1}>
            <Text color={marks[model.status].color}>{marks[model.status].mark}</Text>
            <Text inverse={start + offset === cursor}>{` ${fit(`${shortModelName(model.name)}${rate}`, width - 3)}`}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
