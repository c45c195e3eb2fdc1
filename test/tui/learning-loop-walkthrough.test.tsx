import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeChatCompletions, fakeFineTuningApi, succeedingJob } from '../support/tui/fake-openai.ts';
import {
  fixtureDocs,
  keys,
  openTestCore,
  renderDashboard,
  type TestCore,
} from '../support/tui/dashboard-harness.tsx';

const fineTunedModel = 'ft:gpt-4o-mini-2024-07-18:acme:support:Walk1';

/** Hand-written examples, so the dataset is big enough to train on; their ids (and splits) are stable. */
const handWritten: Array<[string, string]> = [
  ['How do I change my email address?', 'Open Settings, then Profile, and edit the email field.'],
  ['Can I pay by invoice?', 'Yes: annual plans can be paid by invoice from the Billing page.'],
  ['Where do I find my API key?', 'Open Settings, then Developer, and copy the key shown there.'],
  ['How do I delete my account?', 'Write to support from the address on the account; deletion takes a week.'],
  ['Does the app run on Windows?', 'Yes: download the installer from the Install page and run it.'],
  ['How long are webhook retries spaced?', 'Retries back off exponentially over about an hour.'],
  ['Can two people share an account?', 'No: invite teammates instead, each with their own login.'],
  [
    'How do I turn on two-factor authentication?',
    'Open Settings, then Security, and scan the code with an authenticator app.',
  ],
];

describe('from a not-helpful conversation to a promoted model, without leaving the dashboard', () => {
  let test: TestCore;
  let notHelpfulId: string;

  beforeAll(async () => {
    test = openTestCore({
      openAi: true,
      overrides: {
        answering: { mode: 'offline', stream: false },
        curation: { minExamples: 5, recommendedExamples: 5, validationShare: 0.4 },
        training: { pollSeconds: 0.05 },
      },
    });
    await test.core.ingest([fixtureDocs]);
    const context = { platform: 'slack' as const, channel: 'C-support', userId: 'U7' };
    const refund = await test.core.ask({ question: 'How do I get a refund?', context });
    notHelpfulId = refund.conversationId;
    await test.core.recordFeedback(notHelpfulId, {
      helpful: false,
      comment: 'it does not say where to click',
    });
    for (const [question, answer] of handWritten)
      await test.core.curation.addExample({ question, answer, reviewer: 'seed' });
  });

  afterAll(async () => {
    await test.close();
  });

  it('corrects, snapshots, trains, evaluates, promotes and rolls back', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'overview' });
    await dashboard.waitFor(/To review\s+1 not-helpful conversation waiting/);

    // Review: correct the bot's answer.
    await dashboard.press('2');
    await dashboard.waitFor('“it does not say where');
    await dashboard.press('c', keys.ctrl('u'));
    await dashboard.type('Open the Billing page and choose Request refund within 14 days [1].');
    await dashboard.press(keys.ctrl('s'));
    await dashboard.waitFor(/Corrected “How do I get a refund\?” → dataset support/);

    // Datasets: snapshot the examples into a version and see its report.
    await dashboard.press('3');
    await dashboard.waitFor('support: 9 examples');
    await dashboard.press('s');
    let frame = await dashboard.waitFor(/Snapshot support@1: 9 examples, valid/);
    expect(frame).toMatch(/Validation\s+✓ valid · 0 errors/);
    expect(frame).toMatch(/Tokens\s+[\d,]+ in 9 examples/);
    expect(frame).toMatch(/Est\. cost\s+\$\d+\.\d+ = [\d,]+ × 3 epochs × \$3\/M/);

    // Training: start a job on that version after the confirmation, then follow it to the end.
    const api = fakeFineTuningApi({ jobId: 'ftjob-walk', stages: succeedingJob(fineTunedModel) });
    await dashboard.press('t');
    frame = await dashboard.waitFor(/Est\. cost\s+\$\d+\.\d+ at \$3 per million tokens/);
    expect(frame).toMatch(/Start fine-tuning\?/);
    expect(frame).toMatch(/Dataset\s+support@1/);
    expect(frame).toMatch(/Base model\s+gpt-4o-mini-2024-07-18/);
    await dashboard.press('y');
    frame = await dashboard.waitFor(`model ${fineTunedModel}`, 10_000);
    expect(frame).toMatch(/ftjob-walk succeeded/);
    expect(frame).toMatch(/step 3 · train loss 0\.450 · valid loss 0\.580/);
    expect(frame).toMatch(/train\s+\S+ 1\.200 → 0\.450/);
    expect(frame).toContain('The job has successfully completed');
    await dashboard.waitFor('is registered as a candidate');
    expect(api.sent.job).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      training_file: 'file-1',
      suffix: 'support',
    });

    // Models: evaluate the candidate against the base model, then promote it.
    const chat = fakeChatCompletions((model, messages) => {
      const question = messages.at(-1)!.content;
      const example = handWritten.find(([asked]) => question.includes(asked));
      // The candidate repeats the approved answer; the base model says something vaguer.
      return model === fineTunedModel
        ? (example?.[1] ?? 'Open the Billing page and choose Request refund within 14 days [1].')
        : 'Please check the documentation.';
    });
    await dashboard.press('5');
    await dashboard.waitFor('Not evaluated yet');
    await dashboard.press('e');
    frame = await dashboard.waitFor(/win rate 100 % on \d+ examples/, 10_000);
    expect(frame).toMatch(/similarity\s+1\.00\s+0\.\d\d/);
    expect(chat.calls[fineTunedModel]).toBeGreaterThan(0);
    expect(chat.calls['gpt-4o-mini-2024-07-18']).toBe(chat.calls[fineTunedModel]);

    await dashboard.press('p');
    await dashboard.waitFor('Promote ft:…:support:Walk1?');
    await dashboard.press('y');
    await dashboard.waitFor('ft:…:support:Walk1 is active');
    expect(await test.core.training.activeModel()).toBe(fineTunedModel);
    expect(dashboard.lastFrame()).toMatch(new RegExp(`answering now: ${fineTunedModel}`));

    // And back again.
    await dashboard.press('b');
    await dashboard.waitFor('Roll back?');
    await dashboard.press('y');
    await dashboard.waitFor('Rolled back: answers come from gpt-4o-mini-2024-07-18 again');
    expect(await test.core.training.activeModel()).toBe('gpt-4o-mini-2024-07-18');
    dashboard.unmount();
  });
});
