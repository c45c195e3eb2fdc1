import { Box, Text } from 'ink';
import type { EvaluationResult, EvaluationSummary, ModelRecord } from '../../../../core/index.ts';
import { fit, oneLine, percent, score, shortModelName, when } from '../../../format/figures.ts';

export interface EvaluationTableProps {
  model: ModelRecord;
  active: string;
  evaluation: EvaluationSummary | null;
  /** The full result when it was run from this screen: its questions are listed too. */
  result: EvaluationResult | null;
  height: number;
  width: number;
}

const rows: Array<[string, 'similarity' | 'citationValidity' | 'refusalAccuracy' | 'judgeWins']> = [
  ['similarity', 'similarity'],
  ['valid citations', 'citationValidity'],
  ['right refusals', 'refusalAccuracy'],
  ['judge wins', 'judgeWins'],
];

/** Width of the row labels. */
const labelWidth = 17;

const winnerMarks = { candidate: '▲', baseline: '▼', tie: '=' } as const;

/** The model, and its latest evaluation: candidate and baseline side by side, then the questions when known. */
export function EvaluationTable({ model, active, evaluation, result, height, width }: EvaluationTableProps) {
  const columnWidth = Math.max(10, Math.floor((width - labelWidth) / 2));
  const header = (
    <>
      <Text bold wrap="truncate-end">
        {model.name}
      </Text>
      <Text dimColor wrap="truncate-end">
        {`${model.status}${model.name === active ? ' (answering now)' : ''} · from ${model.baseModel} · data ${model.datasetVersion ?? '—'} · job ${model.jobId ?? '—'}`}
      </Text>
    </>
  );
  if (!evaluation) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header}
        <Box marginTop={1}>
          <Text color="yellow">Not evaluated yet: e compares it with the active model on the held-out examples.</Text>
        </Box>
      </Box>
    );
  }
  const candidateScores = evaluation.scores[evaluation.candidate];
  const baselineScores = evaluation.scores[evaluation.baseline];
  const questionRows = result && result.candidate === model.name ? result.rows.slice(0, Math.max(0, height - 11)) : [];
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {header}
      <Text wrap="truncate-end">
        <Text bold color={evaluation.winRate >= 0.5 ? 'green' : 'red'}>{`win rate ${percent(evaluation.winRate)}`}</Text>
        <Text dimColor>{` on ${evaluation.examples} examples · ${when(evaluation.createdAt)}`}</Text>
      </Text>
      <Box>
        <Box width={labelWidth}>
          <Text> </Text>
        </Box>
        <Text bold>{fit('candidate', columnWidth)}</Text>
        <Text bold>{fit('baseline', columnWidth)}</Text>
      </Box>
      <Box>
        <Box width={labelWidth}>
          <Text dimColor>model</Text>
        </Box>
        <Text>{fit(shortModelName(evaluation.candidate), columnWidth - 1)} </Text>
        <Text>{fit(shortModelName(evaluation.baseline), columnWidth - 1)}</Text>
      </Box>
      {rows.map(([label, field]) => {
        const candidate = candidateScores?.[field];
        const baseline = baselineScores?.[field];
        const better = candidate !== undefined && baseline !== undefined && candidate > baseline;
        return (
          <Box key={field}>
            <Box width={labelWidth}>
              <Text dimColor>{label}</Text>
            </Box>
            <Text color={better ? 'green' : undefined}>{fit(field === 'judgeWins' ? String(candidate ?? '—') : score(candidate, 2), columnWidth)}</Text>
            <Text>{fit(field === 'judgeWins' ? String(baseline ?? '—') : score(baseline, 2), columnWidth)}</Text>
          </Box>
        );
      })}
      {questionRows.length > 0 ? <Text bold wrap="truncate-end">Questions: ▲ candidate better, ▼ baseline, = tie</Text> : null}
      {questionRows.map((row) => (
        <Text key={row.id} wrap="truncate-end">
          <Text color={row.winner === 'candidate' ? 'green' : row.winner === 'baseline' ? 'red' : undefined}>{winnerMarks[row.winner]}</Text>
          {` ${oneLine(row.question, width - 22)} `}
          <Text dimColor>{`${score(row.candidate.similarity, 2)} vs ${score(row.baseline.similarity, 2)}`}</Text>
        </Text>
      ))}
    </Box>
  );
}
