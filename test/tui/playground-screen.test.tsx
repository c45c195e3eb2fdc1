import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureDocs,
  keys,
  openTestCore,
  renderDashboard,
  type TestCore,
} from '../support/tui/dashboard-harness.tsx';

describe('Playground screen', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = openTestCore();
    await test.core.ingest([fixtureDocs]);
  });

  afterAll(async () => {
    await test.close();
  });

  it('asks a question and shows the answer, its sources and the route; feedback is recorded', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'playground' });
    await dashboard.waitFor('Ask a question the way a user would');
    await dashboard.type('How do I reset my password?');
    await dashboard.press(keys.enter);
    const frame = await dashboard.waitFor(/route retrieve/);
    expect(frame).toMatch(/Q: How do I reset my password\?/);
    expect(frame).toMatch(/Sources/);
    expect(frame).toMatch(/\[1\] .*accounts\.md › Resetting your password/);
    expect(frame).toMatch(/extractive/);
    // Offline, the operator learns that a model reading the passages refuses far better, and how to get one.
    expect(frame).toMatch(/offline: a model that reads the passages refuses far better/);
    expect(frame).toMatch(/answering\.mode\s+local/);
    await dashboard.press('-');
    await dashboard.waitFor('marked not helpful');
    const { items } = await test.core.listConversations({ feedback: 'not_helpful' });
    expect(items.map((item) => item.question)).toContain('How do I reset my password?');
    dashboard.unmount();
  });

  it('takes a question pasted with its newline in one piece', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'playground' });
    await dashboard.waitFor('Ask a question the way a user would');
    await dashboard.type('How do I get a refund?\r');
    const frame = await dashboard.waitFor(/route retrieve/);
    expect(frame).toMatch(/Q: How do I get a refund\?/);
    expect(frame).toMatch(/billing\.md › Refunds/);
    dashboard.unmount();
  });
});
