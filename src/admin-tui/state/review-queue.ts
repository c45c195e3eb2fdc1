import {
  type ConversationOutcome,
  type ConversationRecord,
  conversationOutcomes,
  type FailureKind,
  outcomeFilter,
  type ReviewStatus,
} from '../../core/index.ts';
import { filterByText } from './list-cursor.ts';
import {
  createTextEditor,
  type TextEditorAction,
  textEditorReducer,
  type TextEditorState,
} from './text-editor.ts';

export type FeedbackFilter = 'any' | 'not_helpful' | 'none' | 'helpful';
export type StatusFilter = 'new' | 'reviewed' | 'any';
/** What the bot did, as `answerloop review list --answered / --refused / --silent` reads it; 'all': any. */
export type OutcomeFilter = 'all' | ConversationOutcome;
export type ReviewAction = 'approve' | 'correct' | 'reject';

/** 'any' is any verdict (helpful or not), as the stores read it; 'none' is conversations nobody rated. */
export const feedbackFilters: readonly FeedbackFilter[] = ['any', 'not_helpful', 'helpful', 'none'];
export const statusFilters: readonly StatusFilter[] = ['new', 'reviewed', 'any'];
export const outcomeFilters: readonly OutcomeFilter[] = ['all', ...conversationOutcomes];

/** The review statuses a status filter asks the store for. */
export function statusesFor(filter: StatusFilter): ReviewStatus[] | undefined {
  if (filter === 'new') return ['new'];
  if (filter === 'reviewed') return ['approved', 'corrected', 'rejected'];
  return undefined;
}

/** The store query fields an outcome filter asks for (core's outcomeFilter: the CLI's flags ask the same). */
export function outcomeQuery(filter: OutcomeFilter): { refused?: boolean; silent?: boolean } {
  return outcomeFilter(filter === 'all' ? undefined : filter);
}

function matchesStatus(status: ReviewStatus, filter: StatusFilter): boolean {
  return statusesFor(filter)?.includes(status) ?? true;
}

export interface ReviewQueueState {
  feedback: FeedbackFilter;
  status: StatusFilter;
  outcome: OutcomeFilter;
  /** Words that the question or answer must contain (applied to the loaded page). */
  text: string;
  textDraft: string;
  page: number;
  pages: number;
  total: number;
  items: ConversationRecord[];
  loading: boolean;
  /** Index into the visible (text-filtered) items. */
  cursor: number;
  mode: 'browse' | 'filter' | 'correct';
  editor: TextEditorState | null;
  /** The conversation being corrected. */
  editingId: string | null;
  error: string | null;
  notice: string | null;
}

export type ReviewQueueAction =
  | { type: 'loadStarted' }
  | { type: 'loaded'; items: ConversationRecord[]; total: number; pages: number; page: number }
  | { type: 'loadFailed'; error: string }
  | { type: 'move'; cursor: number }
  | { type: 'cycleFeedback' }
  | { type: 'cycleStatus' }
  | { type: 'cycleOutcome' }
  | { type: 'page'; by: number }
  | { type: 'openFilter' }
  | { type: 'editFilter'; draft: string }
  | { type: 'applyFilter' }
  | { type: 'closeFilter' }
  | { type: 'openEditor'; conversationId: string; text: string }
  | { type: 'edit'; action: TextEditorAction }
  | { type: 'closeEditor' }
  | { type: 'reviewed'; conversationId: string; status: ReviewStatus; correctedAnswer?: string }
  | { type: 'diagnosed'; conversationId: string; failureKind: FailureKind | null }
  | { type: 'updated'; conversation: ConversationRecord }
  | { type: 'skip' }
  | { type: 'failed'; error: string }
  | { type: 'notice'; text: string };

export const initialReviewQueue: ReviewQueueState = {
  feedback: 'any',
  status: 'new',
  outcome: 'all',
  text: '',
  textDraft: '',
  page: 1,
  pages: 1,
  total: 0,
  items: [],
  loading: false,
  cursor: 0,
  mode: 'browse',
  editor: null,
  editingId: null,
  error: null,
  notice: null,
};

/** The loaded conversations that pass the text filter, in queue order. */
export function visibleItems(state: ReviewQueueState): ConversationRecord[] {
  return filterByText(
    state.items,
    state.text,
    (item) => `${item.question} ${item.answer} ${item.feedback?.comment ?? ''}`,
  );
}

