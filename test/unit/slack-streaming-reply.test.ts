import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStreamingReply } from '../../src/bot/slack/streaming-reply.ts';
import { silentLogger } from '../../src/core/index.ts';

function recordingTarget(options: { failPost?: boolean } = {}) {
  const calls: Array<{ kind: 'post' | 'update'; text: string }> = [];
  return {
    calls,
    target: {
      post: async (text: string) => {
        calls.push({ kind: 'post', text });
        if (options.failPost) throw new Error('channel_not_found');
        return '1.0001';
      },
      update: async (_ts: string, text: string) => {
        calls.push({ kind: 'update', text });
      },
    },
  };
}

describe('createStreamingReply', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('posts on the first piece, then sends at most one update per interval with the latest text', async () => {
    vi.useFakeTimers();
    const { calls, target } = recordingTarget();
    const reply = createStreamingReply({
      target,
      intervalMs: 1000,
      render: (text) => `${text}…`,
      logger: silentLogger,
      now: () => Date.now(),
    });
    reply.push('a');
    reply.push('ab');
    reply.push('abc');
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toEqual([{ kind: 'post', text: 'a…' }]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.at(-1)).toEqual({ kind: 'update', text: 'abc…' });
    reply.push('abcd');
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(2);
    expect(await reply.finish()).toBe('1.0001');
    // Finishing drops the pending update: the caller sends the final answer itself.
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toHaveLength(2);
  });

  it('ignores blank pieces and returns no message when nothing was posted', async () => {
    const { calls, target } = recordingTarget();
    const reply = createStreamingReply({
      target,
      intervalMs: 0,
      render: (text) => text,
      logger: silentLogger,
    });
    reply.push('   ');
    expect(await reply.finish()).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('stops streaming when the post fails, so the final answer is posted fresh', async () => {
    const { calls, target } = recordingTarget({ failPost: true });
    const reply = createStreamingReply({
      target,
      intervalMs: 0,
      render: (text) => text,
      logger: silentLogger,
    });
    reply.push('a');
    reply.push('ab');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await reply.finish()).toBeUndefined();
    expect(calls.map((call) => call.kind)).toEqual(['post']);
  });
});
