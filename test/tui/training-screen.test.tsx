import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeFineTuningApi, runningJob } from '../support/tui/fake-openai.ts';
import { keys, openTestCore, renderDashboard, type TestCore } from '../support/tui/dashboard-harness.tsx';
import { conversationRecord } from '../support/learning-loop-fixtures.ts';

const examples: Array<[string, string]> = [
  ['How do I change my email address?', 'Open Settings, then Profile, and edit the email field.'],
  ['Can I pay by invoice?', 'Yes: annual plans can be paid by invoice from the Billing page.'],
  ['Where do I find my API key?', 'Open Settings, then Developer, and copy the key shown there.'],
  ['Does the app run on Windows?', 'Yes: download the installer from the Install page and run it.'],
];

describe('Training screen', () => {
  let test: TestCore;

  beforeAll(() => {
    test = openTestCore({
      openAi: true,
      overrides: {
        answering: { mode: 'offline' },
        curation: { minExamples: 3 },
        training: { pollSeconds: 0.05 },
      },
    });
  });

  afterAll(async () => {
    await test.close();
  });

  it('says what is missing when there is no version to train on', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'training' });
    await dashboard.waitFor('No training jobs yet.');
    await dashboard.press('n');
    await dashboard.waitFor('No dataset version to train on: snapshot one on the Datasets screen (3) first.');
    dashboard.unmount();
  });

  it('confirms with the estimate, refuses an invalid version, starts a job, follows it and cancels it', async () => {
    for (const [question, answer] of examples.slice(0, 2))
      await test.core.curation.addExample({ question, answer, reviewer: 'seed' });
    await test.core.curation.snapshot({ createdBy: 'seed' });
    for (const [question, answer] of examples.slice(2))
      await test.core.curation.addExample({ question, answer, reviewer: 'seed' });
    await test.core.curation.snapshot({ createdBy: 'seed' });
    const api = fakeFineTuningApi({ jobId: 'ftjob-cancel', stages: runningJob() });

    const dashboard = renderDashboard(test.core, { screen: 'training' });
    await dashboard.waitFor('No training jobs yet.');
    await dashboard.press('n');
    let frame = await dashboard.waitFor(/Est\. cost\s+\$/);
    expect(frame).toMatch(/Dataset\s+◂ support@2 ▸\s+\(1 of 2/);
    expect(frame).toMatch(/Examples\s+4 train · 0 validation/);

    // The older version has too few examples: the form says so and y does not start it.
    await dashboard.press(keys.right);
    frame = await dashboard.waitFor('This version does not pass validation');
    expect(frame).toMatch(/◂ support@1 ▸\s+\(2 of 2/);
    await dashboard.press('y');
    expect(dashboard.lastFrame()).toContain('Start fine-tuning?');
    expect(api.sent.job).toBeNull();

    // Back to the valid version, with another base model typed in.
    await dashboard.press(keys.left, 'm');
    await dashboard.waitFor(/Base model gpt-4o-mini-2024-07-18/);
    await dashboard.type('-custom');
    await dashboard.press(keys.enter);
    await dashboard.waitFor(/Base model\s+gpt-4o-mini-2024-07-18-custom/);
    await dashboard.press('y');
    frame = await dashboard.waitFor(/ftjob-cancel running/, 10_000);
    await dashboard.waitFor('step 1 · train loss 2.000');
    expect(api.sent.job).toMatchObject({ model: 'gpt-4o-mini-2024-07-18-custom' });
    expect(dashboard.lastFrame()).toMatch(/ 4 Training\* /);

    await dashboard.press('x');
    await dashboard.waitFor('Cancel job ftjob-cancel?');
    await dashboard.press('y');
    frame = await dashboard.waitFor('Job ftjob-cancel is cancelled.');
    expect(frame).toMatch(/ftjob-cancel cancelled/);
    expect((await test.core.training.getJob('ftjob-cancel')).status).toBe('cancelled');
    await dashboard.waitFor(/ 4 Training /);
    dashboard.unmount();
  });
});

describe('Training screen with the schedule of answerloop start', () => {
  it('shows what the retraining policy last decided', async () => {
    const test = openTestCore({
      openAi: true,
      overrides: {
        answering: { mode: 'offline' },
        training: {
          schedule: { everyHours: 6, evaluateCandidates: true, evaluationLimit: 0, autoPromote: false },
        },
      },
    });
    try {
      const decided = await test.core.trainingSchedule.retrainIfNeeded();
      expect(decided).toMatchObject({ ok: true, started: false });
      const dashboard = renderDashboard(test.core, { screen: 'training' });
      await dashboard.waitFor(/Schedule: every 6 h · last .*: 0 new approved examples/);
      dashboard.unmount();
    } finally {
      await test.close();
    }
  });
});

describe('Training screen after training.guard rolled a promotion back', () => {
  it('says so on the schedule line', async () => {
    const test = openTestCore({
      openAi: true,
      overrides: {
        answering: { mode: 'offline' },
        training: {
          guard: { enabled: true, windowHours: 24, minQuestions: 3, notHelpfulBand: 0.1, refusalBand: 0.1 },
        },
      },
    });
    try {
      const base = test.core.config.openai.chatModel;
      const candidate = 'ft:gpt-4o-mini-2024-07-18:acme:support:Tui1';
      const answered = (id: string, model: string, minutesFromNow: number, helpful: boolean) =>
        conversationRecord({
          id,
          question: `question ${id}`,
          answer: 'An answer [1].',
          createdAt: new Date(Date.now() + minutesFromNow * 60_000).toISOString(),
          helpful,
          overrides: { model },
        });
      await test.core.prepareToServe();
      for (const index of [1, 2, 3])
        await test.store.saveConversation(answered(`before-${index}`, base, -60 - index, true));
      await test.store.saveModel({
        name: candidate,
        baseModel: base,
        jobId: null,
        datasetVersion: null,
        status: 'candidate',
        evaluation: null,
        promotedAt: null,
        previousActive: null,
        createdAt: new Date(Date.now() - 3_600_000).toISOString(),
      });
      await test.core.training.promote({ model: candidate, by: 'ops' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const index of [1, 2, 3])
        await test.store.saveConversation(answered(`after-${index}`, candidate, 0, false));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await test.core.trainingSchedule.watchJobs()).guard?.decision).toBe('rolled_back');
      const dashboard = renderDashboard(test.core, { screen: 'training', size: { columns: 200, rows: 24 } });
      await dashboard.waitFor(/⚠ guard rolled back .*Tui1 .*: rolled back to .*not helpful 0\.0% → 100\.0%/);
      dashboard.unmount();
    } finally {
      await test.close();
    }
  });
});