export function selectedConversation(state: ReviewQueueState): ConversationRecord | undefined {
  return visibleItems(state)[state.cursor];
}

const clampCursor = (state: ReviewQueueState): ReviewQueueState => ({
  ...state,
  cursor: Math.max(0, Math.min(state.cursor, visibleItems(state).length - 1)),
});

function next<T>(values: readonly T[], current: T): T {
  return values[(values.indexOf(current) + 1) % values.length]!;
}

/** The next diagnosis when the operator presses d: retrieval, then generation, then cleared. */
export function nextDiagnosis(current: FailureKind | null): FailureKind {
  if (current === 'retrieval') return 'generation';
  if (current === 'generation') return 'none';
  return 'retrieval';
}

export function reviewQueueReducer(state: ReviewQueueState, action: ReviewQueueAction): ReviewQueueState {
  switch (action.type) {
    case 'loadStarted':
      return { ...state, loading: true };
    case 'loaded':
      return clampCursor({
        ...state,
        loading: false,
        items: action.items,
        total: action.total,
        pages: action.pages,
        page: action.page,
      });
    case 'loadFailed':
      return { ...state, loading: false, error: action.error };
    case 'move':
      return { ...state, cursor: action.cursor };
    case 'cycleFeedback':
      return { ...state, feedback: next(feedbackFilters, state.feedback), page: 1, cursor: 0 };
    case 'cycleStatus':
      return { ...state, status: next(statusFilters, state.status), page: 1, cursor: 0 };
    case 'cycleOutcome':
      return { ...state, outcome: next(outcomeFilters, state.outcome), page: 1, cursor: 0 };
    case 'page': {
      const page = Math.max(1, Math.min(state.pages, state.page + action.by));
      return page === state.page ? state : { ...state, page, cursor: 0 };
    }
    case 'openFilter':
      return { ...state, mode: 'filter', textDraft: state.text };
    case 'editFilter':
      return { ...state, textDraft: action.draft };
    case 'applyFilter':
      return clampCursor({ ...state, mode: 'browse', text: state.textDraft.trim(), cursor: 0 });
    case 'closeFilter':
      // Esc in the filter box clears the filter: the quickest way back to the whole page.
      return clampCursor({ ...state, mode: 'browse', text: '', textDraft: '' });
    case 'openEditor':
      return {
        ...state,
        mode: 'correct',
        editingId: action.conversationId,
        editor: createTextEditor(action.text),
        error: null,
      };
    case 'edit':
      return state.editor ? { ...state, editor: textEditorReducer(state.editor, action.action) } : state;
    case 'closeEditor':
      return { ...state, mode: 'browse', editor: null, editingId: null };
    case 'reviewed': {
      // The next item comes up at once: the action is applied here before the store confirms it.
      const index = state.items.findIndex((item) => item.id === action.conversationId);
      if (index < 0) return state;
      const item = state.items[index]!;
      const updated: ConversationRecord = {
        ...item,
        reviewStatus: action.status,
        correctedAnswer: action.correctedAnswer ?? item.correctedAnswer,
      };
      const leaves = !matchesStatus(action.status, state.status);
      const items = leaves
        ? state.items.filter((candidate) => candidate.id !== item.id)
        : state.items.map((candidate) => (candidate.id === item.id ? updated : candidate));
      const moved = leaves ? state.cursor : state.cursor + 1;
      return clampCursor({
        ...state,
        items,
        total: leaves ? Math.max(0, state.total - 1) : state.total,
        cursor: moved,
        mode: 'browse',
        editor: null,
        editingId: null,
      });
    }
    case 'diagnosed':
      return {
        ...state,
        items: state.items.map((item) =>
          item.id === action.conversationId ? { ...item, failureKind: action.failureKind } : item,
        ),
      };
    case 'updated':
      return {
        ...state,
        items: state.items.map((item) => (item.id === action.conversation.id ? action.conversation : item)),
      };
    case 'skip':
      return clampCursor({ ...state, cursor: state.cursor + 1 });
    case 'failed':
      return { ...state, error: action.error, notice: null };
    case 'notice':
      return { ...state, notice: action.text, error: null };
  }
}
