import { Box, Text } from 'ink';
import type { TrainingJobRecord } from '../../../../core/index.ts';
import { downsample, sparkline } from '../../../format/charts.ts';
import { oneLine, when } from '../../../format/figures.ts';
import { statusColors } from './job-list.tsx';

export interface JobDetailProps {
  job: TrainingJobRecord;
  height: number;
  width: number;
}

function lossLine(label: string, values: number[], width: number) {
  if (values.length === 0) return null;
  const chart = sparkline(downsample(values, Math.max(8, width - 30)));
  return (
    <Box height={1}>
      <Box width={7} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Text color="cyan">{chart}</Text>
      <Text>{` ${values[0]!.toFixed(3)} → ${values.at(-1)!.toFixed(3)}`}</Text>
    </Box>
  );
}

/** One job: status, what it trains, its model or error, the latest step and losses, a loss chart, the event log. */
export function JobDetail({ job, height, width }: JobDetailProps) {
  const metrics = job.events.filter((event) => event.step !== undefined);
  const latest = metrics.at(-1);
  const trainLosses = metrics.flatMap((event) => (event.trainLoss === undefined ? [] : [event.trainLoss]));
  const validLosses = metrics.flatMap((event) => (event.validLoss === undefined ? [] : [event.validLoss]));
  const epochs = (job.hyperparameters as { nEpochs?: unknown }).nEpochs;
  const fixed = 4 + (trainLosses.length > 0 ? 1 : 0) + (validLosses.length > 0 ? 1 : 0) + 1;
  const events = job.events.slice(-Math.max(1, height - fixed));
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold>{job.id}</Text>
        <Text color={statusColors[job.status]}>{` ${job.status.replace('_', ' ')}`}</Text>
      </Text>
      <Text
        dimColor
        wrap="truncate-end"
      >{`${job.datasetVersion} on ${job.baseModel} · epochs ${String(epochs ?? 'auto')} · started ${when(job.createdAt)}`}</Text>
      {job.error ? (
        <Text color="red" wrap="truncate-end">{`✗ ${job.error}`}</Text>
      ) : (
        <Text
          wrap="truncate-end"
          color={job.fineTunedModel ? 'green' : undefined}
          dimColor={!job.fineTunedModel}
        >
          {job.fineTunedModel ? `model ${job.fineTunedModel}` : 'model: when the job succeeds'}
        </Text>
      )}
      <Text wrap="truncate-end">
        {latest
          ? `step ${latest.step}${latest.trainLoss !== undefined ? ` · train loss ${latest.trainLoss.toFixed(3)}` : ''}${latest.validLoss !== undefined ? ` · valid loss ${latest.validLoss.toFixed(3)}` : ''}`
          : 'no steps reported yet'}
      </Text>
      {lossLine('train', trainLosses, width)}
      {lossLine('valid', validLosses, width)}
      <Text bold>Events</Text>
      {events.map((event) => (
        <Text
          key={event.id}
          wrap="truncate-end"
          color={event.level === 'error' ? 'red' : event.level === 'warn' ? 'yellow' : undefined}
        >
          <Text dimColor>{when(event.createdAt).slice(11)} </Text>
          {oneLine(event.message, width - 7)}
        </Text>
      ))}
    </Box>
  );
}
