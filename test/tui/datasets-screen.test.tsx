import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, openTestCore, renderDashboard, type TestCore } from '../support/tui/dashboard-harness.tsx';

describe('Datasets screen', () => {
  let test: TestCore;

  beforeAll(() => {
    test = openTestCore({ overrides: { curation: { minExamples: 3, recommendedExamples: 10 } } });
  });

  afterAll(async () => {
    await test.close();
  });

  it('explains what to do with no dataset, and shows a failed snapshot inline', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'datasets' });
    await dashboard.waitFor('No dataset yet.');
    await dashboard.press('s');
    await dashboard.waitFor(/✗ Dataset support has no examples yet/);
    // Still usable: other screens open.
    await dashboard.press('1');
    await dashboard.waitFor('Questions per day');
    dashboard.unmount();
  });

  it('snapshots, validates, exports in a chosen format, and hands a version to Training', async () => {
    for (const [question, answer] of [
      [
        'How do I change my email address?',
        'Open Settings, then Profile, and edit the email field. Write to jane@example.com if stuck.',
      ],
      ['Can I pay by invoice?', 'Yes: annual plans can be paid by invoice from the Billing page.'],
      ['Where do I find my API key?', 'Open Settings, then Developer, and copy the key shown there.'],
      ['Does the app run on Windows?', 'Yes: download the installer from the Install page and run it.'],
    ] as const) {
      await test.core.curation.addExample({ question, answer, reviewer: 'seed' });
    }
    const dashboard = renderDashboard(test.core, { screen: 'datasets' });
    await dashboard.waitFor('support: 4 examples · 0 versions');
    await dashboard.press('s');
    let frame = await dashboard.waitFor('Snapshot support@1: 4 examples, valid');
    expect(frame).toMatch(/✓ v1 /);
    expect(frame).toMatch(/Scrubbed\s+1 examples \(1 email\)/);
    // Below the recommended size: a warning, not an error.
    expect(frame).toMatch(/! 4 training examples is enough to start, but/);

    // Nothing changed: a second snapshot makes no new version.
    await dashboard.press('s');
    await dashboard.waitFor('Nothing changed since support@1: no new version');

    await dashboard.press('v');
    await dashboard.waitFor(/support@1 is valid: 0 errors, \d+ warnings, 4 examples/);

    await dashboard.press('e');
    frame = await dashboard.waitFor('Export support@1 as');
    expect(frame).toContain('OpenAI chat JSONL');
    await dashboard.press('l');
    await dashboard.waitFor('ShareGPT conversations');
    await dashboard.press(keys.enter);
    frame = await dashboard.waitFor(/Exported \d \+ \d examples to/);
    const folder = path.join(test.dataDir, 'exports');
    const train = path.join(folder, 'support-v1-sharegpt-train.jsonl');
    expect(existsSync(train)).toBe(true);
    const firstLine = JSON.parse(readFileSync(train, 'utf8').split('\n')[0]!) as {
      conversations: Array<{ from: string }>;
    };
    expect(firstLine.conversations.map((turn) => turn.from)).toContain('gpt');

    await dashboard.press('t');
    frame = await dashboard.waitFor('Start fine-tuning?');
    expect(frame).toMatch(/Dataset\s+support@1/);
    expect(frame).toMatch(/ 4 Training /);
    await dashboard.press('n');
    await dashboard.waitFor('No training jobs yet.');
    dashboard.unmount();
  });
});
