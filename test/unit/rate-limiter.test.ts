import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/core/coordination/rate-limiter.ts';

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
