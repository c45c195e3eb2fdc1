import type { IngestProgress, IngestReport, SearchHit, SearchMode } from '../../core/index.ts';

export const rankingModes: readonly SearchMode[] = ['hybrid', 'bm25', 'vector'];

export type KnowledgeFocus = 'rankings' | 'path' | 'query';

export interface KnowledgeState {
  focus: KnowledgeFocus;
  pathDraft: string;
  queryDraft: string;
  ingesting: boolean;
  progress: IngestProgress | null;
  report: IngestReport | null;
  ingestError: string | null;
  /** The query the rankings are for. */
  query: string | null;
  searching: boolean;
  rankings: Record<SearchMode, SearchHit[]> | null;
  searchError: string | null;
  /** Selected column (index into rankingModes) and row. */
  column: number;
  row: number;
  /** Selected source of knowledge.sources, and the one being synced (its progress shows in the ingest panel). */
  sourceIndex: number;
  syncingSource: string | null;
}

export type KnowledgeAction =
  | { type: 'focus'; focus: KnowledgeFocus }
  | { type: 'editPath'; draft: string }
  | { type: 'editQuery'; draft: string }
  | { type: 'ingestStarted' }
  | { type: 'ingestProgress'; progress: IngestProgress }
  | { type: 'ingestDone'; report: IngestReport }
  | { type: 'ingestFailed'; error: string }
  | { type: 'searchStarted'; query: string }
  | { type: 'searchDone'; rankings: Record<SearchMode, SearchHit[]> }
  | { type: 'searchFailed'; error: string }
  | { type: 'moveColumn'; by: number }
  | { type: 'selectRow'; row: number }
  | { type: 'nextSource'; count: number }
  | { type: 'syncStarted'; name: string };

export function initialKnowledge(docsDir: string): KnowledgeState {
  return {
    focus: 'rankings',
    pathDraft: docsDir,
    queryDraft: '',
    ingesting: false,
    progress: null,
    report: null,
    ingestError: null,
    query: null,
    searching: false,
    rankings: null,
    searchError: null,
    column: 0,
    row: 0,
    sourceIndex: 0,
    syncingSource: null,
  };
}

/** Rows in the selected column, for the cursor's bounds. */
export function selectedColumnLength(state: KnowledgeState): number {
  return state.rankings?.[rankingModes[state.column]!].length ?? 0;
}

/** The hit under the cursor, if any. */
export function selectedHit(state: KnowledgeState): SearchHit | undefined {
  return state.rankings?.[rankingModes[state.column]!][state.row];
}

export function knowledgeReducer(state: KnowledgeState, action: KnowledgeAction): KnowledgeState {
  switch (action.type) {
    case 'focus':
      return { ...state, focus: action.focus };
    case 'editPath':
      return { ...state, pathDraft: action.draft };
    case 'editQuery':
      return { ...state, queryDraft: action.draft };
    case 'ingestStarted':
      return {
        ...state,
        focus: 'rankings',
        ingesting: true,
        progress: null,
        report: null,
        ingestError: null,
      };
    case 'ingestProgress':
      return state.ingesting ? { ...state, progress: action.progress } : state;
    case 'ingestDone':
      return { ...state, ingesting: false, syncingSource: null, report: action.report };
    case 'ingestFailed':
      return { ...state, ingesting: false, syncingSource: null, ingestError: action.error };
    case 'syncStarted':
      return {
        ...state,
        focus: 'rankings',
        ingesting: true,
        syncingSource: action.name,
        progress: null,
        report: null,
        ingestError: null,
      };
    case 'nextSource':
      return { ...state, sourceIndex: action.count > 0 ? (state.sourceIndex + 1) % action.count : 0 };
    case 'searchStarted':
      return { ...state, focus: 'rankings', query: action.query, searching: true, searchError: null };
    case 'searchDone':
      return { ...state, searching: false, rankings: action.rankings, row: 0 };
    case 'searchFailed':
      return { ...state, searching: false, searchError: action.error };
    case 'moveColumn': {
      const column = Math.min(rankingModes.length - 1, Math.max(0, state.column + action.by));
      const length = state.rankings?.[rankingModes[column]!].length ?? 0;
      return { ...state, column, row: Math.min(state.row, Math.max(0, length - 1)) };
    }
    case 'selectRow':
      return { ...state, row: action.row };
  }
}
