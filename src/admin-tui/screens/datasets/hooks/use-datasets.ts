import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useCallback, useEffect, useReducer } from 'react';
import {
  type Core,
  type ExportFormat,
  resolveConfigPath,
  type SnapshotProgress,
} from '../../../../core/index.ts';
import { useTask } from '../../../hooks/use-task.ts';
import {
  datasetsReducer,
  initialDatasets,
  selectedDataset,
  selectedVersion,
} from '../../../state/datasets.ts';
import { useMountedRef } from '../../../hooks/use-mounted.ts';

/** Versions shown per dataset, newest first: older ones stay reachable from the CLI. */
const versionsShown = 12;

/** Datasets and their versions through core.datasets; snapshot, validate and export run in the background. */
export function useDatasets(core: Core, reviewer: string, visible: boolean) {
  const [state, dispatch] = useReducer(datasetsReducer, initialDatasets);
  const task = useTask<string>();
  const mounted = useMountedRef();

  const loadDatasets = useCallback(async () => {
    const datasets = await core.datasets.listDatasets();
    if (mounted.current) dispatch({ type: 'datasetsLoaded', datasets });
  }, [core]);

  const dataset = selectedDataset(state);
  const datasetName = dataset?.name;
  const latestVersion = dataset?.latestVersion ?? null;
  const loadVersions = useCallback(async () => {
    if (!datasetName) return;
    const numbers = [];
    for (let version = latestVersion ?? 0; version >= 1 && numbers.length < versionsShown; version -= 1)
      numbers.push(version);
    const versions = await Promise.all(
      numbers.map((version) => core.datasets.getVersion(`${datasetName}@${version}`)),
    );
    const newExamples = await core.datasets
      .countNewExamples(datasetName, latestVersion ? `${datasetName}@${latestVersion}` : null)
      .catch(() => null);
    if (mounted.current) dispatch({ type: 'versionsLoaded', dataset: datasetName, versions, newExamples });
  }, [core, datasetName, latestVersion]);

  const { run } = task;
  const refresh = useCallback(
    () =>
      run('Reading the datasets…', async () => {
        await loadDatasets();
        return '';
      }),
    [run, loadDatasets],
  );

  useEffect(() => {
    if (visible) void refresh();
  }, [visible, refresh]);
  useEffect(() => {
    void loadVersions().catch(() => {});
  }, [loadVersions]);

  const snapshot = useCallback(
    (onProgress: (progress: SnapshotProgress) => void) =>
      run(`Snapshotting ${datasetName ?? core.config.training.dataset}…`, async () => {
        const result = await core.datasets.snapshot({
          dataset: datasetName,
          createdBy: reviewer,
          onProgress,
        });
        // The new version is the newest: the list reloads on its own once the dataset's latest version changes.
        if (mounted.current) dispatch({ type: 'selectVersion', index: 0 });
        await loadDatasets();
        return result.created
          ? `Snapshot ${result.reference}: ${result.version.examples.length} examples${result.report.validation.valid ? ', valid' : ', NOT valid: see the report'}`
          : `Nothing changed since ${result.reference}: no new version`;
      }),
    [run, core, datasetName, reviewer, loadDatasets],
  );

  const version = selectedVersion(state);
  const reference = version?.reference;
  const validate = useCallback(
    () =>
      run(`Validating ${reference}…`, async () => {
        if (!reference) throw new Error('Select a version first: press s to snapshot one.');
        const report = await core.datasets.validateVersion(reference);
        return `${reference} is ${report.valid ? 'valid' : 'NOT valid'}: ${report.errors.length} errors, ${report.warnings.length} warnings, ${report.validExamples} examples`;
      }),
    [run, core, reference],
  );

  const exportAs = useCallback(
    (format: ExportFormat) =>
      run(`Exporting ${reference} as ${format}…`, async () => {
        if (!reference) throw new Error('Select a version first.');
        const result = await core.datasets.exportVersion({ reference, format });
        const folder = path.join(resolveConfigPath(core.config, core.config.dataDir), 'exports');
        mkdirSync(folder, { recursive: true });
        const base = `${result.reference.replace('@', '-v')}-${format}`;
        const train = path.join(folder, `${base}-train.jsonl`);
        const validation = path.join(folder, `${base}-validation.jsonl`);
        writeFileSync(train, result.train);
        writeFileSync(validation, result.validation);
        return `Exported ${result.counts.train} + ${result.counts.validation} examples to ${path.join(folder, `${base}-{train,validation}.jsonl`)}`;
      }),
    [run, core, reference],
  );

  return { state, dispatch, task, snapshot, validate, exportAs, refresh };
}
