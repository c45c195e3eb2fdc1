import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordIds, makeUser, messageCreatePayload, type RecordedRequest } from '../fakes/fake-discord.ts';
import { type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

const isAnswerPost = (request: RecordedRequest, threadId: string) =>
  request.method === 'POST' && request.path === `/channels/${threadId}/messages`;

/** Discord answers 429 (a route's bucket, then the global limit): the answer waits, is retried, and arrives once. */
describe('Discord rate limits', () => {
  let harness: DiscordHarness;
  let limitedThread = '';
  let limitsLeft = 2;
  beforeAll(async () => {
    harness = await startDiscordHarness({
      overrides: { discord: { mentions: true, mentionReply: 'thread' } },
      fake: {
        rateLimit: (request) => {
          if (!limitedThread || !isAnswerPost(request, limitedThread) || limitsLeft === 0) return undefined;
          limitsLeft -= 1;
          return { retryAfterSeconds: 0.5, global: limitsLeft === 0 };
        },
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it(
    'posts the answer once after its route and then the global limit answered 429',
    { timeout: 30_000 },
    async () => {
      const mention = messageCreatePayload(`<@${discordIds.bot}> how do I reset my password?`, {
        mentionsBot: true,
        author: makeUser('1000000000000000700', 'hana'),
      });
      // A thread started from a message has the message's id.
      limitedThread = String(mention.id);
      harness.fake.dispatch('MESSAGE_CREATE', mention);
      await harness.fake.waitForRequest(
        (request) => isAnswerPost(request, limitedThread) && request.status === 200,
        20_000,
      );
      const posts = harness.fake.requests.filter((request) => isAnswerPost(request, limitedThread));
      expect(posts.map((request) => request.status)).toEqual([429, 429, 200]);
      expect((await harness.core.renderMetrics()).text).toMatch(
        /answerloop_platform_rate_limits_total\{platform="discord",method="\/channels\/:id\/messages"\} 2/,
      );
      expect(harness.logs).toContainEqual(
        expect.objectContaining({
          level: 'info',
          global: true,
          message: 'Discord answered 429 (rate limited): the request waits in its bucket and is retried',
        }),
      );
    },
  );
});
