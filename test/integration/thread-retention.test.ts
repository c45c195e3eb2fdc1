import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { type Clock, type Core, createCore, loadConfig, silentLogger } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const now = new Date('2026-03-20T12:00:00.000Z');
const clock: Clock = { now: () => now, sleep: async () => {} };
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
const place = { platform: 'slack' as const, channel: 'C-help', thread: '1773900000.000100' };

/** Thread messages are kept for threads.retentionDays, counted on the core's clock. */
describe('thread message retention', () => {
  let core: Core;

  beforeAll(async () => {
    const config = loadConfig({
      env: {
        ANSWERLOOP_LOG_FILE: '',
        ANSWERLOOP_ANSWERING__MODE: 'offline',
        ANSWERLOOP_THREADS__RETENTION_DAYS: '7',
      },
    });
    core = createCore({
      config,
      store: createSqliteStore({ file: ':memory:', logger: silentLogger }),
      embedder: createDeterministicEmbedder(),
      clock,
      logger: silentLogger,
    });
    await core.prepareToServe();
  });

  afterAll(() => core?.close());

  it('deletes the messages older than the retention and keeps the newer ones', async () => {
    const message = (id: string, at: string) =>
      core.threads.record({ ...place, messageId: id, role: 'user', userId: 'U1', text: `text ${id}`, at });
    await message('old', daysAgo(8));
    await message('recent', daysAgo(6));
    expect(await core.threads.purgeExpired(500)).toBe(1);
    expect(await core.threads.purgeExpired(500)).toBe(0);
    expect(await core.threads.history(place, { messageId: '', at: now.toISOString() }, 10)).toEqual([
      { role: 'user', text: 'text recent' },
    ]);
  });

  it('refuses a retention that is not a positive number of days', () => {
    expect(() =>
      loadConfig({ env: { ANSWERLOOP_LOG_FILE: '', ANSWERLOOP_THREADS__RETENTION_DAYS: '0' } }),
    ).toThrow(/threads\.retentionDays/);
  });
});
