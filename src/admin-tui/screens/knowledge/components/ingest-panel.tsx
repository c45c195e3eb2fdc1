import { Box, Text } from 'ink';
import type { IngestProgress, IngestReport } from '../../../../core/index.ts';
import { ProgressBar } from '../../../components/progress-bar.tsx';
import { oneLine } from '../../../format/figures.ts';

export interface IngestPanelProps {
  ingesting: boolean;
  /** The source of knowledge.sources being synced, when it is a sync. */
  syncing?: string | null;
  progress: IngestProgress | null;
  report: IngestReport | null;
  error: string | null;
  width: number;
}

/** Ingestion: a progress bar while it runs, then the counts of what changed. Always two lines. */
export function IngestPanel({ ingesting, syncing, progress, report, error, width }: IngestPanelProps) {
  if (ingesting) {
    return (
      <Box flexDirection="column" height={2}>
        <Text color="yellow">{syncing ? `Syncing ${syncing}…` : 'Ingesting…'}</Text>
        {progress ? (
          <ProgressBar
            done={progress.done}
            total={progress.total}
            label={`${progress.phase} ${progress.done}/${progress.total} ${progress.current ?? ''}`}
            width={width}
          />
        ) : (
          <Text dimColor>scanning files</Text>
        )}
      </Box>
    );
  }
  if (error) {
    return (
      <Box flexDirection="column" height={2}>
        <Text color="red" wrap="truncate-end">{`✗ Ingestion failed: ${error}`}</Text>
        <Text dimColor>Press i or s to try again.</Text>
      </Box>
    );
  }
  if (report) {
    const problems = [
      report.skipped.length > 0 ? `${report.skipped.length} skipped` : '',
      report.empty.length > 0 ? `${report.empty.length} empty` : '',
      report.failed.length > 0
        ? `${report.failed.length} failed: ${report.failed[0]!.source} (${report.failed[0]!.error})`
        : '',
    ].filter(Boolean);
    return (
      <Box flexDirection="column" height={2}>
        <Text color="green">
          {`✓ added ${report.added} · updated ${report.updated} · unchanged ${report.unchanged} · deleted ${report.deleted} · ${report.chunks} passages written · ${(report.durationMs / 1000).toFixed(1)} s`}
        </Text>
        <Text color={report.failed.length > 0 ? 'red' : 'yellow'} wrap="truncate-end">
          {problems.length > 0 ? oneLine(problems.join(' · '), width) : ' '}
        </Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" height={2}>
      <Text dimColor>Press i to ingest a folder, a site or a git+ URL · s syncs the selected source.</Text>
      <Text dimColor>Press / to search: hybrid, BM25 and vector rankings side by side.</Text>
    </Box>
  );
}
