/**
 * The coordination part of the store contract: versioned records with conditional writes (the port), and the
 * claim, lease and background-job services built on them, run against each real store. Several services on
 * one store stand for several replicas: they differ only in their replica id, as processes do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCoordinationService, type CoordinationService } from '../../src/core/coordination/index.ts';
import { type Clock, silentLogger } from '../../src/core/ports/index.ts';
import type { OpenStore } from './store-contract.ts';

/** A clock the test moves by hand: expiry without sleeping. */
function manualClock(start = Date.parse('2026-03-01T10:00:00.000Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

const claimSettings = { ttlMs: 30_000, retentionMs: 3_600_000, maxAttempts: 3 };

export function defineCoordinationContract(name: string, openStore: OpenStore): void {
  describe(`${name} coordination contract`, () => {
    let opened: Awaited<ReturnType<OpenStore>> | undefined;
    let clock: ReturnType<typeof manualClock>;
    const store = () => opened!.store;
    const replica = (replicaId: string, settings = claimSettings): CoordinationService =>
      createCoordinationService({ store: store(), clock, logger: silentLogger, claims: settings, replicaId });

    beforeEach(async () => {
      clock = manualClock();
      opened = await openStore();
    });
    afterEach(async () => {
      const current = opened;
      opened = undefined;
      if (!current) return;
      try {
        await current.store.close();
      } finally {
        await current.cleanup?.();
      }
    });

    it('prepares every index or table, so reads on a fresh store serve at once', async () => {
      await store().prepare();
      await store().prepare();
      expect(await store().readRecord('test', 'missing')).toBeUndefined();
      expect(await store().listConversations({ limit: 1 })).toEqual({ items: [], total: 0 });
      expect(
        await store().listDueRecords('test', { states: ['working'], dueBefore: Date.now(), limit: 10 }),
      ).toEqual([]);
    });

    describe('records', () => {
      it('creates once, then changes only through the version last read', async () => {
        const first = await store().createRecord('test', 'k', {
          state: 'working',
          dueAt: 1000,
          value: 'one',
        });
        expect(first).toMatchObject({ key: 'k', state: 'working', dueAt: 1000, value: 'one' });
        expect(
          await store().createRecord('test', 'k', { state: 'working', dueAt: 2000, value: 'two' }),
        ).toBeUndefined();
        expect(await store().readRecord('test', 'k')).toEqual(first);

        const second = await store().replaceRecord(
          'test',
          'k',
          { state: 'answered', dueAt: 5000, value: 'done' },
          first!.version,
        );
        expect(second).toMatchObject({ state: 'answered', dueAt: 5000, value: 'done' });
        expect(second!.version).not.toBe(first!.version);
        // A writer still holding the old version loses, and changes nothing.
        expect(
          await store().replaceRecord(
            'test',
            'k',
            { state: 'working', dueAt: 9000, value: 'stale' },
            first!.version,
          ),
        ).toBeUndefined();
        expect(await store().readRecord('test', 'k')).toEqual(second);

        expect(await store().deleteRecord('test', 'k', first!.version)).toBe(false);
        expect(await store().deleteRecord('test', 'k', second!.version)).toBe(true);
        expect(await store().readRecord('test', 'k')).toBeUndefined();
        expect(await store().deleteRecord('test', 'k', second!.version)).toBe(false);
        expect(
          await store().replaceRecord(
            'test',
            'k',
            { state: 'working', dueAt: 1, value: 'gone' },
            second!.version,
          ),
        ).toBeUndefined();
      });

      it('keeps namespaces apart and refuses versions it never issued', async () => {
        await store().createRecord('one', 'k', { state: 's', dueAt: 1, value: 'a' });
        expect(await store().readRecord('two', 'k')).toBeUndefined();
        expect(await store().createRecord('two', 'k', { state: 's', dueAt: 1, value: 'b' })).toBeDefined();
        expect(
          await store().replaceRecord('one', 'k', { state: 's', dueAt: 1, value: 'c' }, 'not-a-version'),
        ).toBeUndefined();
        expect(await store().deleteRecord('one', 'k', 'not-a-version')).toBe(false);
        expect((await store().readRecord('one', 'k'))?.value).toBe('a');
      });

      it('lets exactly one of many concurrent conditional writes win', async () => {
        const created = await store().createRecord('race', 'k', {
          state: 'working',
          dueAt: 1,
          value: 'start',
        });
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            store().replaceRecord(
              'race',
              'k',
              { state: 'working', dueAt: 2, value: `writer-${index}` },
              created!.version,
            ),
          ),
        );
        const winners = results.filter((result) => result !== undefined);
        expect(winners).toHaveLength(1);
        expect((await store().readRecord('race', 'k'))?.value).toBe(winners[0]!.value);
      });

      it('lists due records of the asked states, earliest first, within the limit', async () => {
        await store().createRecord('due', 'late', { state: 'working', dueAt: 3000, value: '' });
        await store().createRecord('due', 'early', { state: 'working', dueAt: 1000, value: '' });
        await store().createRecord('due', 'future', { state: 'working', dueAt: 9000, value: '' });
        await store().createRecord('due', 'finished', { state: 'answered', dueAt: 500, value: '' });
        await store().createRecord('elsewhere', 'other', { state: 'working', dueAt: 100, value: '' });
        const keys = async (states: string[], dueBefore: number, limit = 10) =>
          (await store().listDueRecords('due', { states, dueBefore, limit })).map((record) => record.key);
        expect(await keys(['working'], 5000)).toEqual(['early', 'late']);
        expect(await keys(['working'], 5000, 1)).toEqual(['early']);
        expect(await keys(['working', 'answered'], 3000)).toEqual(['finished', 'early', 'late']);
        expect(await keys(['released'], 10_000)).toEqual([]);
        // Listed versions are good for a conditional write.
        const [early] = await store().listDueRecords('due', {
          states: ['working'],
          dueBefore: 1000,
          limit: 1,
        });
        expect(await store().deleteRecord('due', 'early', early!.version)).toBe(true);
        expect(await keys(['working'], 5000)).toEqual(['late']);
      });
    });

    describe('counters', () => {
      it('counts every increment of concurrent writers exactly once', async () => {
        const counts = await Promise.all(
          Array.from({ length: 40 }, () => store().incrementCounter('test', 'c', { by: 1, dueAt: 1000 })),
        );
        expect([...counts].sort((a, b) => a - b)).toEqual(
          Array.from({ length: 40 }, (_, index) => index + 1),
        );
        expect(await store().incrementCounter('test', 'c', { by: -1, dueAt: 9999 })).toBe(39);
        // The first increment set when it is due; later ones keep it.
        expect(await store().readRecord('test', 'c')).toMatchObject({
          state: 'counter',
          dueAt: 1000,
          value: '39',
        });
        expect(await store().incrementCounter('other', 'c', { by: 2, dueAt: 1000 })).toBe(2);
        const due = await store().listDueRecords('test', { states: ['counter'], dueBefore: 1000, limit: 10 });
        expect(due.map((record) => record.key)).toEqual(['c']);
        expect(await store().deleteRecord('test', 'c', due[0]!.version)).toBe(true);
        expect(await store().incrementCounter('test', 'c', { by: 1, dueAt: 2000 })).toBe(1);
      });
    });

    describe('shared rate limits', () => {
      const rule = { limit: 3, windowMs: 60_000 };

      it('counts the questions of one user on every replica against one limit, in a sliding window', async () => {
        const [a, b] = [replica('replica-a'), replica('replica-b')];
        clock.advance(10_000);
        expect((await a.rateLimits.acquire('slack', 'U1', rule)).allowed).toBe(true);
        expect((await b.rateLimits.acquire('slack', 'U1', rule)).allowed).toBe(true);
        expect((await a.rateLimits.acquire('slack', 'U1', rule)).allowed).toBe(true);
        // Full on both replicas; another user, and the same id on another platform, are not.
        const refused = await b.rateLimits.acquire('slack', 'U1', rule);
        expect(refused).toEqual({ allowed: false, retryAfterMs: 70_000 });
        expect((await a.rateLimits.acquire('slack', 'U1', rule)).allowed).toBe(false);
        expect((await a.rateLimits.acquire('slack', 'U2', rule)).allowed).toBe(true);
        expect((await b.rateLimits.acquire('discord', 'U1', rule)).allowed).toBe(true);
        // Refusals were not counted: the window slides and one question fits exactly when it said.
        clock.advance(69_000);
        expect((await b.rateLimits.acquire('slack', 'U1', rule)).allowed).toBe(false);
        clock.advance(1_000);
        expect((await b.rateLimits.acquire('slack', 'U1', rule)).allowed).toBe(true);
        expect((await a.rateLimits.acquire('slack', 'U1', rule)).allowed).toBe(false);
      });

      it('lets exactly `limit` of many concurrent questions through', async () => {
        const replicas = [replica('replica-a'), replica('replica-b'), replica('replica-c')];
        const decisions = await Promise.all(
          Array.from({ length: 12 }, (_, index) =>
            replicas[index % 3]!.rateLimits.acquire('discord', 'U9', rule),
          ),
        );
        expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
        expect(
          decisions.filter((decision) => !decision.allowed).every((decision) => decision.retryAfterMs > 0),
        ).toBe(true);
      });

      it('treats a limit of 0 as unlimited, writing nothing', async () => {
        const a = replica('replica-a');
        for (let index = 0; index < 5; index += 1) {
          expect(await a.rateLimits.acquire('slack', 'U1', { limit: 0, windowMs: 60_000 })).toEqual({
            allowed: true,
            retryAfterMs: 0,
          });
        }
        expect(
          await store().listDueRecords('ratelimit', {
            states: ['counter'],
            dueBefore: Number.MAX_SAFE_INTEGER,
            limit: 10,
          }),
        ).toEqual([]);
      });

      it('purges counters once their windows no longer count, and keeps the ones that do', async () => {
        const a = replica('replica-a');
        await a.rateLimits.acquire('slack', 'U1', rule);
        await a.rateLimits.acquire('slack', 'U2', rule);
        expect(await a.rateLimits.purge(100)).toBe(0);
        // Next window: the old counters still weigh in the sliding estimate.
        clock.advance(60_000);
        await a.rateLimits.acquire('slack', 'U1', rule);
        expect(await a.rateLimits.purge(100)).toBe(0);
        // Two windows on, the first ones are past use; the newer counter of U1 stays.
        clock.advance(60_000);
        expect(await a.rateLimits.purge(100)).toBe(2);
        const left = await store().listDueRecords('ratelimit', {
          states: ['counter'],
          dueBefore: Number.MAX_SAFE_INTEGER,
          limit: 10,
        });
        expect(left).toHaveLength(1);
        expect(left[0]!.key).toContain('U1');
      });
    });

    describe('claims', () => {
      it('gives a delivery to one replica; the others see it held, then answered', async () => {
        const [a, b, c] = ['replica-a', 'replica-b', 'replica-c'].map((id) => replica(id));
        const attempts = await Promise.all(
          [a!, b!, c!].map((service) => service.claims.claim('slack', 'Ev1', { event: 'payload' })),
        );
        const claimed = attempts.filter((attempt) => attempt.status === 'claimed');
        expect(claimed).toHaveLength(1);
        expect(attempts.filter((attempt) => attempt.status === 'held')).toHaveLength(2);
        const claim = claimed[0]!.status === 'claimed' ? claimed[0]!.claim : undefined;
        expect(claim).toMatchObject({ attempts: 1, takenOver: false, payload: { event: 'payload' } });

        await claim!.finish();
        expect(await b!.claims.claim('slack', 'Ev1')).toEqual({ status: 'done', state: 'answered' });
        // Long after the deadline, an answered delivery stays answered.
        clock.advance(claimSettings.ttlMs * 10);
        expect(await c!.claims.claim('slack', 'Ev1')).toEqual({ status: 'done', state: 'answered' });
        expect(await c!.claims.inspect('slack', 'Ev1')).toMatchObject({
          state: 'answered',
          owner: claim!.owner,
          attempts: 1,
        });
      });

      it('keeps a delivery whose create the store took but whose reply was lost, and still drops a duplicate here', async () => {
        // The store writes the claim, then its reply never arrives (a timeout): the next attempt meets its own record.
        let loseNextReply = true;
        const real = store();
        const flaky = new Proxy(real, {
          get(target, property, receiver) {
            if (property !== 'createRecord') {
              const value = Reflect.get(target, property, receiver) as unknown;
              return typeof value === 'function'
                ? (value as (...args: unknown[]) => unknown).bind(target)
                : value;
            }
            return async (...args: Parameters<typeof real.createRecord>) => {
              const created = await target.createRecord(...args);
              if (loseNextReply) {
                loseNextReply = false;
                throw new Error('request timed out');
              }
              return created;
            };
          },
        });
        const service = createCoordinationService({
          store: flaky,
          clock,
          logger: silentLogger,
          claims: claimSettings,
          replicaId: 'replica-a',
        });
        await expect(service.claims.claim('slack', 'EvLost', { event: 'payload' })).rejects.toThrow(
          'timed out',
        );
        const retried = await service.claims.claim('slack', 'EvLost', { event: 'payload' });
        expect(retried.status).toBe('claimed');
        // Now held here: another delivery of it to this process is a duplicate, as on any other replica.
        expect((await service.claims.claim('slack', 'EvLost')).status).toBe('held');
        expect((await replica('replica-b').claims.claim('slack', 'EvLost')).status).toBe('held');
      });

      it('keeps a renewed claim and lets another replica take one whose owner stopped renewing', async () => {
        const a = replica('replica-a');
        const b = replica('replica-b');
        const first = await a.claims.claim('slack', 'Ev2', { text: 'question' });
        if (first.status !== 'claimed') throw new Error('expected a claim');
        clock.advance(claimSettings.ttlMs - 1000);
        expect(await first.claim.renew()).toBe(true);
        clock.advance(claimSettings.ttlMs - 1000);
        expect((await b.claims.claim('slack', 'Ev2')).status).toBe('held');
        expect(await b.claims.takeOverExpired('slack', 10)).toEqual([]);

        // replica-a dies: no more renewals.
        clock.advance(claimSettings.ttlMs);
        const taken = await b.claims.takeOverExpired('slack', 10);
        expect(taken).toHaveLength(1);
        expect(taken[0]).toMatchObject({
          id: 'Ev2',
          owner: 'replica-b',
          attempts: 2,
          takenOver: true,
          payload: { text: 'question' },
        });
        expect(taken[0]!.firstClaimedAt).toBe(first.claim.firstClaimedAt);
        // The old owner finds out at its next renewal and cannot mark the delivery answered.
        expect(await first.claim.renew()).toBe(false);
        expect(first.claim.lost).toBe(true);
        await first.claim.finish();
        expect(await a.claims.inspect('slack', 'Ev2')).toMatchObject({
          state: 'working',
          owner: 'replica-b',
        });
        await taken[0]!.finish();
        expect(await a.claims.inspect('slack', 'Ev2')).toMatchObject({
          state: 'answered',
          owner: 'replica-b',
          attempts: 2,
        });
      });

      it('marks a claim answered even while a renewal of it is still on its way', async () => {
        const attempt = await replica('replica-a').claims.claim('slack', 'EvRenewing', { n: 1 });
        if (attempt.status !== 'claimed') throw new Error('expected a claim');
        const renewal = attempt.claim.renew();
        await attempt.claim.finish();
        expect(await renewal).toBe(true);
        expect(attempt.claim.lost).toBe(false);
        expect(await replica('replica-b').claims.inspect('slack', 'EvRenewing')).toMatchObject({
          state: 'answered',
          owner: 'replica-a',
        });
      });

      it('lets exactly one of several sweeping replicas take an expired claim', async () => {
        await replica('replica-dead').claims.claim('slack', 'Ev3', { n: 3 });
        clock.advance(claimSettings.ttlMs + 1);
        const sweeps = await Promise.all(
          ['b', 'c', 'd', 'e'].map((id) => replica(`replica-${id}`).claims.takeOverExpired('slack', 10)),
        );
        expect(sweeps.flat()).toHaveLength(1);
      });

      it('lets a retry take a delivery that was released after an apology, or whose claim expired', async () => {
        const a = replica('replica-a');
        const b = replica('replica-b');
        const first = await a.claims.claim('slack', 'Ev4', { n: 4 });
        if (first.status !== 'claimed') throw new Error('expected a claim');
        await first.claim.release();
        const retry = await b.claims.claim('slack', 'Ev4', { n: 4 });
        expect(retry).toMatchObject({
          status: 'claimed',
          claim: { owner: 'replica-b', attempts: 2, takenOver: true },
        });

        const other = await a.claims.claim('slack', 'Ev5');
        expect(other.status).toBe('claimed');
        clock.advance(claimSettings.ttlMs + 1);
        expect(await b.claims.claim('slack', 'Ev5')).toMatchObject({
          status: 'claimed',
          claim: { owner: 'replica-b', attempts: 2 },
        });
      });

      it('gives up a delivery after maxAttempts, so a poison event cannot loop forever', async () => {
        const settings = { ...claimSettings, maxAttempts: 2 };
        await replica('replica-a', settings).claims.claim('slack', 'Ev6');
        clock.advance(settings.ttlMs + 1);
        expect(await replica('replica-b', settings).claims.takeOverExpired('slack', 10)).toHaveLength(1);
        clock.advance(settings.ttlMs + 1);
        expect(await replica('replica-c', settings).claims.takeOverExpired('slack', 10)).toEqual([]);
        expect(await replica('replica-d', settings).claims.claim('slack', 'Ev6')).toEqual({
          status: 'done',
          state: 'abandoned',
        });
      });

      it('purges finished claims after their retention, and nothing else', async () => {
        const a = replica('replica-a');
        const done = await a.claims.claim('slack', 'EvDone');
        const working = await a.claims.claim('slack', 'EvWorking');
        if (done.status !== 'claimed' || working.status !== 'claimed') throw new Error('expected claims');
        await done.claim.finish();
        expect(await a.claims.purge('slack', 100)).toBe(0);
        clock.advance(claimSettings.retentionMs + 1);
        expect(await a.claims.purge('slack', 100)).toBe(1);
        expect(await a.claims.inspect('slack', 'EvDone')).toBeUndefined();
        expect(await a.claims.inspect('slack', 'EvWorking')).toMatchObject({ state: 'working' });
      });
    });

    describe('leases', () => {
      it('is held by one replica until it expires or is released, then any replica takes it', async () => {
        const a = replica('replica-a');
        const b = replica('replica-b');
        const leases = await Promise.all([
          a.leases.acquire('sync', 10_000),
          b.leases.acquire('sync', 10_000),
        ]);
        expect(leases.filter(Boolean)).toHaveLength(1);
        const holder = leases.find(Boolean)!;
        const other = holder.owner === 'replica-a' ? b : a;
        expect(await other.leases.holder('sync')).toMatchObject({ owner: holder.owner });

        clock.advance(9000);
        expect(await holder.renew()).toBe(true);
        clock.advance(9000);
        expect(await other.leases.acquire('sync', 10_000)).toBeUndefined();

        clock.advance(1001);
        const takeover = await other.leases.acquire('sync', 10_000);
        expect(takeover?.owner).toBe(other.replicaId);
        expect(await holder.renew()).toBe(false);
        expect(holder.lost).toBe(true);

        await takeover!.release();
        expect(await other.leases.holder('sync')).toBeUndefined();
        expect((await a.leases.acquire('sync', 10_000))?.owner).toBe('replica-a');
      });

      it('runs exclusive work on one replica and frees the lease after it', async () => {
        const a = replica('replica-a');
        const b = replica('replica-b');
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const running = a.leases.runExclusive('sync:docs', 60_000, async () => {
          await gate;
          return 'synced';
        });
        // Until a's run has its lease, b may or may not get in first: wait until a holds it.
        for (let round = 0; round < 50 && !(await b.leases.holder('sync:docs')); round += 1)
          await new Promise((resolve) => setTimeout(resolve, 10));
        expect(await b.leases.runExclusive('sync:docs', 60_000, async () => 'twice')).toEqual({ ran: false });
        release();
        expect(await running).toEqual({ ran: true, result: 'synced' });
        expect(await b.leases.runExclusive('sync:docs', 60_000, async () => 'next')).toEqual({
          ran: true,
          result: 'next',
        });
      });

      it('runs a background job on one of several replicas, and on another once it stops', async () => {
        const runs: string[] = [];
        const jobs = ['replica-a', 'replica-b', 'replica-c'].map((id) =>
          replica(id).startJob({
            name: 'retention',
            everyMs: 60_000,
            leaseTtlMs: 30_000,
            run: async (lease) => {
              runs.push(lease.owner);
            },
          }),
        );
        try {
          const started = await Promise.all(jobs.map((job) => job.runNow()));
          expect(started.filter(Boolean)).toHaveLength(1);
          expect(jobs.filter((job) => job.holding)).toHaveLength(1);
          const holder = jobs.find((job) => job.holding)!;
          expect(new Set(runs).size).toBe(1);
          const firstOwner = runs[0];
          await holder.stop();
          const rest = jobs.filter((job) => job !== holder);
          const next = await Promise.all(rest.map((job) => job.runNow()));
          expect(next.filter(Boolean)).toHaveLength(1);
          expect(runs.at(-1)).not.toBe(firstOwner);
        } finally {
          await Promise.all(jobs.map((job) => job.stop()));
        }
      });
    });
  });
}
