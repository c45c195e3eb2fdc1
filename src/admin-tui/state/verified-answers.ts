import type { VerifiedAnswerRecord } from '../../core/index.ts';
import {
  createTextEditor,
  type TextEditorAction,
  textEditorReducer,
  type TextEditorState,
} from './text-editor.ts';

export interface VerifiedAnswersState {
  /** Verified answers in use, stale ones among them; newest change first. */
  items: VerifiedAnswerRecord[];
  loading: boolean;
  cursor: number;
  mode: 'browse' | 'edit' | 'confirmRetire';
  editor: TextEditorState | null;
  error: string | null;
  notice: string | null;
}

export type VerifiedAnswersAction =
  | { type: 'loadStarted' }
  | { type: 'loaded'; items: VerifiedAnswerRecord[] }
  | { type: 'move'; cursor: number }
  | { type: 'openEditor' }
  | { type: 'edit'; action: TextEditorAction }
  | { type: 'askRetire' }
  | { type: 'closePanel' }
  | { type: 'changed'; record: VerifiedAnswerRecord; notice: string }
  | { type: 'failed'; error: string }
  | { type: 'notice'; text: string };

export const initialVerifiedAnswers: VerifiedAnswersState = {
  items: [],
  loading: false,
  cursor: 0,
  mode: 'browse',
  editor: null,
  error: null,
  notice: null,
};

export function selectedVerifiedAnswer(state: VerifiedAnswersState): VerifiedAnswerRecord | undefined {
  return state.items[state.cursor];
}

const clampCursor = (state: VerifiedAnswersState): VerifiedAnswersState => ({
  ...state,
  cursor: Math.max(0, Math.min(state.cursor, state.items.length - 1)),
});

export function verifiedAnswersReducer(
  state: VerifiedAnswersState,
  action: VerifiedAnswersAction,
): VerifiedAnswersState {
  switch (action.type) {
    case 'loadStarted':
      return { ...state, loading: true };
    case 'loaded':
      return clampCursor({ ...state, loading: false, items: action.items });
    case 'move':
      return { ...state, cursor: action.cursor };
    case 'openEditor': {
      const selected = selectedVerifiedAnswer(state);
      return selected
        ? { ...state, mode: 'edit', editor: createTextEditor(selected.answer), error: null }
        : state;
    }
    case 'edit':
      return state.editor ? { ...state, editor: textEditorReducer(state.editor, action.action) } : state;
    case 'askRetire':
      return selectedVerifiedAnswer(state) ? { ...state, mode: 'confirmRetire', error: null } : state;
    case 'closePanel':
      return { ...state, mode: 'browse', editor: null };
    case 'changed': {
      // A retired answer leaves the list; any other change replaces it in place.
      const items =
        action.record.status === 'retired'
          ? state.items.filter((item) => item.id !== action.record.id)
          : state.items.map((item) => (item.id === action.record.id ? action.record : item));
      return clampCursor({
        ...state,
        items,
        mode: 'browse',
        editor: null,
        notice: action.notice,
        error: null,
      });
    }
    case 'failed':
      // A failed save keeps the editor open with the text: nothing typed is lost.
      return {
        ...state,
        mode: state.mode === 'confirmRetire' ? 'browse' : state.mode,
        error: action.error,
        notice: null,
      };
    case 'notice':
      return { ...state, notice: action.text, error: null };
  }
}
