/**
 * core.delivery.claim: the one exactly-once path of the chat faces, on a real SQLite store shared by two cores (as
 * two replicas on one store are). Slack's claim is held while the answer is written and given back when it fails;
 * Discord's is finished at once; a duplicate is dropped with one metric and one log line, whichever platform.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { type Clock, type Core, createCore, loadConfig, silentLogger } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { createRecordingLogger } from '../support/slack-test-harness.ts';

const root = mkdtempSync(path.join(tmpdir(), 'answerloop-delivery-'));
const cores: Core[] = [];
let dataDirs = 0;

function openCore(dataDir: string, clock?: Clock, env: Record<string, string> = {}) {
  const logger = createRecordingLogger();
  const config = loadConfig({
    cwd: root,
    env: { ANSWERLOOP_DATA_DIR: dataDir, ANSWERLOOP_LOG_FILE: '', ...env },
  });
  const core = createCore({
    config,
    embedder: createDeterministicEmbedder(),
    logger,
    ...(clock ? { clock } : {}),
  });
  cores.push(core);
  return { core, logger };
}

/** Cores on one new store, as replicas are. */
function openCores(count: number) {
  const dataDir = path.join(root, `data-${(dataDirs += 1)}`);
  return Array.from({ length: count }, () => openCore(dataDir));
}

const dropped = async (core: Core, platform: string) => {
  const { text } = await core.renderMetrics();
  const lines = text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('answerloop_duplicate_deliveries_dropped_total{') &&
        line.includes(`platform="${platform}"`),
    );
  return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
};

afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('core.delivery.claim', () => {
  it('Slack: holds the claim while answering, drops a duplicate meanwhile and after, on any replica', async () => {
    const [a, b] = openCores(2);
    const delivery = await a!.core.delivery.claim('slack', 'Ev1', { payload: { event_id: 'Ev1' } });
    expect(delivery?.takenOver).toBe(false);
    let duringAnswer: unknown = 'unset';
    await delivery!.handle(async () => {
      // Slack retries while the first delivery is being answered: held, so dropped.
      duringAnswer = await b!.core.delivery.claim('slack', 'Ev1', { details: { retryNum: 1 } });
      expect(await delivery!.stillOwned()).toBe(true);
    });
    expect(duringAnswer).toBeUndefined();
    expect(await a!.core.delivery.claim('slack', 'Ev1')).toBeUndefined();
    expect((await a!.core.coordination.claims.inspect('slack', 'Ev1'))?.state).toBe('answered');
    expect(await dropped(b!.core, 'slack')).toBe(1);
    expect(await dropped(a!.core, 'slack')).toBe(1);
    const line = b!.logger.entries.find((entry) => entry.message?.startsWith('Dropped a Slack delivery'));
    expect(line?.object).toMatchObject({ deliveryId: 'Ev1', claim: 'held', retryNum: 1 });
  });

  it('Slack: a failed answer gives the claim back, so a retry of the delivery is answered', async () => {
    const [a] = openCores(1);
    const first = await a!.core.delivery.claim('slack', 'Ev2', { payload: {} });
    await expect(first!.handle(() => Promise.reject(new Error('model down')))).rejects.toThrow('model down');
    const retry = await a!.core.delivery.claim('slack', 'Ev2', { payload: {} });
    expect(retry).toBeDefined();
    await retry!.handle(async () => undefined);
    expect((await a!.core.coordination.claims.inspect('slack', 'Ev2'))?.state).toBe('answered');
  });

  it('Discord: the claim is finished at once; every later delivery of the event is dropped', async () => {
    const [a, b] = openCores(2);
    const delivery = await a!.core.delivery.claim('discord', 'interaction:42', {
      details: { kind: 'interaction', id: '42' },
    });
    expect(delivery).toBeDefined();
    expect((await a!.core.coordination.claims.inspect('discord', 'interaction:42'))?.state).toBe('answered');
    expect(
      await b!.core.delivery.claim('discord', 'interaction:42', {
        details: { kind: 'interaction', id: '42' },
      }),
    ).toBeUndefined();
    expect(await dropped(b!.core, 'discord')).toBe(1);
    const line = b!.logger.entries.find((entry) => entry.message?.startsWith('Dropped a Discord delivery'));
    expect(line?.object).toMatchObject({ kind: 'interaction', id: '42', claim: 'done', state: 'answered' });
  });

  it('a replica takes over a Slack delivery left unfinished, once, unless its answer was posted already', async () => {
    const later: Clock = {
      now: () => new Date(Date.now() + 3_600_000),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    const [a] = openCores(1);
    const { core: other } = openCore(a!.core.config.dataDir, later);
    const question = { channel: 'C1', messageId: '1700000000.000100' };
    // Replica a claims two deliveries and stops renewing: it answered the second before it stopped.
    for (const id of ['Ev3', 'Ev4'])
      expect(
        await a!.core.delivery.claim('slack', id, { payload: { event_id: id }, question }),
      ).toBeDefined();
    const taken = await other.delivery.takeOverExpired('slack', 10);
    expect(taken.map((delivery) => delivery.id).sort()).toEqual(['Ev3', 'Ev4']);

    const resumed = await other.delivery.claim('slack', 'Ev3', { payload: {} });
    expect(resumed?.takenOver).toBe(true);
    // The taken-over claim is handed out once: a duplicate of the delivery reaching this replica is dropped.
    expect(await other.delivery.claim('slack', 'Ev3', { payload: {} })).toBeUndefined();
    await resumed!.handle(async () => undefined);
    // The first replica finds the delivery is no longer its own before posting.
    const aClaim = a!.core.coordination.claims.heldHere('slack', 'Ev3');
    expect(aClaim === undefined || (await aClaim.renew()) === false).toBe(true);

    await other.threads.record({
      platform: 'slack',
      channel: 'C1',
      thread: question.messageId,
      messageId: '1700000000.000200',
      role: 'assistant',
      text: 'An answer posted before the replica stopped.',
      at: new Date().toISOString(),
      answers: question.messageId,
    });
    expect(await other.delivery.claim('slack', 'Ev4', { payload: {}, question })).toBeUndefined();
    expect((await other.coordination.claims.inspect('slack', 'Ev4'))?.state).toBe('answered');
  });

  it('core.background.start runs the claim sweep of a face that answers again, and hands it what it took over', async () => {
    const later: Clock = {
      now: () => new Date(Date.now() + 3_600_000),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    const [a] = openCores(1);
    const { core: other } = openCore(a!.core.config.dataDir, later, {
      ANSWERLOOP_COORDINATION__SWEEP_INTERVAL_MS: '100',
      ANSWERLOOP_COORDINATION__LEASE_TTL_MS: '300',
    });
    expect(other.background.start().jobs).toEqual([]);
    // Event ids an older version kept (its exactly-once path before claims), never purged then.
    const config = other.config;
    const older = createSqliteStore({
      file: path.join(config.dataDir, config.store.embedded.file),
      logger: silentLogger,
    });
    for (const id of ['Ev0a', 'Ev0b', 'Ev0c'])
      await older.putIfAbsent('event:slack', id, '2026-11-01T00:00:00Z');
    await older.putIfAbsent('event:discord', '1234', '2026-11-01T00:00:00Z');
    await older.setValue('settings', 'kept', 'yes');
    const body = { type: 'event_callback', event_id: 'Ev9' };
    expect(await a!.core.delivery.claim('slack', 'Ev9', { payload: body })).toBeDefined();
    const redelivered: Array<{ id: string; payload: unknown }> = [];
    const background = other.background.start({
      faces: [
        { platform: 'slack', redeliver: (delivery) => redelivered.push(delivery) },
        { platform: 'discord' },
      ],
    });
    try {
      expect(background.jobs.map((job) => job.name)).toEqual(['slack-claim-sweep', 'coordination-cleanup']);
      for (let waited = 0; redelivered.length === 0 && waited < 5000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(redelivered).toEqual([{ id: 'Ev9', payload: body }]);
      // The face runs the event again: its claim is the taken-over one.
      expect((await other.delivery.claim('slack', 'Ev9', { payload: body }))?.takenOver).toBe(true);
      // The clean-up drained the older version's event ids, and nothing else.
      const left = async () =>
        (await older.listValues('event:slack')).length + (await older.listValues('event:discord')).length;
      for (let waited = 0; (await left()) > 0 && waited < 5000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await left()).toBe(0);
      expect(await older.getValue('settings', 'kept')).toBe('yes');
    } finally {
      await background.stop();
      await older.close();
    }
  });
});
