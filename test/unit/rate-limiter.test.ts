import { describe, expect, it } from 'vitest';
import { createRateLimiter, createSharedRateLimiter } from '../../src/core/coordination/rate-limiter.ts';
import type { Logger } from '../../src/core/ports/index.ts';

describe('createRateLimiter', () => {
  it('allows `limit` questions per window per user, then tells when to come back', async () => {
    let time = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, now: () => time });
    expect(limiter.shared).toBe(false);
    expect((await limiter.acquire('u1')).allowed).toBe(true);
    time = 100;
    expect((await limiter.acquire('u1')).allowed).toBe(true);
    expect(await limiter.acquire('u1')).toEqual({ allowed: false, retryAfterMs: 900 });
    expect((await limiter.acquire('u2')).allowed).toBe(true);
    time = 1001;
    expect((await limiter.acquire('u1')).allowed).toBe(true);
  });

  it('treats a limit of 0 as unlimited', async () => {
    const limiter = createRateLimiter({ limit: 0 });
    for (let index = 0; index < 100; index += 1) expect((await limiter.acquire('u')).allowed).toBe(true);
  });
});

describe('createSharedRateLimiter', () => {
  it('lets the question through when the store does not answer in time, with a warning', async () => {
    const warnings: Array<{ object: Record<string, unknown>; message?: string }> = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (object, message) => warnings.push({ object, message }),
      error: () => {},
      child: () => logger,
    };
    const limiter = createSharedRateLimiter({
      // A store that never answers (a paused cluster).
      limits: { acquire: () => new Promise(() => {}), purge: async () => 0 },
      scope: 'discord',
      limit: 1,
      logger,
      timeoutMs: 50,
    });
    expect(await limiter.acquire('U1')).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(warnings).toHaveLength(1);
    expect(String((warnings[0]!.object.err as Error).message)).toBe('the store did not answer within 50 ms');
  });
});
