import { Box, Text } from 'ink';
import type { TrainingJobRecord, TrainingJobStatus } from '../../../../core/index.ts';
import { fit } from '../../../format/figures.ts';
import { visibleWindow } from '../../../state/list-cursor.ts';

export interface JobListProps {
  jobs: TrainingJobRecord[];
  cursor: number;
  height: number;
  width: number;
}

export const statusColors: Record<TrainingJobStatus, string> = {
  validating_files: 'yellow',
  queued: 'yellow',
  running: 'cyan',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'gray',
};

/** Jobs, newest first: status and dataset version. */
export function JobList({ jobs, cursor, height, width }: JobListProps) {
  if (jobs.length === 0) {
    return (
      <Box flexDirection="column" width={width} height={height} flexShrink={0}>
        <Text dimColor>No training jobs yet.</Text>
        <Text dimColor>n starts one.</Text>
      </Box>
    );
  }
  const { start, end } = visibleWindow(cursor, jobs.length, height);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {jobs.slice(start, end).map((job, offset) => (
        <Box key={job.id} height={1}>
          <Text color={statusColors[job.status]}>●</Text>
          <Text
            inverse={start + offset === cursor}
          >{` ${fit(`${job.datasetVersion} ${job.status.replace('_', ' ')}`, width - 3)}`}</Text>
        </Box>
      ))}
    </Box>
  );
}
