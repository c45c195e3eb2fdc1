/**
 * Who may sync a source right now. Several processes sharing one store each run background syncs; a lease makes
 * sure only one of them syncs a given source at a time, and expires if its holder dies.
 */
export interface HeldLease {
  /** Extends the lease; false when it was lost (expired and taken by another holder). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface SyncLease {
  /** The lease on `name` for `ttlMs`, or undefined while someone else holds it. */
  acquire(name: string, ttlMs: number): Promise<HeldLease | undefined>;
}

/** One process on its own: a lease is a name in memory, so two syncs of one source never overlap here. */
export function createInProcessSyncLease(now: () => number = Date.now): SyncLease {
  const held = new Map<string, { token: symbol; expiresAt: number }>();
  return {
    async acquire(name, ttlMs) {
      const current = held.get(name);
      if (current && current.expiresAt > now()) return undefined;
      const token = Symbol(name);
      held.set(name, { token, expiresAt: now() + ttlMs });
      return {
        async renew() {
          const entry = held.get(name);
          if (entry?.token !== token) return false;
          entry.expiresAt = now() + ttlMs;
          return true;
        },
        async release() {
          if (held.get(name)?.token === token) held.delete(name);
        },
      };
    },
  };
}
