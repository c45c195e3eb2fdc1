/**
 * Per-user sliding-window rate limit shared by the chat faces: at most `limit` questions per user per
 * `windowMs`. A limit of 0 means unlimited. Memory is bounded by the number of active users in a window.
 */
export interface RateLimiter {
  /** True when the user may ask now (and counts the question); false when over the limit. */
  tryAcquire(userKey: string): boolean;
  /** Milliseconds until the user may ask again (0 when allowed now). */
  retryAfterMs(userKey: string): number;
}

export function createRateLimiter(options: { limit: number; windowMs?: number; now?: () => number }): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const recent = new Map<string, number[]>();
  const current = (userKey: string) => {
    const cutoff = now() - windowMs;
    const times = (recent.get(userKey) ?? []).filter((time) => time > cutoff);
    if (times.length === 0) recent.delete(userKey);
    else recent.set(userKey, times);
    return times;
  };
  return {
    tryAcquire(userKey) {
      if (options.limit <= 0) return true;
      const times = current(userKey);
      if (times.length >= options.limit) return false;
      recent.set(userKey, [...times, now()]);
      return true;
    },
    retryAfterMs(userKey) {
      if (options.limit <= 0) return 0;
      const times = current(userKey);
      return times.length < options.limit ? 0 : Math.max(0, (times[0] ?? 0) + windowMs - now());
    },
  };
}
