import { Box, Text } from 'ink';
import type { DatasetSummary, DatasetVersionDetail } from '../../../../core/index.ts';
import { fit, when } from '../../../format/figures.ts';
import { visibleWindow } from '../../../state/list-cursor.ts';

export interface DatasetListProps {
  datasets: DatasetSummary[];
  datasetIndex: number;
  versions: DatasetVersionDetail[];
  versionIndex: number;
  height: number;
  width: number;
}

/** Datasets (h/l to switch) and the selected one's versions (j/k), newest first, with their validity. */
export function DatasetList({
  datasets,
  datasetIndex,
  versions,
  versionIndex,
  height,
  width,
}: DatasetListProps) {
  const versionRows = Math.max(1, height - datasets.length - 2);
  const { start, end } = visibleWindow(versionIndex, versions.length, versionRows);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text bold>Datasets</Text>
      {datasets.map((dataset, index) => (
        <Text
          key={dataset.name}
          color={index === datasetIndex ? 'cyan' : undefined}
          bold={index === datasetIndex}
        >
          {fit(`${index === datasetIndex ? '▸' : ' '} ${dataset.name} · ${dataset.examples} ex`, width - 1)}
        </Text>
      ))}
      <Text bold>Versions</Text>
      {versions.length === 0 ? <Text dimColor>none yet: s snapshots</Text> : null}
      {versions.slice(start, end).map((version, offset) => {
        const index = start + offset;
        const valid = version.report?.validation.valid;
        return (
          <Box key={version.reference} height={1}>
            <Text color={valid === false ? 'red' : 'green'}>{valid === false ? '✗' : '✓'}</Text>
            <Text
              inverse={index === versionIndex}
            >{` ${fit(`v${version.version.version} ${when(version.version.createdAt).slice(5)} ${version.trainExamples}/${version.validationExamples}`, width - 3)}`}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
