import type { DatasetSummary, DatasetVersionDetail, ExportFormat } from '../../core/index.ts';

export const exportFormatChoices: readonly ExportFormat[] = ['openai', 'sharegpt', 'alpaca'];

export interface DatasetsState {
  datasets: DatasetSummary[];
  /** Versions of the selected dataset, newest first. */
  versions: DatasetVersionDetail[];
  /** New approved examples since the newest version. */
  newExamples: number | null;
  datasetIndex: number;
  versionIndex: number;
  /** Open while the operator picks an export format. */
  exportChoice: number | null;
  loading: boolean;
}

export type DatasetsAction =
  | { type: 'datasetsLoaded'; datasets: DatasetSummary[] }
  | { type: 'versionsLoaded'; dataset: string; versions: DatasetVersionDetail[]; newExamples: number | null }
  | { type: 'moveDataset'; by: number }
  | { type: 'selectVersion'; index: number }
  | { type: 'selectVersionNumber'; version: number }
  | { type: 'openExport' }
  | { type: 'moveExport'; by: number }
  | { type: 'closeExport' }
  | { type: 'loading'; loading: boolean };

export const initialDatasets: DatasetsState = {
  datasets: [],
  versions: [],
  newExamples: null,
  datasetIndex: 0,
  versionIndex: 0,
  exportChoice: null,
  loading: false,
};

export function selectedDataset(state: DatasetsState): DatasetSummary | undefined {
  return state.datasets[state.datasetIndex];
}

export function selectedVersion(state: DatasetsState): DatasetVersionDetail | undefined {
  return state.versions[state.versionIndex];
}

export function datasetsReducer(state: DatasetsState, action: DatasetsAction): DatasetsState {
  switch (action.type) {
    case 'datasetsLoaded': {
      // Keep the selection on the same dataset by name when the list changes.
      const current = selectedDataset(state)?.name;
      const index = action.datasets.findIndex((dataset) => dataset.name === current);
      return { ...state, datasets: action.datasets, datasetIndex: index >= 0 ? index : 0 };
    }
    case 'versionsLoaded':
      if (selectedDataset(state)?.name !== action.dataset) return state;
      return {
        ...state,
        versions: action.versions,
        newExamples: action.newExamples,
        versionIndex: Math.min(state.versionIndex, Math.max(0, action.versions.length - 1)),
      };
    case 'moveDataset': {
      const index = Math.max(0, Math.min(state.datasets.length - 1, state.datasetIndex + action.by));
      return index === state.datasetIndex
        ? state
        : { ...state, datasetIndex: index, versions: [], versionIndex: 0, newExamples: null };
    }
    case 'selectVersion':
      return { ...state, versionIndex: action.index };
    case 'selectVersionNumber': {
      const index = state.versions.findIndex((version) => version.version.version === action.version);
      return index >= 0 ? { ...state, versionIndex: index } : state;
    }
    case 'openExport':
      return selectedVersion(state) ? { ...state, exportChoice: 0 } : state;
    case 'moveExport':
      return state.exportChoice === null
        ? state
        : {
            ...state,
            exportChoice:
              (state.exportChoice + action.by + exportFormatChoices.length) % exportFormatChoices.length,
          };
    case 'closeExport':
      return { ...state, exportChoice: null };
    case 'loading':
      return { ...state, loading: action.loading };
  }
}
