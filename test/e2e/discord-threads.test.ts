import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordIds, makeUser, type RecordedRequest } from '../fakes/fake-discord.ts';
import { eventually } from '../support/replicas.ts';
import { type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

const answeredIn = (channelId: string) => (request: RecordedRequest) =>
  request.method === 'POST' && request.path === `/channels/${channelId}/messages` && request.status === 200;
const conversationIdOf = (request: RecordedRequest) => {
  const body = request.body as { components: Array<{ components: Array<{ custom_id: string }> }> };
  return body.components[0]!.components[0]!.custom_id.split(':').pop()!;
};
let nextUser = 800;
const someone = () => makeUser(`1000000000000000${nextUser++}`, `member${nextUser}`);

/** The bot's threads in the store: who followed up, and follow-ups without reading Discord's history. */
describe('Discord threads from the store', () => {
  let harness: DiscordHarness;
  beforeAll(async () => {
    harness = await startDiscordHarness({
      overrides: {
        discord: { channels: { [discordIds.forum]: { mode: 'auto' } } },
        answering: { autoAnswerThreshold: 0 },
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it("marks an answer followed up when someone other than the asker writes in the post, and answers the asker's follow-up without a history read", async () => {
    const author = someone();
    const post = harness.fake.createForumPost({
      title: 'Refunds',
      content: 'How do I get a refund for a charge?',
      author,
    });
    const first = await harness.fake.waitForRequest(answeredIn(post.id));
    const conversationId = conversationIdOf(first);

    harness.fake.postMessage(post.id, 'thanks, that worked', author);
    // Kept in the store as the thread's record, and not counted: the asker is not a person following up.
    const place = { platform: 'discord' as const, channel: discordIds.forum, thread: post.id };
    const recorded = async () =>
      (await harness.core.threads.history(
        place,
        { messageId: '', at: new Date(Date.now() + 60_000).toISOString() },
        10,
      )) ?? [];
    expect(
      await eventually(
        async () => (await recorded()).some((turn) => turn.text === 'thanks, that worked'),
        5000,
      ),
    ).toBe(true);
    expect((await harness.core.getConversation(conversationId))!.humanFollowUp ?? null).toBeNull();

    harness.fake.postMessage(post.id, 'Refunds usually arrive within a week, in my experience.', someone());
    expect(
      await eventually(
        async () => Boolean((await harness.core.getConversation(conversationId))!.humanFollowUp),
        5000,
      ),
    ).toBe(true);
    expect((await harness.core.getConversation(conversationId))!.humanFollowUp).toMatchObject({
      kind: 'reply',
    });

    harness.fake.postMessage(post.id, 'And within how many days of a charge can I ask for one?', author);
    await harness.fake.waitForRequest((request) => answeredIn(post.id)(request) && request !== first);
    // Whether the bot answered in this post came from the store, not from reading the post's messages.
    expect(
      harness.fake.requests.filter(
        (request) => request.method === 'GET' && request.path === `/channels/${post.id}/messages`,
      ),
    ).toEqual([]);
  });

  it('marks an answer solved when a person closes the post', async () => {
    const post = harness.fake.createForumPost({
      title: 'Webhook retries',
      content: 'How are webhook retries spaced out?',
      author: someone(),
    });
    const conversationId = conversationIdOf(await harness.fake.waitForRequest(answeredIn(post.id)));
    const thread = harness.fake.threads.get(post.id)!;
    const metadata = thread.thread_metadata as Record<string, unknown>;
    harness.fake.dispatch('THREAD_UPDATE', {
      ...thread,
      thread_metadata: {
        ...metadata,
        archived: true,
        locked: true,
        archive_timestamp: new Date().toISOString(),
      },
    });
    expect(
      await eventually(
        async () => Boolean((await harness.core.getConversation(conversationId))!.humanFollowUp),
        5000,
      ),
    ).toBe(true);
    expect((await harness.core.getConversation(conversationId))!.humanFollowUp).toMatchObject({
      kind: 'solved',
    });
  });
});
