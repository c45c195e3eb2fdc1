import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appMentionEvent, messageEvent } from '../fakes/fake-slack-payloads.ts';
import { createInMemoryStore } from '../fakes/in-memory-store.ts';
import { type Harness, nextTs, startHarness, stopHarness } from '../support/slack-test-harness.ts';

/**
 * Thread context within Slack's limits: the bot keeps the messages of its threads in the store, so a
 * follow-up needs no conversations.replies, which Slack limits to one call a minute for distributed apps.
 */
describe('Slack threads from the store', () => {
  let harness: Harness;
  let repliesRateLimited = true;
  beforeAll(async () => {
    harness = await startHarness({
      env: { ANSWERLOOP_SLACK__STREAM: 'off' },
      // Slack at its limit: every history read is answered 429 with a minute to wait.
      fake: {
        rateLimit: (call) => (call.method === 'conversations.replies' && repliesRateLimited ? 60 : undefined),
      },
    });
  });
  afterAll(async () => {
    await stopHarness(harness);
  });

  const questionTs = nextTs();

  it('answers a follow-up in its thread with the thread as context while conversations.replies answers 429', async () => {
    await harness.send(
      appMentionEvent({
        user: 'UALICE',
        channel: 'CSUPPORT',
        ts: questionTs,
        text: 'How do I reset my password?',
      }),
    );
    const first = harness.answerIn('CSUPPORT', questionTs)!;
    expect(first).toBeDefined();

    // A teammate writes in the thread (no mention): kept in the store, and the answer counts as followed up.
    const teammateTs = nextTs();
    await harness.send(
      messageEvent({
        user: 'UBOB',
        channel: 'CSUPPORT',
        channelType: 'channel',
        ts: teammateTs,
        threadTs: questionTs,
        text: 'The reset email can take a few minutes to arrive.',
      }),
    );
    const followedUp = await harness.core.getConversation(first.conversationId);
    expect(followedUp!.humanFollowUp).toMatchObject({ kind: 'reply' });
    expect(Date.parse(followedUp!.humanFollowUp!.at)).toBe(Math.round(Number(teammateTs) * 1000));

    const followUpTs = nextTs();
    await harness.send(
      appMentionEvent({
        user: 'UALICE',
        channel: 'CSUPPORT',
        ts: followUpTs,
        threadTs: questionTs,
        text: 'How long is it valid?',
      }),
    );
    const answers = harness.fake.messages.filter(
      (message) => message.thread_ts === questionTs && message.blocks?.length,
    );
    expect(answers).toHaveLength(2);
    const { items } = await harness.core.listConversations({
      platform: 'slack',
      channel: 'CSUPPORT',
      thread: questionTs,
      order: 'newest',
    });
    expect(items[0]!.question).toBe('How long is it valid?');
    // The earlier turns came from the store: the teammate's note is in no conversation record, only there.
    expect(items[0]!.standaloneQuestion).toContain('reset email can take a few minutes');
    expect(harness.fake.callsTo('conversations.replies')).toHaveLength(0);
  });

  it("does not count the asker's own follow-up as a person following up", async () => {
    const ts = nextTs();
    await harness.send(
      appMentionEvent({ user: 'UCAROL', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
    );
    const answer = harness.answerIn('CSUPPORT', ts)!;
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CSUPPORT',
        channelType: 'channel',
        ts: nextTs(),
        threadTs: ts,
        text: 'thanks',
      }),
    );
    expect((await harness.core.getConversation(answer.conversationId))!.humanFollowUp ?? null).toBeNull();
  });

  it('answers a mention in a thread it never saw without its history when Slack says 429, and waits out Retry-After', async () => {
    const parentTs = nextTs();
    harness.fake.addMessage({
      channel: 'CSUPPORT',
      ts: parentTs,
      user: 'UOLIVIA',
      text: 'How do I turn on two-factor authentication for my account?',
    });
    const mentionTs = nextTs();
    await harness.send(
      appMentionEvent({
        user: 'UPETER',
        channel: 'CSUPPORT',
        ts: mentionTs,
        threadTs: parentTs,
        text: 'how do I reset my password?',
      }),
    );
    expect(harness.fake.rateLimited.filter((call) => call.method === 'conversations.replies')).toHaveLength(
      1,
    );
    // Answered at once, without the earlier thread, and the operator log says why.
    expect(harness.answerIn('CSUPPORT', parentTs)).toBeDefined();
    expect(
      harness.logger.entries.some(
        (entry) =>
          entry.message ===
            'Slack rate-limited conversations.replies (429); answering without the earlier thread' &&
          entry.object.retryAfterSeconds === 60,
      ),
    ).toBe(true);
    expect((await harness.core.renderMetrics()).text).toMatch(
      /answerloop_platform_rate_limits_total\{platform="slack",method="conversations.replies"\} 1/,
    );

    // Within the minute Slack asked for, another unknown thread does not try again.
    repliesRateLimited = false;
    const otherParent = nextTs();
    harness.fake.addMessage({
      channel: 'CSUPPORT',
      ts: otherParent,
      user: 'UOLIVIA',
      text: 'Billing question',
    });
    await harness.send(
      appMentionEvent({
        user: 'UPETER',
        channel: 'CSUPPORT',
        ts: nextTs(),
        threadTs: otherParent,
        text: 'how are plans billed?',
      }),
    );
    expect(harness.fake.callsTo('conversations.replies')).toHaveLength(1);
    expect(harness.answerIn('CSUPPORT', otherParent)).toBeDefined();
  });

  it('reads the store once for the thread of a mention: whether it takes part and its earlier turns together', async () => {
    const store = createInMemoryStore();
    const own = await startHarness({ store });
    try {
      const parentTs = nextTs();
      own.fake.addMessage({
        channel: 'CSUPPORT',
        ts: parentTs,
        user: 'UOLIVIA',
        text: 'Two-factor question',
      });
      const before = store.calls.length;
      await own.send(
        appMentionEvent({
          user: 'UPETER',
          channel: 'CSUPPORT',
          ts: nextTs(),
          threadTs: parentTs,
          text: 'how do I reset my password?',
        }),
      );
      expect(own.answerIn('CSUPPORT', parentTs)).toBeDefined();
      const threadReads = store.calls
        .slice(before)
        .filter(
          (call) =>
            call.method === 'listThreadMessages' &&
            (call.args[0] as { thread?: string; answers?: string }).thread === parentTs,
        );
      expect(threadReads).toHaveLength(1);
    } finally {
      await stopHarness(own);
    }
  });
});
