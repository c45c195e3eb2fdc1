import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureDocs,
  keys,
  openTestCore,
  renderDashboard,
  type TestCore,
} from '../support/tui/dashboard-harness.tsx';

describe('Review screen: verified answers', () => {
  let test: TestCore;
  let conversationId: string;

  beforeAll(async () => {
    test = openTestCore();
    await test.core.ingest([fixtureDocs]);
    conversationId = (
      await test.core.ask({
        question: 'How do I reset my password?',
        context: { platform: 'slack', channel: 'C1' },
      })
    ).conversationId;
    await test.core.recordFeedback(conversationId, { helpful: false });
    await test.core.ask({
      question: 'How do I get a refund?',
      context: { platform: 'slack', channel: 'C1' },
    });
  });

  afterAll(async () => {
    await test.close();
  });

  it('publishes a reviewed answer with v, then edits, re-approves and retires it in the verified list', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'review', size: { columns: 100, rows: 24 } });
    await dashboard.waitFor('status new · 1 conversation');
    // Not reviewed yet: publishing says what to do first, and nothing is published.
    await dashboard.press('v');
    await dashboard.waitForWrapped('Publishing failed');
    expect(await test.core.verified.list()).toEqual([]);

    await dashboard.press('a');
    await dashboard.waitFor('Approved');
    await dashboard.press('s');
    await dashboard.waitFor('status reviewed · 1 conversation');
    await dashboard.press('v');
    await dashboard.waitForWrapped('Published a verified answer for “How do I reset my password?”');
    const [published] = await test.core.verified.list();
    expect(published).toMatchObject({
      question: 'How do I reset my password?',
      originConversationId: conversationId,
      verifiedBy: 'ops@test',
    });

    await dashboard.press('V');
    let frame = await dashboard.waitFor('Verified answers · 1 in use or stale');
    expect(frame).toContain(`verified/${published!.id} · verified by ops@test`);
    expect(frame).toContain('Rests on');

    await dashboard.press('e');
    await dashboard.waitFor('Edit the verified answer');
    await dashboard.press(keys.ctrl('u'));
    await dashboard.type('Settings, Security, "Send reset link" [1]. Check the spam folder.');
    await dashboard.press(keys.ctrl('s'));
    await dashboard.waitFor('Edited “How do I reset my password?”');
    expect((await test.core.verified.get(published!.id)).answer).toBe(
      'Settings, Security, "Send reset link" [1]. Check the spam folder.',
    );

    // A page it rests on changes: it shows as stale until re-approved.
    await test.core.curation.flagStale([published!.sources[0]!.docId]);
    await dashboard.press('r');
    frame = await dashboard.waitFor('stale, withdrawn until re-approved (a) or edited (e)');
    expect(frame).toMatch(/^! How do I reset my password\?/m);
    await dashboard.press('a');
    await dashboard.waitFor('Re-approved');
    expect((await test.core.verified.get(published!.id)).stale).toBe(false);

    await dashboard.press('x');
    await dashboard.waitFor('Retire this verified answer?');
    await dashboard.press('n');
    await dashboard.waitFor('Verified answers · 1 in use or stale');
    await dashboard.press('x', 'y');
    frame = await dashboard.waitFor('No verified answers yet.');
    expect(frame).toContain('Retired “How do I reset my password?”');
    expect((await test.core.verified.get(published!.id)).status).toBe('retired');

    await dashboard.press(keys.escape);
    await dashboard.waitFor('status new');
    dashboard.unmount();
  });
});

describe('Review screen: a documentation page proposed from a verified answer', () => {
  it('writes a patch for the folder source with d, and says what it needs without one', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'answerloop-review-docs-'));
    const withSource = openTestCore({
      overrides: { knowledge: { sources: [{ name: 'handbook', location: folder }] } },
    });
    const without = openTestCore();
    try {
      for (const test of [withSource, without]) {
        await test.core.ingest([fixtureDocs]);
        const { conversationId } = await test.core.ask({
          question: 'How do I reset my password?',
          context: { platform: 'slack', channel: 'C1' },
        });
        await test.core.curation.approve({ conversationId, reviewer: 'ops' });
        await test.core.verified.publish({ conversationId, reviewer: 'ops' });
      }
      const dashboard = renderDashboard(withSource.core, {
        screen: 'review',
        size: { columns: 140, rows: 24 },
      });
      await dashboard.waitFor('status new');
      await dashboard.press('V');
      await dashboard.waitFor('Verified answers · 1 in use or stale');
      await dashboard.press('d');
      const frame = await dashboard.waitFor(/Patch written for handbook: \S+\.patch/);
      const patchFile = /Patch written for handbook: (\S+\.patch)/.exec(frame)![1]!;
      expect(readFileSync(patchFile, 'utf8')).toContain('+# How do I reset my password?');
      dashboard.unmount();

      const bare = renderDashboard(without.core, { screen: 'review', size: { columns: 140, rows: 24 } });
      await bare.waitFor('status new');
      await bare.press('V');
      await bare.waitFor('Verified answers · 1 in use or stale');
      await bare.press('d');
      await bare.waitForWrapped('No git or folder source in knowledge.sources to propose the change to');
      bare.unmount();
    } finally {
      await withSource.close();
      await without.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
