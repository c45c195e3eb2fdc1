import { Box, Text } from 'ink';
import type { OverviewFigures } from '../../../../core/index.ts';
import { milliseconds, percent, tail, thousands, when } from '../../../format/figures.ts';

export interface OverviewFiguresProps {
  figures: OverviewFigures;
  width: number;
}

function Figure({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Box height={1}>
      <Box width={14} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Text wrap="truncate-end">{children}</Text>
    </Box>
  );
}

/** The numbers an operator checks first, one per line. */
export function OverviewFiguresList({ figures, width }: OverviewFiguresProps) {
  const { feedback, refusals, latency, store, trainingJob } = figures;
  const storeText = `${store.kind}: ${tail(store.status, Math.max(10, width - 20))}`;
  return (
    <Box flexDirection="column">
      <Figure label="Knowledge">{`${thousands(figures.knowledge.documents)} documents · ${thousands(figures.knowledge.chunks)} passages`}</Figure>
      <Figure label="Store">
        <Text color={store.ok ? 'green' : 'red'}>{store.ok ? '● ' : '✗ '}</Text>
        {storeText}
      </Figure>
      <Figure label="Questions">{`${thousands(figures.questions.today)} today · ${thousands(figures.questions.lastSevenDays)} in 7 days`}</Figure>
      <Figure label="Feedback">
        <Text color="green">{`${feedback.helpful} helpful`}</Text>
        {' · '}
        <Text
          color={feedback.notHelpful > 0 ? 'yellow' : undefined}
        >{`${feedback.notHelpful} not helpful`}</Text>
        {` · ${percent(feedback.helpfulShare)} helpful`}
      </Figure>
      <Figure label="Refusals">
        {`${refusals.refused} · ${percent(refusals.rate, 1)} of questions`}
        {refusals.silent > 0 ? <Text dimColor>{` · ${refusals.silent} unasked left to people`}</Text> : null}
      </Figure>
      <Figure label="Latency">{`p50 ${milliseconds(latency.p50Ms)} · p95 ${milliseconds(latency.p95Ms)}${latency.sampled > 0 ? ` (${latency.sampled} answers)` : ''}`}</Figure>
      <Figure label="Active model">
        <Text bold>
          {figures.answerMode === 'offline'
            ? 'extractive (offline)'
            : figures.answerMode === 'local'
              ? 'local model'
              : figures.activeModel}
        </Text>
        <Text dimColor>
          {figures.answerMode === 'offline'
            ? ' · answering.mode local or OPENAI_API_KEY for model answers'
            : ''}
        </Text>
      </Figure>
      <Figure label="Training">
        {trainingJob ? (
          <Text color="yellow">
            {`${trainingJob.id} ${trainingJob.status} · ${trainingJob.datasetVersion} on ${trainingJob.baseModel}`}
            {trainingJob.step !== null ? ` · step ${trainingJob.step}` : ''}
            {trainingJob.trainLoss !== null ? ` · loss ${trainingJob.trainLoss.toFixed(3)}` : ''}
          </Text>
        ) : (
          <Text dimColor>no job in flight</Text>
        )}
      </Figure>
      <Figure label="To review">
        {figures.awaitingReview > 0 ? (
          <Text color="yellow">{`${figures.awaitingReview} not-helpful conversation${figures.awaitingReview === 1 ? '' : 's'} waiting · press 2`}</Text>
        ) : (
          <Text dimColor>nothing waiting</Text>
        )}
      </Figure>
      <Text dimColor>{`updated ${when(figures.generatedAt)}`}</Text>
    </Box>
  );
}
