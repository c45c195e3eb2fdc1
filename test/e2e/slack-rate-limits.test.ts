import { afterEach, describe, expect, it } from 'vitest';
import type { ChatModel } from '../../src/core/index.ts';
import type { FakeSlackCall } from '../fakes/fake-slack-api.ts';
import { appMentionEvent } from '../fakes/fake-slack-payloads.ts';
import { type Harness, nextTs, startHarness, stopHarness } from '../support/slack-test-harness.ts';

/** Slack answers 429 with Retry-After: the bot waits, retries, and the answer arrives once. */
describe('Slack rate limits', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    if (harness) await stopHarness(harness);
    harness = undefined;
  });

  /** Answers the first `times` calls to `method` 429 with Retry-After: 1. */
  function limitFirst(method: string, times: number) {
    let left = times;
    return (call: FakeSlackCall) => {
      if (call.method !== method || left === 0) return undefined;
      left -= 1;
      return 1;
    };
  }

  it(
    'posts an answer once after chat.postMessage answered 429 three times',
    { timeout: 30_000 },
    async () => {
      harness = await startHarness({
        env: { ANSWERLOOP_SLACK__STREAM: 'off' },
        fake: { rateLimit: limitFirst('chat.postMessage', 3) },
      });
      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UALICE', channel: 'CSUPPORT', ts, text: 'How do I reset my password?' }),
      );
      expect(harness.fake.rateLimited).toHaveLength(3);
      const answers = harness.fake.messages.filter((message) => message.thread_ts === ts);
      expect(answers).toHaveLength(1);
      expect(harness.answerIn('CSUPPORT', ts)).toBeDefined();
      expect((await harness.core.renderMetrics()).text).toMatch(
        /answerloop_platform_rate_limits_total\{platform="slack",method="chat.postMessage"\} 3/,
      );
      expect(
        harness.logger.entries.filter(
          (entry) => entry.message === 'Slack answered 429 (rate limited): waited Retry-After, retrying',
        ),
      ).toHaveLength(3);
    },
  );

  it('finishes a streamed answer after chat.update answered 429', { timeout: 30_000 }, async () => {
    harness = await startHarness({
      env: { ANSWERLOOP_SLACK__STREAM: 'update' },
      fake: { rateLimit: limitFirst('chat.update', 2) },
    });
    const ts = nextTs();
    await harness.send(
      appMentionEvent({ user: 'UBOB', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
    );
    expect(harness.fake.rateLimited.length).toBeGreaterThanOrEqual(1);
    const answer = harness.answerIn('CSUPPORT', ts);
    expect(answer).toBeDefined();
    expect(harness.fake.messages.filter((message) => message.thread_ts === ts)).toHaveLength(1);
  });

  it(
    "streams a chat model's many small deltas in a few appends, at most one per interval",
    { timeout: 30_000 },
    async () => {
      // Each delta is longer than the SDK's own 256-character buffer, so only our pacing can join them.
      const pieces = Array.from(
        { length: 20 },
        (_, index) => `Plans are billed per seat, part ${index}. ${'Seats are counted daily. '.repeat(11)}`,
      );
      let streamingMs = 0;
      const model: ChatModel = {
        async complete(request) {
          const started = performance.now();
          for (const piece of pieces) {
            request.onDelta?.(piece);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          streamingMs = performance.now() - started;
          return {
            text: `${pieces.join('')}[1]`,
            model: request.model,
            usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
            modelMs: 1,
          };
        },
      };
      harness = await startHarness({
        chatModel: model,
        env: { ANSWERLOOP_SLACK__UPDATE_INTERVAL_MS: '250' },
      });
      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UDAN', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
      );
      const appends = harness.fake.callsTo('chat.appendStream').length;
      // One append per interval while the model streams (however slow a busy machine makes it), not one per delta.
      expect(appends).toBeLessThanOrEqual(Math.ceil(streamingMs / 250) + 1);
      expect(appends).toBeLessThan(pieces.length);
      const streamed = harness.fake.messages.find((message) => message.thread_ts === ts)!;
      expect(streamed.text).toContain('part 0.');
      expect(streamed.text).toContain('part 19.');
    },
  );
});
