import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/bot/rate-limiter.ts';

describe('createRateLimiter', () => {
  it('allows `limit` questions per window per user, then tells when to come back', () => {
    let time = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, now: () => time });
    expect(limiter.tryAcquire('u1')).toBe(true);
    time = 100;
    expect(limiter.tryAcquire('u1')).toBe(true);
    expect(limiter.tryAcquire('u1')).toBe(false);
    expect(limiter.tryAcquire('u2')).toBe(true);
    expect(limiter.retryAfterMs('u1')).toBe(900);
    time = 1001;
    expect(limiter.tryAcquire('u1')).toBe(true);
  });

  it('treats a limit of 0 as unlimited', () => {
    const limiter = createRateLimiter({ limit: 0 });
    for (let index = 0; index < 100; index += 1) expect(limiter.tryAcquire('u')).toBe(true);
  });
});
