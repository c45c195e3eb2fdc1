import type { Clock, CoordinationRecord, CoordinationStore, Logger } from '../ports/index.ts';

/**
 * A claim's life: `working` while its owner answers (the deadline renewed as it goes), `answered` once done,
 * `released` after an apology (a later delivery may try again), `abandoned` when it failed too often.
 */
export type ClaimState = 'working' | 'answered' | 'released' | 'abandoned';

export interface ClaimSettings {
  /** How long a claim stays the owner's without a renewal; a dead owner's claim is taken over after this. */
  ttlMs: number;
  /** How long a finished claim is kept, so late retries still find it; purged after this. */
  retentionMs: number;
  /** Attempts (first claim and takeovers) before a delivery is given up as poison. */
  maxAttempts: number;
}

interface ClaimValue {
  owner: string;
  attempts: number;
  firstClaimedAt: number;
  claimedAt: number;
  finishedAt?: number;
  payload?: unknown;
}

/** One delivery this process owns. */
export interface Claim {
  readonly scope: string;
  readonly id: string;
  readonly owner: string;
  /** 1 for the first claim; each takeover adds one. */
  readonly attempts: number;
  /** When the delivery was first claimed by anyone (epoch ms): a takeover's wait is measured from it. */
  readonly firstClaimedAt: number;
  readonly takenOver: boolean;
  /** The delivery as it was stored with the claim. */
  readonly payload: unknown;
  /** True once another process took the claim (a renewal found it changed). */
  readonly lost: boolean;
  /** Pushes the deadline out by the ttl; false when the claim was lost. */
  renew(): Promise<boolean>;
  /** Renews every third of the ttl until the returned function is called. */
  keepRenewing(): () => void;
  /** Marks the delivery answered (kept for the retention period, then purged). */
  finish(): Promise<void>;
  /** Gives the delivery back after a failure: a later retry of it may claim it again. */
  release(): Promise<void>;
}

export type ClaimAttempt =
  | { status: 'claimed'; claim: Claim }
  /** Another process owns it and renews it: this delivery is a duplicate. */
  | { status: 'held'; owner: string; dueAt: number }
  | { status: 'done'; state: 'answered' | 'abandoned' };

export interface ClaimInspection {
  state: ClaimState;
  owner: string;
  attempts: number;
  dueAt: number;
}

export interface ClaimService {
  /** Claims a delivery (storing its payload) or says why not; takes over an expired or released claim. */
  claim(scope: string, id: string, payload?: unknown): Promise<ClaimAttempt>;
  /** Takes over up to `limit` claims whose owner stopped renewing them: the sweep. Each comes with its payload. */
  takeOverExpired(scope: string, limit: number): Promise<Claim[]>;
  /** Deletes finished claims past their retention; how many. */
  purge(scope: string, limit: number): Promise<number>;
  inspect(scope: string, id: string): Promise<ClaimInspection | undefined>;
  /** The claim on a delivery this process holds right now (claimed or taken over, not yet finished or released). */
  heldHere(scope: string, id: string): Claim | undefined;
}

const namespaceOf = (scope: string) => `claim:${scope}`;
const finishedStates: ClaimState[] = ['answered', 'released', 'abandoned'];

function parseValue(record: CoordinationRecord): ClaimValue {
  try {
    return JSON.parse(record.value) as ClaimValue;
  } catch {
    return { owner: '', attempts: 0, firstClaimedAt: record.dueAt, claimedAt: record.dueAt };
  }
}

