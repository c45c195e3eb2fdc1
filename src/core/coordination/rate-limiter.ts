/**
 * Per-user rate limits of the chat faces: the in-memory sliding window of one process, or the count in the store that
 * every replica on it shares. `platformRateLimiters` chooses between them from the configuration; faces only ask
 * `core.delivery.rateLimiter(platform)`.
 */
import pTimeout from 'p-timeout';
import type { Config } from '../config/index.ts';
import type { Logger, Metrics } from '../ports/index.ts';
import type { RateLimitDecision, SharedRateLimitService } from './rate-limits.ts';

/**
 * Per-user rate limit of a chat face: at most `limit` questions per user per `windowMs`. A limit of 0
 * means unlimited. Either in this process's memory, or counted in the store for every replica on it.
 */
export interface RateLimiter {
  /** Counts the question when the user may ask now; otherwise says how long until they may. Never rejects. */
  acquire(userKey: string): Promise<RateLimitDecision>;
  /** True when the counts live in the store, shared by every replica on it. */
  readonly shared: boolean;
}

const allowed: RateLimitDecision = { allowed: true, retryAfterMs: 0 };

/** The in-memory sliding window: exact, for one process. Memory is bounded by the number of active users in a window. */
export function createRateLimiter(options: {
  limit: number;
  windowMs?: number;
  now?: () => number;
}): RateLimiter {
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
    shared: false,
    async acquire(userKey) {
      if (options.limit <= 0) return allowed;
      const times = current(userKey);
      if (times.length >= options.limit) {
        return { allowed: false, retryAfterMs: Math.max(0, (times[0] ?? 0) + windowMs - now()) };
      }
      recent.set(userKey, [...times, now()]);
      return allowed;
    },
  };
}

/** Least milliseconds between two "store unreachable" warnings of one limiter: a failing store must not flood the log. */
const warnEveryMs = 60_000;

/**
 * The limit counted in the store (see SharedRateLimitService). Fails open: when the store cannot be reached the
 * question is let through (a question is better answered than blocked), with a warning at most once a minute.
 */
export function createSharedRateLimiter(options: {
  limits: SharedRateLimitService;
  /** Whose users: 'slack' or 'discord' (user ids of different platforms never share a count). */
  scope: string;
  limit: number;
  windowMs?: number;
  logger: Logger;
  metrics?: Metrics;
  now?: () => number;
  /** Longest wait for the store before letting the question through (default 1.5 s: Discord wants a reply within 3). */
  timeoutMs?: number;
}): RateLimiter {
  const rule = { limit: options.limit, windowMs: options.windowMs ?? 60_000 };
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 1500;
  let lastWarning = -Infinity;
  return {
    shared: true,
    async acquire(userKey) {
      if (rule.limit <= 0) return allowed;
      try {
        return await pTimeout(options.limits.acquire(options.scope, userKey, rule), {
          milliseconds: timeoutMs,
          message: `the store did not answer within ${timeoutMs} ms`,
        });
      } catch (error) {
        options.metrics?.increment('rate_limit_fail_open_total', { platform: options.scope });
        if (now() - lastWarning >= warnEveryMs) {
          lastWarning = now();
          options.logger.warn(
            { err: error, platform: options.scope },
            'The shared rate limit could not reach the store; questions are let through unlimited until it answers again',
          );
        }
        return allowed;
      }
    },
  };
}

/** Whether the configured store shares rate limits: coordination.sharedRateLimits, auto meaning on with Elasticsearch. */
export function sharesRateLimits(config: Config): boolean {
  const setting = config.coordination.sharedRateLimits;
  return setting === 'on' || (setting === 'auto' && config.store.kind === 'elasticsearch');
}

export type RateLimitedPlatform = 'slack' | 'discord';

/**
 * Each platform's limiter for its `rateLimitPerMinute` (`slack.rateLimitPerMinute`, `discord.rateLimitPerMinute`),
 * shared through the store or in memory as configured, counting refusals in `rate_limited_total`. One limiter per
 * platform and process: every caller of a platform counts against the same window.
 */
export function platformRateLimiters(dependencies: {
  config: Config;
  limits: SharedRateLimitService;
  metrics: Metrics;
  logger: Logger;
}): (platform: RateLimitedPlatform) => RateLimiter {
  const { config, metrics, logger } = dependencies;
  const limiters = new Map<RateLimitedPlatform, RateLimiter>();
  const create = (platform: RateLimitedPlatform): RateLimiter => {
    const limit = config[platform].rateLimitPerMinute;
    const limiter = sharesRateLimits(config)
      ? createSharedRateLimiter({
          limits: dependencies.limits,
          scope: platform,
          limit,
          logger,
          metrics,
          timeoutMs: config.coordination.sharedRateLimitTimeoutMs,
        })
      : createRateLimiter({ limit });
    return {
      shared: limiter.shared,
      async acquire(userKey) {
        const decision = await limiter.acquire(userKey);
        if (!decision.allowed) metrics.increment('rate_limited_total', { platform });
        return decision;
      },
    };
  };
  return (platform) => {
    let limiter = limiters.get(platform);
    if (!limiter) {
      limiter = create(platform);
      limiters.set(platform, limiter);
    }
    return limiter;
  };
}
