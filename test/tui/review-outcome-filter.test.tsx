import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationRecord, silentRecord } from '../support/conversation-fixtures.ts';
import { openTestCore, renderDashboard, type TestCore } from '../support/tui/dashboard-harness.tsx';

/** A queue row: the status, feedback and outcome marks, then the question (the detail pane on the right left out). */
const queueRow = /^([•✓✎✗])([−+ ])([∅◌ ]) (.+?)\s{2,}/gm;

/** The questions of the queue's rows, in order. */
function listedQuestions(frame: string): string[] {
  return [...frame.matchAll(queueRow)].map((match) => match[4]!.trim());
}

/** The outcome mark of each row, by question. */
function outcomeMarks(frame: string): Record<string, string> {
  return Object.fromEntries([...frame.matchAll(queueRow)].map((match) => [match[4]!.trim(), match[3]!]));
}

/** One answered, one refused and one silent conversation, nobody rating any (a silent question has nobody to). */
async function saveOneOfEach(test: TestCore, answeredQuestion: string): Promise<void> {
  await test.store.saveConversation(
    conversationRecord({
      id: 'answered-1',
      question: answeredQuestion,
      answer: 'Under Billing > Invoices [1].',
      createdAt: '2025-03-01T10:00:00.000Z',
    }),
  );
  await test.store.saveConversation(
    conversationRecord({
      id: 'refused-1',
      question: 'Is there a Linux build?',
      answer: "I don't know: the documentation does not say.",
      createdAt: '2025-03-01T11:00:00.000Z',
      overrides: { route: 'refused', refused: true, confidence: 0.2 },
    }),
  );
  await test.store.saveConversation(
    silentRecord({
      id: 'silent-1',
      question: 'Do exports keep the tags?',
      createdAt: '2025-03-01T12:00:00.000Z',
    }),
  );
}

describe('Review screen: what the bot did', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = openTestCore();
    await saveOneOfEach(test, 'Where are my invoices?');
  });

  afterAll(async () => {
    await test.close();
  });

  it('o cycles all, answered, refused and silent, each listing only its conversations', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'review' });
    await dashboard.waitFor('feedback rated · status new · 0 conversations');

    // An empty silent queue says why: silent questions are never rated.
    await dashboard.press('o', 'o', 'o');
    let frame = await dashboard.waitFor('feedback rated · status new · outcome silent · 0 conversations');
    expect(frame).toContain('No silent questions here.');
    expect(frame).toMatch(/Silent questions are never\s+rated/);

    await dashboard.press('f', 'f', 'f');
    frame = await dashboard.waitFor('feedback not rated · status new · outcome silent · 1 conversation');
    expect(listedQuestions(frame)).toEqual(['Do exports keep the tags?']);

    await dashboard.press('o');
    frame = await dashboard.waitFor('feedback not rated · status new · 3 conversations');
    expect(frame).not.toContain('outcome');
    expect(listedQuestions(frame).sort()).toEqual([
      'Do exports keep the tags?',
      'Is there a Linux build?',
      'Where are my invoices?',
    ]);

    await dashboard.press('o');
    frame = await dashboard.waitFor('outcome answered · 1 conversation');
    expect(listedQuestions(frame)).toEqual(['Where are my invoices?']);

    await dashboard.press('o');
    frame = await dashboard.waitFor('outcome refused · 1 conversation');
    expect(listedQuestions(frame)).toEqual(['Is there a Linux build?']);

    await dashboard.press('o');
    frame = await dashboard.waitFor('outcome silent · 1 conversation');
    expect(listedQuestions(frame)).toEqual(['Do exports keep the tags?']);

    // The other filters still apply: nothing silent has been reviewed.
    await dashboard.press('s');
    frame = await dashboard.waitFor('status reviewed · outcome silent · 0 conversations');
    expect(frame).toContain('No silent questions here.');
    expect(frame).toContain('f, s and o change the filters.');
    dashboard.unmount();
  });
});

describe('Review screen: the outcome mark of each row', () => {
  let test: TestCore;
  const longQuestion = 'Where do I find the invoices of last year for the accounting department?';

  beforeAll(async () => {
    test = openTestCore();
    await saveOneOfEach(test, longQuestion);
  });

  afterAll(async () => {
    await test.close();
  });

  it('marks refused questions ∅ and silent ones ◌, answers none, and fits the question beside the marks', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'review' });
    await dashboard.waitFor('feedback rated · status new · 0 conversations');
    await dashboard.press('f', 'f', 'f');
    const frame = await dashboard.waitFor('feedback not rated · status new · 3 conversations');

    // At 80 columns the list is 30 wide: three marks and a space, the question cut to 25, and a free column, so the
    // long question is cut rather than wrapped onto a second row.
    const cut = `${longQuestion.slice(0, 24)}…`;
    expect(outcomeMarks(frame)).toEqual({
      [cut]: ' ',
      'Is there a Linux build?': '∅',
      'Do exports keep the tags?': '◌',
    });
    const rows = frame.split('\n').filter((line) => /^[•✓✎✗][−+ ][∅◌ ] /.test(line));
    expect(rows).toHaveLength(3);
    const longRow = rows.find((row) => row.includes(cut))!;
    expect(longRow.slice(0, 29)).toBe(`•   ${cut}`);
    expect(longRow.slice(29, 31)).toBe('  ');
    dashboard.unmount();
  });
});
