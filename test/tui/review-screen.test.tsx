import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureDocs,
  keys,
  openTestCore,
  renderDashboard,
  type TestCore,
} from '../support/tui/dashboard-harness.tsx';

describe('Review screen', () => {
  let test: TestCore;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    test = openTestCore();
    await test.core.ingest([fixtureDocs]);
    const context = { platform: 'slack' as const, channel: 'C1', userId: 'U1' };
    for (const [name, question] of [
      ['refund', 'How do I get a refund?'],
      ['linux', 'How do I install on Linux?'],
      ['password', 'How do I reset my password?'],
      ['webhooks', 'How often are webhook deliveries retried?'],
    ] as const) {
      ids[name] = (await test.core.ask({ question, context })).conversationId;
    }
    await test.core.recordFeedback(ids.refund!, { helpful: false, comment: 'it links the wrong page' });
    await test.core.recordFeedback(ids.password!, { helpful: false });
    await test.core.recordFeedback(ids.linux!, { helpful: true });
  });

  afterAll(async () => {
    await test.close();
  });

  it('approves, corrects with the inline editor, and rejects; the next item comes up each time', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'review' });
    let frame = await dashboard.waitFor('feedback rated · status new · 3 conversations');
    // Not helpful first, then helpful; conversations nobody rated are under another filter.
    const order = [...frame.matchAll(/^[•✓✎✗]([−+ ])[∅◌ ] (.+?)\s{2,}/gm)].map(
      (match) => `${match[1]}${match[2]!.trim()}`,
    );
    expect(order.slice(0, 2).sort()).toEqual(['−How do I get a refund?', '−How do I reset my passwo…']);
    expect(order[2]).toMatch(/^\+How do I install on Linu/);
    expect(frame).toMatch(/Sources \(fused · bm25 · vector\)/);
    const first = order[0]!.startsWith('−How do I get a refund')
      ? 'How do I get a refund?'
      : 'How do I reset my password?';
    const second =
      first === 'How do I get a refund?' ? 'How do I reset my password?' : 'How do I get a refund?';

    await dashboard.press('a');
    frame = await dashboard.waitFor('Approved');
    expect(frame).toMatch(/✓ Approved “.+” → dataset support/);
    expect(frame).toContain('2 conversations');
    // The cursor is on what was the second item: its question heads the detail pane.
    expect(frame.split('\n')[2]!.trimEnd().endsWith(second)).toBe(true);

    await dashboard.press('c');
    await dashboard.waitFor('Correct the answer');
    // Replace the answer: clear it, then type a new one over two lines, fixing a typo on the way.
    await dashboard.press(keys.ctrl('u'));
    await dashboard.type('Open Billing and choose Request refund [1]!');
    await dashboard.press(keys.backspace);
    await dashboard.type('.');
    await dashboard.press(keys.enter);
    await dashboard.type('Refunds are possible for 14 days.');
    frame = dashboard.lastFrame();
    expect(frame).toMatch(
      /│ Open Billing and choose Request refund \[1\]\.\s*│\n.*│ Refunds are possible for 14 days\./,
    );
    await dashboard.press(keys.ctrl('s'));
    await dashboard.waitFor('Corrected');

    await dashboard.press('x');
    await dashboard.waitFor('Rejected');

    const firstRecord = (await test.core.listConversations({ reviewStatus: ['approved'] })).items;
    expect(firstRecord.map((item) => item.question)).toEqual([first]);
    const corrected = (await test.core.listConversations({ reviewStatus: ['corrected'] })).items;
    expect(corrected).toHaveLength(1);
    expect(corrected[0]!.correctedAnswer).toBe(
      'Open Billing and choose Request refund [1].\nRefunds are possible for 14 days.',
    );
    expect(corrected[0]!.reviewer).toBe('ops@test');
    const examples = await test.core.curation.listExamples({ dataset: 'support' });
    expect(examples).toHaveLength(2);
    expect(
      examples.some((example) =>
        example.messages.at(-1)!.content.startsWith('Open Billing and choose Request refund'),
      ),
    ).toBe(true);
    expect((await test.core.listConversations({ reviewStatus: ['rejected'] })).total).toBe(1);
    dashboard.unmount();
  });

  it('filters by feedback, status and words, and records a diagnosis', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'review' });
    let frame = await dashboard.waitFor('feedback rated · status new · 0 conversations');
    expect(frame).toContain('Nothing to review here.');
    await dashboard.press('s');
    frame = await dashboard.waitFor('status reviewed · 3 conversations');
    expect(frame).toMatch(/^✓/m);
    await dashboard.press('f', 'f', 'f');
    frame = await dashboard.waitFor('feedback not rated · status reviewed · 0 conversations');
    await dashboard.press('s');
    frame = await dashboard.waitFor('feedback not rated · status any · 1 conversation');
    expect(frame).toContain('How often are webhook deliveries retried?');
    await dashboard.press('f', 's');
    frame = await dashboard.waitFor('feedback rated · status new · 0 conversations');
    await dashboard.press('f', 's', 's');
    frame = await dashboard.waitFor('feedback not helpful · status any · 2 conversations');

    await dashboard.press('/');
    await dashboard.type('refund');
    await dashboard.press(keys.enter);
    frame = await dashboard.waitFor('words refund · 1 of 2 conversations');
    expect(frame).toMatch(/wrong page/);

    await dashboard.press('d');
    await dashboard.waitFor('diagnosis retrieval');
    await dashboard.press('d');
    await dashboard.waitFor('diagnosis generation');
    await expect
      .poll(async () => (await test.core.getConversation(ids.refund!))?.failureKind)
      .toBe('generation');

    // Esc in the filter box clears the words.
    await dashboard.press('/', keys.escape);
    await dashboard.waitFor('feedback not helpful · status any · 2 conversations');
    dashboard.unmount();
  });
});