export function createClaimService(options: {
  store: CoordinationStore;
  clock: Clock;
  owner: string;
  settings: ClaimSettings;
  logger: Logger;
}): ClaimService {
  const { store, clock, owner, settings, logger } = options;
  const now = () => clock.now().getTime();
  const heldByThisProcess = new Map<string, Claim>();
  /** Claim attempts running in this process, by delivery: a second one for the same delivery is a duplicate. */
  const attemptsHere = new Map<string, number>();
  const localKey = (scope: string, id: string) => `${scope}\u0000${id}`;

  function held(
    scope: string,
    id: string,
    record: CoordinationRecord,
    value: ClaimValue,
    takenOver: boolean,
  ): Claim {
    const namespace = namespaceOf(scope);
    let version = record.version;
    let lost = false;
    let finished = false;
    const forget = () => {
      if (heldByThisProcess.get(localKey(scope, id)) === claim) heldByThisProcess.delete(localKey(scope, id));
    };
    // One write at a time, each with the version the previous one left: a renewal still in flight when the answer
    // is marked would otherwise make the second write look like someone else's takeover.
    let queue: Promise<unknown> = Promise.resolve();
    const write = (
      state: ClaimState,
      dueAtOf: () => number,
      extra: Partial<ClaimValue> = {},
    ): Promise<boolean> => {
      const attempt = queue.then(async () => {
        if (lost) return false;
        const next = { ...value, ...extra };
        const stored = await store.replaceRecord(
          namespace,
          id,
          { state, dueAt: dueAtOf(), value: JSON.stringify(next) },
          version,
        );
        if (!stored) {
          lost = true;
          forget();
          logger.warn({ scope, id, owner }, 'A claim this process held was taken by another process');
          return false;
        }
        version = stored.version;
        return true;
      });
      queue = attempt.catch(() => undefined);
      return attempt;
    };
    const claim: Claim = {
      scope,
      id,
      owner,
      attempts: value.attempts,
      firstClaimedAt: value.firstClaimedAt,
      takenOver,
      payload: value.payload,
      get lost() {
        return lost;
      },
      renew: () => (finished ? Promise.resolve(!lost) : write('working', () => now() + settings.ttlMs)),
      keepRenewing() {
        let stopped = false;
        let timer: NodeJS.Timeout | undefined;
        const schedule = () => {
          timer = setTimeout(
            () => {
              void claim
                .renew()
                .catch((error: unknown) => {
                  // The store is unreachable: keep trying until the deadline; a takeover shows as lost later.
                  logger.warn({ err: error, scope, id }, 'Renewing a claim failed; retrying');
                  return true;
                })
                .then((kept) => {
                  if (kept && !stopped && !finished) schedule();
                });
            },
            Math.max(50, Math.floor(settings.ttlMs / 3)),
          );
          timer.unref();
        };
        schedule();
        return () => {
          stopped = true;
          clearTimeout(timer);
        };
      },
      async finish() {
        if (finished) return;
        finished = true;
        forget();
        // The payload goes: a finished delivery needs only its id and state, and the question is not kept twice.
        await write('answered', () => now() + settings.retentionMs, {
          finishedAt: now(),
          payload: undefined,
        });
      },
      async release() {
        if (finished) return;
        finished = true;
        forget();
        await write('released', () => now() + settings.retentionMs, {
          finishedAt: now(),
          payload: undefined,
        });
      },
    };
    heldByThisProcess.set(localKey(scope, id), claim);
    return claim;
  }

  /** A conditional write decides the takeover: of two processes taking one claim, one gets it. */
  async function takeOver(
    scope: string,
    id: string,
    record: CoordinationRecord,
    payload?: unknown,
  ): Promise<Claim | 'abandoned' | undefined> {
    const previous = parseValue(record);
    const attempts = previous.attempts + 1;
    if (attempts > settings.maxAttempts) {
      const stored = await store.replaceRecord(
        namespaceOf(scope),
        id,
        {
          state: 'abandoned',
          dueAt: now() + settings.retentionMs,
          value: JSON.stringify({ ...previous, finishedAt: now() }),
        },
        record.version,
      );
      if (stored)
        logger.error(
          { scope, id, attempts: previous.attempts },
          'Gave up on a delivery that failed on every attempt',
        );
      return stored ? 'abandoned' : undefined;
    }
    const value: ClaimValue = {
      ...previous,
      owner,
      attempts,
      claimedAt: now(),
      payload: previous.payload ?? payload,
    };
    delete value.finishedAt;
    const stored = await store.replaceRecord(
      namespaceOf(scope),
      id,
      { state: 'working', dueAt: now() + settings.ttlMs, value: JSON.stringify(value) },
      record.version,
    );
    return stored ? held(scope, id, stored, value, true) : undefined;
  }

  async function claimOnce(scope: string, id: string, payload: unknown): Promise<ClaimAttempt> {
    const namespace = namespaceOf(scope);
    // Bounded: each round either decides or saw another process write in between.
    for (let round = 0; round < 3; round += 1) {
      const value: ClaimValue = { owner, attempts: 1, firstClaimedAt: now(), claimedAt: now(), payload };
      const created = await store.createRecord(namespace, id, {
        state: 'working',
        dueAt: now() + settings.ttlMs,
        value: JSON.stringify(value),
      });
      if (created) return { status: 'claimed', claim: held(scope, id, created, value, false) };
      const existing = await store.readRecord(namespace, id);
      if (!existing) continue;
      const state = existing.state as ClaimState;
      if (state === 'answered' || state === 'abandoned') return { status: 'done', state };
      if (state === 'working' && existing.dueAt > now()) {
        const existingOwner = parseValue(existing).owner;
        // Written by this process, yet neither held here nor being claimed by another delivery here: the store
        // took our create but its answer never came back (a timeout, then the client's retry met our own record).
        // It is ours: taken with a conditional write like any takeover, so the delivery is not dropped.
        const key = localKey(scope, id);
        const ownLostWrite =
          existingOwner === owner && !heldByThisProcess.has(key) && (attemptsHere.get(key) ?? 0) <= 1;
        if (!ownLostWrite) return { status: 'held', owner: existingOwner, dueAt: existing.dueAt };
      }
      const taken = await takeOver(scope, id, existing, payload);
      if (taken === 'abandoned') return { status: 'done', state: 'abandoned' };
      if (taken) return { status: 'claimed', claim: taken };
    }
    const latest = await store.readRecord(namespace, id);
    return { status: 'held', owner: latest ? parseValue(latest).owner : '', dueAt: latest?.dueAt ?? now() };
  }

  return {
    async claim(scope, id, payload) {
      const key = localKey(scope, id);
      attemptsHere.set(key, (attemptsHere.get(key) ?? 0) + 1);
      try {
        return await claimOnce(scope, id, payload);
      } finally {
        const left = (attemptsHere.get(key) ?? 1) - 1;
        if (left > 0) attemptsHere.set(key, left);
        else attemptsHere.delete(key);
      }
    },

    async takeOverExpired(scope, limit) {
      const due = await store.listDueRecords(namespaceOf(scope), {
        states: ['working'],
        dueBefore: now(),
        limit,
      });
      const taken: Claim[] = [];
      for (const record of due) {
        const claim = await takeOver(scope, record.key, record);
        if (claim && claim !== 'abandoned') taken.push(claim);
      }
      return taken;
    },

    async purge(scope, limit) {
      const due = await store.listDueRecords(namespaceOf(scope), {
        states: finishedStates,
        dueBefore: now(),
        limit,
      });
      let deleted = 0;
      for (const record of due)
        if (await store.deleteRecord(namespaceOf(scope), record.key, record.version)) deleted += 1;
      return deleted;
    },

    heldHere: (scope, id) => heldByThisProcess.get(localKey(scope, id)),

    async inspect(scope, id) {
      const record = await store.readRecord(namespaceOf(scope), id);
      if (!record) return undefined;
      const value = parseValue(record);
      return {
        state: record.state as ClaimState,
        owner: value.owner,
        attempts: value.attempts,
        dueAt: record.dueAt,
      };
    },
  };
}
