import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationRecord } from '../support/learning-loop-fixtures.ts';
import { keys, openTestCore, renderDashboard, type TestCore } from '../support/tui/dashboard-harness.tsx';

describe('Insights screen', () => {
  let test: TestCore;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'answerloop-insights-docs-'));
    mkdirSync(path.join(folder, 'docs'));
    test = openTestCore({
      overrides: {
        answering: { mode: 'offline' },
        knowledge: { sources: [{ name: 'handbook', location: path.join(folder, 'docs') }] },
      },
    });
    await test.core.prepareToServe();
    const asked = (id: string, question: string, minutesAgo: number, extra = {}) =>
      conversationRecord({
        id,
        question,
        answer: 'I could not find this in the documentation.',
        createdAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
        overrides: { refused: true, route: 'refused', confidence: 0.1, user: `user-${id}`, ...extra },
      });
    for (const [index, minutes] of [5, 15, 25].entries())
      await test.store.saveConversation(asked(`export-${index}`, 'How do I export my data to CSV?', minutes));
    await test.store.saveConversation(
      asked('sso-0', 'Do you support single sign-on with Okta?', 60, {
        platform: 'discord',
        channel: 'help-forum',
      }),
    );
  });

  afterAll(async () => {
    await test.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('ranks the gaps with a bar each, shows the questions of the one selected, and fits 80x24', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'insights' });
    const frame = await dashboard.waitFor(/2 gaps from 4 questions/);
    for (const line of frame.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    expect(frame).toMatch(/› 3 █+ +How do I export my data to CSV\?/);
    expect(frame).toMatch(/^ {2}1 █+ +Do you support single sign-on with Okta\?/m);
    expect(frame).toMatch(/asked 3× by 3/);
    expect(frame).toContain('slack C-support: How do I export my data to CSV?');

    await dashboard.press(keys.down);
    await dashboard.waitFor('discord help-forum: Do you support single sign-on with Okta?');
    expect(dashboard.lastFrame()).toMatch(/› 1 █+ +Do you support/);
    dashboard.unmount();
  });

  it('says what to do when no question of the gap has a reviewed answer to publish', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'insights' });
    await dashboard.waitFor(/2 gaps from 4 questions/);
    await dashboard.press('v');
    await dashboard.waitForWrapped(
      'None of its 3 questions is approved or corrected yet: correct one on Review (2)',
    );
    dashboard.unmount();
  });

  it('publishes a verified answer from a corrected question of the gap', async () => {
    await test.core.suggestCorrection('export-1', {
      answer: 'Open Settings, Data, then Export to CSV.',
      by: 'ops',
      source: 'operator',
    });
    const dashboard = renderDashboard(test.core, { screen: 'insights', size: { columns: 140, rows: 30 } });
    await dashboard.waitFor(/2 gaps from 4 questions/);
    await dashboard.press('v');
    await dashboard.waitFor(/Published verified answer [0-9a-f]{12}: the next person asking gets it/);
    await dashboard.waitFor(/Verified: [0-9a-f]{12} Open Settings, Data, then Export to CSV\./);
    dashboard.unmount();
  });

  it('proposes a documentation page after a confirmation: a patch for a folder source', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'insights', size: { columns: 140, rows: 30 } });
    await dashboard.waitFor(/2 gaps from 4 questions/);
    await dashboard.press('d');
    const confirm = await dashboard.waitFor('Propose a documentation page for this gap?');
    expect(confirm).toMatch(/Goes to\s+handbook: a patch file in the data folder/);
    expect(confirm).toMatch(/Draft\s+its verified answer/);
    await dashboard.press('y');
    const done = await dashboard.waitFor(/Patch written for handbook: (\S+\.patch)/);
    const patchFile = /Patch written for handbook: (\S+\.patch)/.exec(done)![1]!;
    expect(existsSync(patchFile)).toBe(true);
    expect(readFileSync(patchFile, 'utf8')).toContain('+# How do I export my data to CSV?');
    dashboard.unmount();
  });
});
