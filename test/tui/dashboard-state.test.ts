import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { downsample, sparkline } from '../../src/admin-tui/format/charts.ts';
import { tail } from '../../src/admin-tui/format/figures.ts';
import { wrapText } from '../../src/admin-tui/format/wrap-text.ts';
import { initialKnowledge, knowledgeReducer, selectedHit } from '../../src/admin-tui/state/knowledge.ts';
import { filterByText, moveCursor, visibleWindow } from '../../src/admin-tui/state/list-cursor.ts';
import { promotionCaution } from '../../src/admin-tui/state/models.ts';
import {
  globalKeyAction,
  initialNavigation,
  isTyping,
  navigationReducer,
} from '../../src/admin-tui/state/navigation.ts';
import {
  initialReviewQueue,
  nextDiagnosis,
  outcomeQuery,
  reviewQueueReducer,
  selectedConversation,
  statusesFor,
} from '../../src/admin-tui/state/review-queue.ts';
import {
  createTextEditor,
  displayRows,
  textEditorActionForKey,
  textEditorReducer,
} from '../../src/admin-tui/state/text-editor.ts';
import { chosenReference, initialTraining, trainingReducer } from '../../src/admin-tui/state/training.ts';
import { Command } from '../../src/admin-tui/keys/key-bindings.ts';
import type { ConversationRecord, SearchHit } from '../../src/core/index.ts';

const key = (changes: Partial<Key> = {}) =>
  ({
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
    ...changes,
  }) as Key;

