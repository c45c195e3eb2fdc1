import { Box, Text } from 'ink';
import type { SourceStatus } from '../../../../core/index.ts';
import { oneLine } from '../../../format/figures.ts';

export interface SourceListProps {
  sources: SourceStatus[];
  selected: number;
  syncing: string | null;
  /** Rows for sources; more are summarised on the last row. */
  rows: number;
  width: number;
}

function lastSyncText(source: SourceStatus): string {
  const last = source.lastSync;
  if (!last) return 'never synced';
  const when = last.finishedAt.replace('T', ' ').slice(0, 16);
  const outcome = last.ok ? 'ok' : `failed: ${last.errors[0] ?? 'see the log'}`;
  return `${when} · ${last.documents} docs · ${outcome}`;
}

/** The sources of knowledge.sources, one line each: kind, last sync and how it went, then the location. */
export function SourceList({ sources, selected, syncing, rows, width }: SourceListProps) {
  if (sources.length === 0) {
    return (
      <Box height={1}>
        <Text dimColor>
          No sources in knowledge.sources: list sites, folders and git repositories there to sync them from
          here.
        </Text>
      </Box>
    );
  }
  const start = Math.max(0, Math.min(selected - rows + 1, sources.length - rows));
  const shown = sources.slice(start, start + rows);
  return (
    <Box flexDirection="column" height={shown.length}>
      {shown.map((source, offset) => {
        const index = start + offset;
        const state =
          syncing === source.name ? 'syncing…' : source.syncing ? 'syncing elsewhere…' : lastSyncText(source);
        const failed = source.lastSync?.ok === false && syncing !== source.name;
        return (
          <Text
            key={source.name}
            inverse={index === selected}
            color={failed ? 'red' : undefined}
            wrap="truncate-end"
          >
            {oneLine(
              `${index === selected ? '▸' : ' '} ${source.name} · ${source.kind} · ${state} · ${source.location}`,
              width,
            )}
          </Text>
        );
      })}
    </Box>
  );
}
