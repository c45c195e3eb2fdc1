import type { Clock, CoordinationStore } from '../ports/index.ts';

export interface RateLimitDecision {
  allowed: boolean;
  /** Milliseconds until the user may ask again; 0 when allowed. */
  retryAfterMs: number;
}

export interface RateLimitRule {
  /** Questions per window; 0 or less means unlimited. */
  limit: number;
  windowMs: number;
}

/**
 * Per-user rate limits every replica on one store shares. Each user has a counter per window of `windowMs`
 * (incremented atomically in the store); a question is allowed while the current window's count plus the
 * previous window's, weighted by how much of it still lies within the last `windowMs`, stays within the limit:
 * a sliding window, estimated from two counters. A refused question is taken back, as the in-memory limiter
 * does not count it either. Ours, not a library's: rate-limit libraries count in one process's memory, and these
 * counts must live in the store every replica shares.
 */
export interface SharedRateLimitService {
  /** Counts a question of `userKey` in `scope` when allowed. Rejects when the store fails: the caller decides. */
  acquire(scope: string, userKey: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Deletes counters of windows that no longer count; how many. */
  purge(limit: number): Promise<number>;
}

const namespace = 'ratelimit';
const counterState = 'counter';

/** How long after `elapsed` ms into the current window one more question fits; see the estimate above. */
function waitFor(
  previous: number,
  counted: number,
  limit: number,
  windowMs: number,
  elapsed: number,
): number {
  const left = windowMs - elapsed;
  if (counted + 1 <= limit) {
    // Fits once enough of the previous window has slid out: previous * (left - d) / W + counted + 1 <= limit.
    return previous > 0 ? Math.max(0, left - ((limit - counted - 1) * windowMs) / previous) : 0;
  }
  // Only in the next window, once this one's questions weigh little enough there.
  return left + Math.max(0, windowMs - ((limit - 1) * windowMs) / counted);
}

export function createSharedRateLimitService(options: {
  store: CoordinationStore;
  clock: Clock;
}): SharedRateLimitService {
  const { store, clock } = options;
  const keyOf = (scope: string, userKey: string, windowMs: number, index: number) =>
    `${scope}:${windowMs}:${userKey}:${index}`;
  return {
    async acquire(scope, userKey, { limit, windowMs }) {
      if (limit <= 0) return { allowed: true, retryAfterMs: 0 };
      const now = clock.now().getTime();
      const index = Math.floor(now / windowMs);
      const elapsed = now - index * windowMs;
      // Kept until the end of the next window, where it is the previous one; then purged.
      const dueAt = (index + 2) * windowMs;
      const current = keyOf(scope, userKey, windowMs, index);
      const [count, previousRecord] = await Promise.all([
        store.incrementCounter(namespace, current, { by: 1, dueAt }),
        store.readRecord(namespace, keyOf(scope, userKey, windowMs, index - 1)),
      ]);
      const previous = previousRecord ? Number(previousRecord.value) || 0 : 0;
      if ((previous * (windowMs - elapsed)) / windowMs + count <= limit)
        return { allowed: true, retryAfterMs: 0 };
      await store.incrementCounter(namespace, current, { by: -1, dueAt });
      return {
        allowed: false,
        retryAfterMs: Math.ceil(waitFor(previous, count - 1, limit, windowMs, elapsed)),
      };
    },

    async purge(limit) {
      const due = await store.listDueRecords(namespace, {
        states: [counterState],
        dueBefore: clock.now().getTime(),
        limit,
      });
      let deleted = 0;
      // A counter incremented since the listing changed its version and stays: it still counts.
      for (const record of due)
        if (await store.deleteRecord(namespace, record.key, record.version)) deleted += 1;
      return deleted;
    },
  };
}