function conversation(
  id: string,
  question: string,
  reviewStatus: ConversationRecord['reviewStatus'] = 'new',
): ConversationRecord {
  return {
    id,
    platform: 'slack',
    channel: 'C1',
    thread: '',
    user: 'u',
    question,
    standaloneQuestion: question,
    route: 'retrieve',
    sources: [],
    answer: `answer to ${question}`,
    model: 'extractive',
    promptMessages: [],
    confidence: 0.5,
    refused: false,
    latencyMs: 10,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    feedback: { helpful: false, at: '2026-01-01T00:00:00.000Z' },
    reviewStatus,
    correctedAnswer: null,
    reviewer: null,
    reviewedAt: null,
    failureKind: null,
    expectedSources: [],
    stale: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('navigation', () => {
  it('moves between screens with tab, shift+tab and number keys, remembering the screens visited', () => {
    let state = initialNavigation('insights');
    state = navigationReducer(state, globalKeyAction('', key({ tab: true }), state)!);
    expect(state.screen).toBe('overview');
    state = navigationReducer(state, globalKeyAction('', key({ tab: true, shift: true }), state)!);
    expect(state.screen).toBe('insights');
    state = navigationReducer(state, globalKeyAction('3', key(), state)!);
    expect(state.screen).toBe('datasets');
    state = navigationReducer(state, globalKeyAction('8', key(), state)!);
    expect(state.screen).toBe('insights');
    expect(state.visited).toEqual(['insights', 'overview', 'datasets']);
  });

  it('leaves keys to a screen that is typing, except tab and ctrl+c', () => {
    let state = navigationReducer(initialNavigation('playground'), {
      type: 'textEntry',
      screen: 'playground',
      active: true,
    });
    expect(isTyping(state)).toBe(true);
    expect(globalKeyAction('q', key(), state)).toBeNull();
    expect(globalKeyAction('3', key(), state)).toBeNull();
    expect(globalKeyAction('?', key(), state)).toBeNull();
    expect(globalKeyAction('c', key({ ctrl: true }), state)).toEqual({ type: 'quit' });
    state = navigationReducer(state, globalKeyAction('', key({ tab: true }), state)!);
    // Another screen is not typing: q quits there.
    expect(globalKeyAction('q', key(), state)).toEqual({ type: 'quit' });
  });

  it('help opens with ?, and q or esc close it before anything else', () => {
    let state = navigationReducer(initialNavigation(), { type: 'toggleHelp' });
    expect(globalKeyAction('q', key(), state)).toEqual({ type: 'closeHelp' });
    expect(globalKeyAction('', key({ escape: true, meta: true }), state)).toEqual({ type: 'closeHelp' });
    state = navigationReducer(state, { type: 'closeHelp' });
    expect(state.helpOpen).toBe(false);
  });

  it('numbers requests between screens so the same request twice is seen twice', () => {
    let state = navigationReducer(initialNavigation('datasets'), {
      type: 'intent',
      screen: 'training',
      intent: { kind: 'trainOnVersion', datasetReference: 'support@2' },
    });
    expect(state.screen).toBe('training');
    expect(state.intent).toEqual({ kind: 'trainOnVersion', datasetReference: 'support@2', sequence: 1 });
    state = navigationReducer(state, {
      type: 'intent',
      screen: 'training',
      intent: { kind: 'trainOnVersion', datasetReference: 'support@2' },
    });
    expect(state.intent?.sequence).toBe(2);
  });
});

describe('lists', () => {
  it('moves a cursor within bounds, by lines and pages', () => {
    expect(moveCursor(0, 10, Command.Up, 5)).toBe(0);
    expect(moveCursor(0, 10, Command.Down, 5)).toBe(1);
    expect(moveCursor(8, 10, Command.PageDown, 5)).toBe(9);
    expect(moveCursor(7, 10, Command.PageUp, 5)).toBe(2);
    expect(moveCursor(4, 10, Command.Last, 5)).toBe(9);
    expect(moveCursor(4, 0, Command.Down, 5)).toBe(0);
  });

  it('keeps the cursor in view, centred when it can', () => {
    expect(visibleWindow(0, 5, 10)).toEqual({ start: 0, end: 5 });
    expect(visibleWindow(50, 100, 10)).toEqual({ start: 45, end: 55 });
    expect(visibleWindow(99, 100, 10)).toEqual({ start: 90, end: 100 });
  });

  it('filters by every word, in any case', () => {
    expect(
      filterByText(['Reset password', 'Password policy', 'Refunds'], 'pass RESET', (text) => text),
    ).toEqual(['Reset password']);
    expect(filterByText(['a', 'b'], '  ', (text) => text)).toEqual(['a', 'b']);
  });
});

describe('multi-line editor', () => {
  it('types, deletes, breaks lines and moves between lines keeping the column', () => {
    let state = createTextEditor('');
    for (const input of ['Hello', '\r', 'world'])
      state = textEditorReducer(state, textEditorActionForKey(input, key({ return: input === '\r' }))!);
    expect(state.text).toBe('Hello\nworld');
    state = textEditorReducer(state, textEditorActionForKey('', key({ upArrow: true }))!);
    expect(state.cursor).toBe(5);
    state = textEditorReducer(state, { type: 'left' });
    state = textEditorReducer(state, textEditorActionForKey('', key({ backspace: true }))!);
    expect(state.text).toBe('Helo\nworld');
    state = textEditorReducer(state, textEditorActionForKey('u', key({ ctrl: true }))!);
    expect(state).toEqual({ text: '', cursor: 0 });
    expect(textEditorActionForKey('s', key({ ctrl: true }))).toBeUndefined();
    expect(textEditorActionForKey('\u0007', key())).toBeUndefined();
  });

  it('wraps long lines for display and places the cursor among the rows', () => {
    const rows = displayRows({ text: 'abcdefgh\nxy', cursor: 8 }, 4);
    expect(rows.rows).toEqual(['abcd', 'efgh', '', 'xy']);
    expect([rows.cursorRow, rows.cursorColumn]).toEqual([2, 0]);
    // The extra row exists only while the cursor needs it.
    const end = displayRows({ text: 'abcdefgh\nxy', cursor: 11 }, 4);
    expect(end.rows).toEqual(['abcd', 'efgh', 'xy']);
    expect([end.cursorRow, end.cursorColumn]).toEqual([2, 2]);
  });
});

describe('review queue', () => {
  const loaded = reviewQueueReducer(initialReviewQueue, {
    type: 'loaded',
    items: [
      conversation('a', 'How do I reset my password?'),
      conversation('b', 'Refund please'),
      conversation('c', 'Install on Linux'),
    ],
    total: 3,
    pages: 1,
    page: 1,
  });

  it('takes a reviewed conversation out of the "new" queue at once and shows the next one', () => {
    const state = reviewQueueReducer(loaded, { type: 'reviewed', conversationId: 'a', status: 'approved' });
    expect(state.items.map((item) => item.id)).toEqual(['b', 'c']);
    expect(state.total).toBe(2);
    expect(selectedConversation(state)?.id).toBe('b');
  });

  it('keeps a reviewed conversation under "any" status, updated, and moves on', () => {
    const anyStatus = { ...loaded, status: 'any' as const };
    const state = reviewQueueReducer(anyStatus, {
      type: 'reviewed',
      conversationId: 'a',
      status: 'corrected',
      correctedAnswer: 'Right answer',
    });
    expect(state.items[0]).toMatchObject({ reviewStatus: 'corrected', correctedAnswer: 'Right answer' });
    expect(state.cursor).toBe(1);
  });

  it('clamps the cursor when the last item leaves', () => {
    let state = reviewQueueReducer(loaded, { type: 'move', cursor: 2 });
    state = reviewQueueReducer(state, { type: 'reviewed', conversationId: 'c', status: 'rejected' });
    expect(selectedConversation(state)?.id).toBe('b');
  });

  it('filters by words, and esc in the filter box clears them', () => {
    let state = reviewQueueReducer(loaded, { type: 'openFilter' });
    state = reviewQueueReducer(state, { type: 'editFilter', draft: 'refund' });
    state = reviewQueueReducer(state, { type: 'applyFilter' });
    expect(selectedConversation(state)?.id).toBe('b');
    state = reviewQueueReducer(reviewQueueReducer(state, { type: 'openFilter' }), { type: 'closeFilter' });
    expect(state.text).toBe('');
  });

  it('cycles filters and diagnoses, and asks the store for the right statuses', () => {
    expect(reviewQueueReducer(loaded, { type: 'cycleFeedback' }).feedback).toBe('not_helpful');
    expect(reviewQueueReducer(loaded, { type: 'cycleStatus' }).status).toBe('reviewed');
    expect(statusesFor('reviewed')).toEqual(['approved', 'corrected', 'rejected']);
    expect(statusesFor('any')).toBeUndefined();
    expect([nextDiagnosis(null), nextDiagnosis('retrieval'), nextDiagnosis('generation')]).toEqual([
      'retrieval',
      'generation',
      'none',
    ]);
  });

  it('cycles what the bot did, back to the first page, and asks the store for it as the CLI does', () => {
    let state = { ...loaded, page: 2, cursor: 1 };
    const seen: string[] = [];
    for (let step = 0; step < 4; step += 1) {
      state = reviewQueueReducer(state, { type: 'cycleOutcome' });
      seen.push(state.outcome);
    }
    expect(seen).toEqual(['answered', 'refused', 'silent', 'all']);
    expect([state.page, state.cursor]).toEqual([1, 0]);
    expect(outcomeQuery('all')).toEqual({});
    expect(outcomeQuery('answered')).toEqual({ refused: false });
    expect(outcomeQuery('refused')).toEqual({ refused: true, silent: false });
    expect(outcomeQuery('silent')).toEqual({ silent: true });
  });
});

describe('knowledge rankings', () => {
  const hit = (id: string, rank: number): SearchHit => ({
    rank,
    score: 1 / rank,
    chunk: { id } as SearchHit['chunk'],
  });

  it('moves between columns, keeping the row inside the shorter column', () => {
    let state = knowledgeReducer(initialKnowledge('./docs'), { type: 'searchStarted', query: 'reset' });
    state = knowledgeReducer(state, {
      type: 'searchDone',
      rankings: {
        hybrid: [hit('a', 1), hit('b', 2), hit('c', 3)],
        bm25: [hit('a', 1)],
        vector: [hit('c', 1), hit('b', 2)],
      },
    });
    state = knowledgeReducer(state, { type: 'selectRow', row: 2 });
    expect(selectedHit(state)?.chunk.id).toBe('c');
    state = knowledgeReducer(state, { type: 'moveColumn', by: 1 });
    expect(selectedHit(state)?.chunk.id).toBe('a');
    state = knowledgeReducer(state, { type: 'moveColumn', by: 5 });
    expect(state.column).toBe(2);
  });

  it('ignores progress once ingestion is over', () => {
    const done = knowledgeReducer(knowledgeReducer(initialKnowledge('./docs'), { type: 'ingestStarted' }), {
      type: 'ingestFailed',
      error: 'no such folder',
    });
    expect(
      knowledgeReducer(done, { type: 'ingestProgress', progress: { phase: 'embed', done: 1, total: 2 } }),
    ).toBe(done);
  });
});

describe('training form and models', () => {
  it('keeps only the estimate of the version still chosen', () => {
    let state = trainingReducer(initialTraining, {
      type: 'openForm',
      references: ['support@2', 'support@1'],
      baseModel: 'gpt-4o-mini',
    });
    state = trainingReducer(state, { type: 'chooseVersion', by: 1 });
    expect(chosenReference(state.form!)).toBe('support@1');
    const estimate = {
      reference: 'support@2',
      trainExamples: 1,
      validationExamples: 0,
      valid: true,
      problems: [],
      billedTokens: 1,
      epochs: 3,
      cost: 0,
      pricePerMillionTokens: 3,
    };
    expect(trainingReducer(state, { type: 'estimate', estimate }).form?.estimate).toBeNull();
    expect(
      trainingReducer(state, { type: 'estimate', estimate: { ...estimate, reference: 'support@1' } }).form
        ?.estimate?.reference,
    ).toBe('support@1');
  });

  it('offers a requested version even when it is not among the newest', () => {
    const state = trainingReducer(initialTraining, {
      type: 'openForm',
      references: ['support@9'],
      preferred: 'support@2',
      baseModel: 'm',
    });
    expect(chosenReference(state.form!)).toBe('support@2');
  });

  it('asks for force only when the model lost its evaluation', () => {
    expect(promotionCaution(null)).toMatchObject({ force: false });
    const summary = { id: 'e', candidate: 'c', baseline: 'b', scores: {}, examples: 4, createdAt: '' };
    expect(promotionCaution({ ...summary, winRate: 0.3 })).toMatchObject({ force: true });
    expect(promotionCaution({ ...summary, winRate: 0.5 })).toBeNull();
  });
});

describe('formatting', () => {
  it('wraps at spaces, cuts long words and keeps paragraphs', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('a\n\nb', 10)).toEqual(['a', '', 'b']);
  });

  it('draws sparklines and fits long series', () => {
    expect(sparkline([1, 2, 3])).toBe('▁▅█');
    expect(sparkline([0, 0, 4], { fromZero: true })).toBe('  █');
    expect(downsample([1, 1, 3, 3], 2)).toEqual([1, 3]);
    expect(tail('docs/guides/install.md', 12)).toBe('…/install.md');
  });
});
