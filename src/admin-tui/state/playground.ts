import type { AskResult } from '../../core/index.ts';

export interface PlaygroundState {
  /** What is typed in the question box. */
  draft: string;
  /** The question box has the keyboard. */
  typing: boolean;
  /** The question being answered or last answered. */
  question: string | null;
  asking: boolean;
  /** The answer as it streams in. */
  streamed: string;
  result: AskResult | null;
  error: string | null;
  /** First answer line shown. */
  scroll: number;
  feedback: 'helpful' | 'not_helpful' | null;
}

export type PlaygroundAction =
  | { type: 'edit'; draft: string }
  | { type: 'focus' }
  | { type: 'blur' }
  | { type: 'askStarted'; question: string }
  | { type: 'delta'; textSoFar: string }
  | { type: 'answered'; result: AskResult }
  | { type: 'failed'; error: string }
  | { type: 'scroll'; by: number; maximum: number }
  | { type: 'feedback'; helpful: boolean };

/** A newcomer lands here: the question box has the keyboard from the start. */
export const initialPlayground: PlaygroundState = {
  draft: '',
  typing: true,
  question: null,
  asking: false,
  streamed: '',
  result: null,
  error: null,
  scroll: 0,
  feedback: null,
};

export function playgroundReducer(state: PlaygroundState, action: PlaygroundAction): PlaygroundState {
  switch (action.type) {
    case 'edit':
      return { ...state, draft: action.draft };
    case 'focus':
      return { ...state, typing: true };
    case 'blur':
      return { ...state, typing: false };
    case 'askStarted':
      // The box empties for the next question; the keyboard goes to the answer, so j/k scroll and +/- rate it.
      return {
        ...state,
        draft: '',
        question: action.question,
        asking: true,
        streamed: '',
        result: null,
        error: null,
        scroll: 0,
        feedback: null,
        typing: false,
      };
    case 'delta':
      return state.asking ? { ...state, streamed: action.textSoFar } : state;
    case 'answered':
      return { ...state, asking: false, result: action.result, streamed: action.result.answer };
    case 'failed':
      return { ...state, asking: false, error: action.error };
    case 'scroll':
      return { ...state, scroll: Math.max(0, Math.min(action.maximum, state.scroll + action.by)) };
    case 'feedback':
      return { ...state, feedback: action.helpful ? 'helpful' : 'not_helpful' };
  }
}
