import { describe, expect, it } from 'vitest';
import type { VerifiedAnswerRecord } from '../../src/core/index.ts';
import {
  initialVerifiedAnswers,
  selectedVerifiedAnswer,
  verifiedAnswersReducer,
} from '../../src/admin-tui/state/verified-answers.ts';

function record(id: string, overrides: Partial<VerifiedAnswerRecord> = {}): VerifiedAnswerRecord {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id,
    question: `Question ${id}?`,
    answer: `Answer ${id} [1].`,
    sources: [],
    originConversationId: null,
    status: 'active',
    stale: false,
    staleDocIds: [],
    createdBy: 'ops',
    createdAt: at,
    verifiedBy: 'ops',
    verifiedAt: at,
    retiredBy: null,
    retiredAt: null,
    updatedAt: at,
    ...overrides,
  };
}

describe('the verified answers list state', () => {
  const loaded = verifiedAnswersReducer(initialVerifiedAnswers, {
    type: 'loaded',
    items: [record('a'), record('b'), record('c')],
  });

  it('edits the selected answer and keeps the text when saving fails', () => {
    let state = verifiedAnswersReducer(verifiedAnswersReducer(loaded, { type: 'move', cursor: 1 }), {
      type: 'openEditor',
    });
    expect(state.mode).toBe('edit');
    expect(state.editor?.text).toBe('Answer b [1].');
    state = verifiedAnswersReducer(state, {
      type: 'edit',
      action: { type: 'replace', text: 'New wording.' },
    });
    state = verifiedAnswersReducer(state, { type: 'failed', error: 'store down' });
    expect(state).toMatchObject({ mode: 'edit', error: 'store down' });
    expect(state.editor?.text).toBe('New wording.');
    state = verifiedAnswersReducer(state, {
      type: 'changed',
      record: record('b', { answer: 'New wording.' }),
      notice: 'Edited',
    });
    expect(state).toMatchObject({ mode: 'browse', editor: null, notice: 'Edited' });
    expect(selectedVerifiedAnswer(state)?.answer).toBe('New wording.');
  });

  it('drops a retired answer from the list and keeps the cursor on the list', () => {
    let state = verifiedAnswersReducer(verifiedAnswersReducer(loaded, { type: 'move', cursor: 2 }), {
      type: 'askRetire',
    });
    expect(state.mode).toBe('confirmRetire');
    state = verifiedAnswersReducer(state, {
      type: 'changed',
      record: record('c', { status: 'retired' }),
      notice: 'Retired',
    });
    expect(state.items.map((item) => item.id)).toEqual(['a', 'b']);
    expect(selectedVerifiedAnswer(state)?.id).toBe('b');
    expect(state.mode).toBe('browse');
  });
});
