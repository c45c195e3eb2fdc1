import { Box } from 'ink';
import { useEffect, useState } from 'react';
import type { SnapshotProgress } from '../../../core/index.ts';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { StatusLine } from '../../components/status-line.tsx';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { exportFormatChoices, selectedDataset, selectedVersion } from '../../state/datasets.ts';
import { cursorAfterKey } from '../../state/list-cursor.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { DatasetList } from './components/dataset-list.tsx';
import { ExportChooser } from './components/export-chooser.tsx';
import { VersionReport } from './components/version-report.tsx';
import { useDatasets } from './hooks/use-datasets.ts';

const { datasetsBrowsing: browseKeys, datasetsExport: exportKeys } = screenKeyMaps;

/** Datasets and versions: the validation report, tokens and cost; snapshot, validate, export, and train. */
export function DatasetsScreen() {
  const { core, reviewer, size, visible, navigate, setBusy } = useScreenFrame();
  const { state, dispatch, task, snapshot, validate, exportAs, refresh } = useDatasets(
    core,
    reviewer,
    visible,
  );
  const [progress, setProgress] = useState<SnapshotProgress | null>(null);
  const listWidth = Math.min(28, Math.floor(size.columns * 0.35));
  const reportWidth = size.columns - listWidth - 1;
  const choosing = state.exportChoice !== null;
  const version = selectedVersion(state);
  const bodyHeight = size.rows - 2;

  useEffect(() => {
    setBusy(task.running !== null);
  }, [task.running, setBusy]);

  useScreenKeys({
    keyMap: choosing ? exportKeys : browseKeys,
    onKey: (input, key) => {
      if (task.running) return;
      if (choosing) {
        const command = firstMatch(exportKeys.commands, input, key);
        if (command === Command.Left) dispatch({ type: 'moveExport', by: -1 });
        else if (command === Command.Right) dispatch({ type: 'moveExport', by: 1 });
        else if (command === Command.Back) dispatch({ type: 'closeExport' });
        else if (command === Command.Select) {
          dispatch({ type: 'closeExport' });
          void exportAs(exportFormatChoices[state.exportChoice!]!);
        }
        return;
      }
      const row = cursorAfterKey(state.versionIndex, state.versions.length, 5, input, key);
      if (row !== undefined) {
        dispatch({ type: 'selectVersion', index: row });
        return;
      }
      switch (firstMatch(browseKeys.commands, input, key)) {
        case Command.Snapshot:
          setProgress(null);
          void snapshot((update) => setProgress(update)).finally(() => setProgress(null));
          return;
        case Command.Validate:
          void validate();
          return;
        case Command.Export:
          dispatch({ type: 'openExport' });
          return;
        case Command.TrainOnVersion:
          if (version) navigate('training', { kind: 'trainOnVersion', datasetReference: version.reference });
          return;
        case Command.Left:
          dispatch({ type: 'moveDataset', by: -1 });
          return;
        case Command.Right:
          dispatch({ type: 'moveDataset', by: 1 });
          return;
        case Command.Refresh:
          void refresh();
          return;
      }
    },
  });

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Box height={bodyHeight} overflow="hidden">
        <DatasetList
          datasets={state.datasets}
          datasetIndex={state.datasetIndex}
          versions={state.versions}
          versionIndex={state.versionIndex}
          height={bodyHeight}
          width={listWidth}
        />
        <Box width={1} />
        <Box flexDirection="column" width={reportWidth}>
          <VersionReport
            dataset={selectedDataset(state)}
            version={version}
            newExamples={state.newExamples}
            height={choosing ? bodyHeight - 6 : bodyHeight}
            width={reportWidth}
          />
          {choosing && version ? (
            <ExportChooser
              formats={exportFormatChoices}
              choice={state.exportChoice!}
              reference={version.reference}
            />
          ) : null}
        </Box>
      </Box>
      <Box height={1}>
        {progress && task.running ? (
          <ProgressBar
            done={progress.done}
            total={progress.total}
            label={`snapshot: ${progress.stage}`}
            width={size.columns}
          />
        ) : null}
      </Box>
      <StatusLine
        busy={progress ? null : task.running}
        error={task.error}
        notice={task.value || null}
        width={size.columns}
      />
    </Box>
  );
}
