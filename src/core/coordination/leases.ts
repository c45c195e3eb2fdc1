import type { Clock, CoordinationRecord, CoordinationStore, Logger } from '../ports/index.ts';

/** One replica's right to run a piece of background work, until it stops renewing it. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  /** True once the lease expired and another process took it, or it was released. */
  readonly lost: boolean;
  /** Pushes the expiry out by the ttl; false when the lease was lost. */
  renew(): Promise<boolean>;
  /** Gives the lease up at once, so another replica need not wait for it to expire. */
  release(): Promise<void>;
}

export interface LeaseHolder {
  owner: string;
  expiresAt: number;
}

export interface LeaseService {
  /** The lease when nobody else holds it (free, expired or released); undefined while another process holds it. */
  acquire(name: string, ttlMs: number): Promise<Lease | undefined>;
  holder(name: string): Promise<LeaseHolder | undefined>;
  /**
   * Runs `work` while holding the lease (renewed every third of the ttl), then releases it. Resolves to
   * `{ ran: false }` at once when another process holds it. `work` gets the lease, to check `lost` on long runs.
   */
  runExclusive<T>(
    name: string,
    ttlMs: number,
    work: (lease: Lease) => Promise<T>,
  ): Promise<{ ran: true; result: T } | { ran: false }>;
}

/** Renews the lease every third of its ttl until the returned function is called. */
export function keepLeaseRenewed(lease: Lease, ttlMs: number, logger: Logger): () => void {
  const timer = setInterval(
    () => {
      lease
        .renew()
        .catch((error: unknown) =>
          logger.warn({ err: error, lease: lease.name }, 'Renewing a lease failed; retrying'),
        );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}

interface LeaseValue {
  owner: string;
  acquiredAt: number;
}

const namespace = 'lease';

function ownerOf(record: CoordinationRecord): string {
  try {
    return (JSON.parse(record.value) as LeaseValue).owner;
  } catch {
    return '';
  }
}

export function createLeaseService(options: {
  store: CoordinationStore;
  clock: Clock;
  owner: string;
  logger: Logger;
}): LeaseService {
  const { store, clock, owner, logger } = options;
  const now = () => clock.now().getTime();

  function held(name: string, record: CoordinationRecord, ttlMs: number): Lease {
    let version = record.version;
    let lost = false;
    const value = record.value;
    return {
      name,
      owner,
      get lost() {
        return lost;
      },
      async renew() {
        if (lost) return false;
        const stored = await store.replaceRecord(
          namespace,
          name,
          { state: 'held', dueAt: now() + ttlMs, value },
          version,
        );
        if (!stored) {
          lost = true;
          logger.warn({ lease: name, owner }, 'Lost a lease: another process holds it now');
          return false;
        }
        version = stored.version;
        return true;
      },
      async release() {
        if (lost) return;
        lost = true;
        await store.deleteRecord(namespace, name, version);
      },
    };
  }

  const service: LeaseService = {
    async acquire(name, ttlMs) {
      const write = () => ({
        state: 'held',
        dueAt: now() + ttlMs,
        value: JSON.stringify({ owner, acquiredAt: now() } satisfies LeaseValue),
      });
      const created = await store.createRecord(namespace, name, write());
      if (created) return held(name, created, ttlMs);
      const existing = await store.readRecord(namespace, name);
      if (!existing) {
        // Released between our create and read: one more try, no loop.
        const again = await store.createRecord(namespace, name, write());
        return again ? held(name, again, ttlMs) : undefined;
      }
      // Our own lease from before a restart counts as expired: this process cannot be renewing it.
      if (existing.dueAt > now()) return undefined;
      const taken = await store.replaceRecord(namespace, name, write(), existing.version);
      if (taken)
        logger.info({ lease: name, previousOwner: ownerOf(existing), owner }, 'Took over an expired lease');
      return taken ? held(name, taken, ttlMs) : undefined;
    },

    async holder(name) {
      const record = await store.readRecord(namespace, name);
      if (!record || record.dueAt <= now()) return undefined;
      return { owner: ownerOf(record), expiresAt: record.dueAt };
    },

    async runExclusive(name, ttlMs, work) {
      const lease = await service.acquire(name, ttlMs);
      if (!lease) return { ran: false };
      const stopRenewing = keepLeaseRenewed(lease, ttlMs, logger);
      try {
        return { ran: true, result: await work(lease) };
      } finally {
        stopRenewing();
        await lease
          .release()
          .catch((error: unknown) =>
            logger.warn({ err: error, lease: name }, 'Releasing a lease failed; it expires by itself'),
          );
      }
    },
  };
  return service;
}
