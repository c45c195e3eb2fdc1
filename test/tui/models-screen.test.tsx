import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelRecord } from '../../src/core/index.ts';
import { openTestCore, renderDashboard, type TestCore } from '../support/tui/dashboard-harness.tsx';

const loser = 'ft:gpt-4o-mini-2024-07-18:acme:support:Lost1';
const fresh = 'ft:gpt-4o-mini-2024-07-18:acme:support:New22';

function candidate(name: string, createdAt: string): ModelRecord {
  return {
    name,
    baseModel: 'gpt-4o-mini-2024-07-18',
    jobId: null,
    datasetVersion: null,
    status: 'candidate',
    evaluation: null,
    promotedAt: null,
    previousActive: null,
    createdAt,
  };
}

describe('Models screen', () => {
  let test: TestCore;

  beforeAll(async () => {
    test = openTestCore();
    await test.store.init({ embedderId: 'test-hash-64', dimensions: 64 });
    const evaluation = {
      id: 'eval-1',
      candidate: loser,
      baseline: 'gpt-4o-mini-2024-07-18',
      winRate: 0.25,
      scores: {
        [loser]: { similarity: 0.41, citationValidity: 0.9, refusalAccuracy: 1 },
        'gpt-4o-mini-2024-07-18': { similarity: 0.63, citationValidity: 1, refusalAccuracy: 1 },
      },
      examples: 8,
      createdAt: '2026-03-01T10:00:00.000Z',
    };
    await test.store.saveModel({ ...candidate(loser, '2026-03-01T09:00:00.000Z'), evaluation });
    await test.store.saveEvaluation({ ...evaluation, rows: [] });
    await test.store.saveModel(candidate(fresh, '2026-03-02T09:00:00.000Z'));
  });

  afterAll(async () => {
    await test.close();
  });

  it('shows evaluations side by side, warns before promoting, promotes and rolls back', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'models' });
    let frame = await dashboard.waitFor('answering now: gpt-4o-mini-2024-07-18 (the configured base model)');
    // Newest first; the loser shows its win rate.
    expect(frame).toMatch(/○ ft:…:support:New22\s/);
    expect(frame).toMatch(/○ ft:…:support:Lost1 25%/);
    expect(frame).toContain('Not evaluated yet');

    // Evaluating a model that has no dataset fails inline; the screen stays usable.
    await dashboard.press('e');
    await dashboard.waitFor(/✗ .*is not a registered candidate\s+with a dataset/);

    await dashboard.press('p');
    frame = await dashboard.waitFor('Promote ft:…:support:New22?');
    expect(frame).toContain('Not evaluated yet: press e first');
    await dashboard.press('y');
    await dashboard.waitFor(`answering now: ${fresh}`);

    await dashboard.press('j');
    frame = await dashboard.waitFor('win rate 25 % on 8 examples');
    expect(frame).toMatch(/similarity\s+0\.41\s+0\.63/);
    expect(frame).toMatch(/valid citations\s+0\.90\s+1\.00/);
    await dashboard.press('p');
    frame = await dashboard.waitFor('It lost its latest evaluation (win rate 25 %');
    // n keeps things as they are.
    await dashboard.press('n');
    await dashboard.waitFor('win rate 25 % on 8 examples');
    expect(await test.core.training.activeModel()).toBe(fresh);
    await dashboard.press('p', 'y');
    await dashboard.waitFor(`answering now: ${loser}`);
    await dashboard.waitForWrapped(
      'ft:…:support:Lost1 is active: bots answer with it within seconds; b rolls back to ft:…:support:New22.',
    );

    await dashboard.press('b');
    frame = await dashboard.waitFor('Roll back?');
    expect(frame).toMatch(/To\s+ft:gpt-4o-mini-2024-07-18:acme:support:Ne/);
    await dashboard.press('y');
    await dashboard.waitFor(`answering now: ${fresh}`);
    expect(await test.core.training.activeModel()).toBe(fresh);
    dashboard.unmount();
  });
});
