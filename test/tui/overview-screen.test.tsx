import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureDocs,
  openTestCore,
  renderDashboard,
  type TestCore,
} from '../support/tui/dashboard-harness.tsx';

describe('Overview screen', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = openTestCore();
    await test.core.ingest([fixtureDocs]);
    const context = { platform: 'slack' as const, channel: 'C1', userId: 'U1' };
    const reset = await test.core.ask({ question: 'How do I reset my password?', context });
    const refund = await test.core.ask({ question: 'How do I get a refund?', context });
    await test.core.ask({ question: 'What is the airspeed velocity of an unladen swallow?', context });
    await test.core.recordFeedback(reset.conversationId, { helpful: true });
    await test.core.recordFeedback(refund.conversationId, { helpful: false, comment: 'wrong page' });
  });

  afterAll(async () => {
    await test.close();
  });

  it('shows the knowledge base, questions per day, feedback, refusals, latency, model and store', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'overview' });
    const frame = await dashboard.waitFor('Questions per day');
    expect(frame).toMatch(/Knowledge\s+4 documents · \d+ passages/);
    expect(frame).toMatch(/Store\s+● embedded: .*answerloop\.db/);
    expect(frame).toMatch(/Questions\s+3 today · 3 in 7 days/);
    expect(frame).toMatch(/Feedback\s+1 helpful · 1 not helpful · 50 % helpful/);
    expect(frame).toMatch(/Refusals\s+1 · 33\.3 % of questions/);
    expect(frame).toMatch(/Latency\s+p50 \d+ ms · p95 \d+ ms \(3 answers\)/);
    expect(frame).toMatch(/Active model\s+extractive \(offline\)/);
    expect(frame).toMatch(/Training\s+no job in flight/);
    expect(frame).toMatch(/To review\s+1 not-helpful conversation waiting/);
    // Today's bar is the longest, and the chart has seven days.
    expect(frame.match(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d\d-\d\d /gm)).toHaveLength(7);
    expect(frame).toMatch(/\d\d-\d\d █+ 3\n/);

    // New activity shows after a refresh.
    await test.core.ask({ question: 'How do I install on Linux?', context: { platform: 'discord' } });
    await dashboard.press('r');
    await dashboard.waitFor(/Questions\s+4 today · 4 in 7 days/);
    dashboard.unmount();
  });

  it('shows the share resolved without a person as bars per week on a wide terminal', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'overview', size: { columns: 140, rows: 40 } });
    const frame = await dashboard.waitFor('Resolved without a person, per week');
    // Four weeks, this one last: of this week's questions, the refused one and the unhelpful one are not resolved.
    const weeks = frame.match(/^.*\d\d-\d\d [█░]* ?(\d+ %|—) of \d+$/gm) ?? [];
    expect(weeks.length).toBeGreaterThanOrEqual(4);
    const { total } = await test.core.insights.resolution({ since: '3w' });
    expect(frame).toContain(`${Math.round((total.resolvedShare ?? 0) * 100)} % of ${total.questions}`);
    expect(total.resolvedWithoutPerson).toBe(total.questions - 2);
    dashboard.unmount();
  });
});
