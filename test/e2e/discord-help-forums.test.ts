import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordIds, forumTags, makeUser, type RecordedRequest } from '../fakes/fake-discord.ts';
import { type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

interface SentMessage {
  content?: string;
  embeds: Array<{ title?: string; description?: string; footer?: { text: string } }>;
  components: Array<{ components: Array<{ custom_id: string }> }>;
  message_reference?: { message_id: string };
}

const sent = (request: RecordedRequest) => request.body as unknown as SentMessage;
const tagId = (name: string) => forumTags.find((tag) => tag.name === name)!.id;
let nextUser = 500;
const someone = () => makeUser(`1000000000000000${nextUser++}`, `member${nextUser}`);
const postsIn = (channelId: string) => (request: RecordedRequest) =>
  request.method === 'POST' && request.path === `/channels/${channelId}/messages`;
const answeredIn = (channelId: string) => (request: RecordedRequest) =>
  postsIn(channelId)(request) && request.status === 200;
const tagged = (threadId: string) => (request: RecordedRequest) =>
  request.method === 'PATCH' && request.path === `/channels/${threadId}` && request.status === 200;

/** A post about something the documentation does not cover at all. */
const offTopic = {
  title: 'Sourdough starter smells of acetone',
  content: 'My sourdough starter smells like nail polish after feeding it rye flour. Normal?',
};

describe('Discord help forums and help channels end to end (discord.js against the fake Discord, real core)', () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await startDiscordHarness({
      overrides: {
        discord: {
          channels: {
            // 'solved' is not a tag of the forum: the operator is told, the other tags still apply.
            [discordIds.forum]: {
              mode: 'auto',
              tags: ['Answered by bot', 'solved'],
              unsureTags: ['needs a human'],
              // The emoji itself, as Discord writes it; the help channel names it as Slack does.
              reaction: '🔍',
            },
            [discordIds.helpChannel]: { mode: 'auto', reaction: 'eyes' },
          },
        },
        // The gate itself is the channel's threshold; here it sits at the refusal threshold, so the tests
        // do not depend on how confidence is calibrated: an answerable post is answered, an off-topic one is not.
        answering: {
          autoAnswerThreshold: 0,
          // Greetings go straight to the model (a direct reply, confidence 1), as in the configuration's example.
          routes: [{ pattern: '^(hi|hello)\\b', route: 'direct' }],
        },
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('asks the gateway for the Message Content intent, which reading posts and help channels needs', () => {
    const identify = harness.fake.gatewayFrames.find((frame) => frame.op === 2)!.d as { intents: number };
    expect(identify.intents & (1 << 15)).toBe(1 << 15);
    expect(identify.intents & (1 << 9)).toBe(1 << 9);
  });

  it('answers a new forum post in the post, from its title and starter message, and tags it, keeping the author’s tags', async () => {
    const post = harness.fake.createForumPost({
      title: 'Password reset link',
      content: 'How do I reset my password? I cannot log in any more.',
      author: someone(),
      appliedTags: [tagId('bug')],
    });
    const answer = await harness.fake.waitForRequest(answeredIn(post.id));
    const embed = sent(answer).embeds[0]!;
    expect(embed.title).toBe('Password reset link');
    expect(embed.description).toMatch(/reset link/i);
    const tags = await harness.fake.waitForRequest(tagged(post.id));
    expect((tags.body as { applied_tags: string[] }).applied_tags.sort()).toEqual(
      [tagId('bug'), tagId('answered by bot')].sort(),
    );

    expect(harness.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        missing: ['solved'],
        message: expect.stringMatching(/no tag named "solved".*discord\.channels\./),
      }),
    );

    const conversationId = sent(answer).components[0]!.components[0]!.custom_id.split(':').at(-1)!;
    expect(await harness.core.getConversation(conversationId)).toMatchObject({
      channel: discordIds.forum,
      thread: post.id,
    });
    expect(harness.fake.rejectedRequests()).toEqual([]);
  });

  it('answers a post whose first message mentions the bot once, as a post', async () => {
    const post = harness.fake.createForumPost({
      title: 'Deleting an account',
      content: `<@${discordIds.bot}> how do I delete an account?`,
      author: someone(),
      mentionsBot: true,
    });
    await harness.fake.waitForRequest(tagged(post.id));
    // A later post answered shows the starter's MESSAGE_CREATE has been handled too.
    const marker = harness.fake.createForumPost({
      title: 'Invoices by email',
      content: 'When are invoices emailed?',
      author: someone(),
    });
    await harness.fake.waitForRequest(tagged(marker.id));
    expect(harness.fake.requests.filter(answeredIn(post.id))).toHaveLength(1);
  });

  it('leaves a post it is not sure about to people: no message, tagged for a human', async () => {
    const post = harness.fake.createForumPost({ ...offTopic, author: someone() });
    const tags = await harness.fake.waitForRequest(tagged(post.id));
    expect((tags.body as { applied_tags: string[] }).applied_tags).toEqual([tagId('needs a human')]);
    expect(harness.fake.requests.filter(postsIn(post.id))).toEqual([]);
    expect(harness.logs).toContainEqual(
      expect.objectContaining({ threadId: post.id, message: expect.stringMatching(/not sure enough/) }),
    );
    // The forum's reaction on the post's first message: people see the bot read it.
    await harness.fake.waitForRequest(
      (request) =>
        request.method === 'PUT' &&
        request.path === `/channels/${post.id}/messages/${post.id}/reactions/🔍/@me`,
    );
    // Nothing was generated: the post's question is kept, silent, for the review queue and the gaps report.
    const kept = await harness.core.listConversations({ platform: 'discord', thread: post.id });
    expect(kept.items).toEqual([
      expect.objectContaining({
        question: `${offTopic.title} ${offTopic.content}`,
        silent: true,
        refused: true,
        answer: '',
        model: 'none',
      }),
    ]);
  });

  it('retries while Discord has not caught up with a new post: starter message 10008, then messages refused with 40058', async () => {
    const post = harness.fake.createForumPost({
      title: 'Invoices',
      content: 'When are invoices emailed each month?',
      author: someone(),
      starterMissingFetches: 2,
      refusedSends: 2,
      dispatchStarterMessage: false,
    });
    const answer = await harness.fake.waitForRequest(answeredIn(post.id), 10_000);
    expect(sent(answer).embeds[0]!.description).toMatch(/first day of each month/);
    const starterFetches = harness.fake.requests.filter(
      (request) => request.method === 'GET' && request.path === `/channels/${post.id}/messages/${post.id}`,
    );
    expect(starterFetches.map((request) => request.status)).toEqual([404, 404, 200]);
    expect(
      harness.fake.requests.filter(postsIn(post.id)).map((request) => request.error?.code ?? request.status),
    ).toEqual([40058, 40058, 200]);
  });

  it("answers the author's follow-up question in a post it answered, with the post's earlier turns; ignores other people", async () => {
    const author = someone();
    const post = harness.fake.createForumPost({
      title: 'Refunds',
      content: 'How do I get a refund for a charge?',
      author,
    });
    const first = await harness.fake.waitForRequest(answeredIn(post.id));

    const bystander = harness.fake.postMessage(
      post.id,
      'Does anyone know how long refunds take to arrive?',
      someone(),
    );
    const followUp = harness.fake.postMessage(
      post.id,
      'And within how many days of a charge can I ask for one?',
      author,
    );
    const reply = await harness.fake.waitForRequest(
      (request) => answeredIn(post.id)(request) && request !== first,
    );
    expect(sent(reply).message_reference?.message_id).toBe(followUp.id);
    expect(sent(reply).embeds[0]!.description).toMatch(/14 days/);
    expect(
      harness.fake.requests.some((request) =>
        JSON.stringify(request.body ?? {}).includes(String(bystander.id)),
      ),
    ).toBe(false);
    expect((await harness.core.listConversations({ platform: 'discord', thread: post.id })).total).toBe(2);
  });

  it('answers a question in a help channel in a thread started from it, and ignores a message that asks nothing', async () => {
    const chatter = harness.fake.postMessage(
      discordIds.helpChannel,
      'thanks everyone, the webhook retries work now',
      someone(),
    );
    const question = harness.fake.postMessage(
      discordIds.helpChannel,
      'How are webhook retries spaced out?',
      someone(),
    );
    const thread = await harness.fake.waitForRequest(
      (request) =>
        request.path === `/channels/${discordIds.helpChannel}/messages/${String(question.id)}/threads`,
    );
    expect(thread.body).toMatchObject({ name: 'How are webhook retries spaced out?' });
    const answer = await harness.fake.waitForRequest(answeredIn(String(question.id)));
    expect(sent(answer).embeds[0]!.description).toMatch(/exponential backoff/i);
    expect(harness.fake.requests.some((request) => request.path.includes(String(chatter.id)))).toBe(false);
  });

  it('stays silent in a help channel when it does not know', async () => {
    const question = harness.fake.postMessage(
      discordIds.helpChannel,
      `${offTopic.content} Why does that happen?`,
      someone(),
    );
    // A question it can answer, asked after it, shows the first one has been handled.
    const marker = harness.fake.postMessage(discordIds.helpChannel, 'How do I delete an account?', someone());
    await harness.fake.waitForRequest(answeredIn(String(marker.id)));
    // Nothing posted about it; only the channel's reaction ("eyes", as in Slack) shows the bot read it.
    expect(
      harness.fake.requests
        .filter((request) => request.path.includes(String(question.id)))
        .map((request) => `${request.method} ${request.path}`),
    ).toEqual([`PUT /channels/${discordIds.helpChannel}/messages/${question.id}/reactions/👀/@me`]);
    // The same shape as Slack's help channels: nothing generated, the question kept silent for people.
    const { items } = await harness.core.listConversations({ platform: 'discord', limit: 100 });
    expect(items.filter((record) => record.question.startsWith(offTopic.content))).toEqual([
      expect.objectContaining({ silent: true, refused: true, answer: '', model: 'none' }),
    ]);
  });

  it('does not post a direct reply (a greeting) unasked in a help channel or a forum post, though its confidence is 1', async () => {
    const greeting = harness.fake.postMessage(
      discordIds.helpChannel,
      'hello everyone, is anybody around today?',
      someone(),
    );
    const post = harness.fake.createForumPost({
      title: 'hello, is anybody around today?',
      content: 'hello everyone, anyone here?',
      author: someone(),
    });
    // A question it can answer, asked after them, shows both have been handled.
    const marker = harness.fake.postMessage(discordIds.helpChannel, 'How do I delete an account?', someone());
    await harness.fake.waitForRequest(answeredIn(String(marker.id)));
    await harness.fake.waitForRequest(tagged(String(post.id)));
    // Read, not answered: the channel's reaction only, as Slack does with a greeting in a help channel.
    expect(
      harness.fake.requests
        .filter((request) => request.path.includes(String(greeting.id)))
        .map((request) => request.method),
    ).toEqual(['PUT']);
    expect(harness.fake.requests.some(postsIn(String(post.id)))).toBe(false);
  });

  it('tells the operator what to grant when Discord refuses the reaction, and leaves the question alone', async () => {
    harness.fake.permissions.addReactions = false;
    try {
      const question = harness.fake.postMessage(
        discordIds.helpChannel,
        `${offTopic.content} Does anyone know why?`,
        someone(),
      );
      const refused = await harness.fake.waitForRequest(
        (request) => request.method === 'PUT' && request.path.includes(`/messages/${question.id}/reactions/`),
      );
      expect(refused.status).toBe(403);
      for (let waited = 0; waited < 5000; waited += 50) {
        if (harness.logs.some((entry) => /could not add the looked-at reaction/.test(entry.message ?? '')))
          break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(harness.logs).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message:
            'could not add the looked-at reaction (grant Add Reactions and Read Message History in the channel)',
        }),
      );
      expect(harness.fake.requests.some(answeredIn(String(question.id)))).toBe(false);
    } finally {
      harness.fake.permissions.addReactions = true;
    }
  });

  it('sent nothing that could ping and broke no rule of Discord', () => {
    expect(harness.fake.messagesThatMayPing()).toEqual([]);
    // The 40058 refusals above are retried; the 403 is the reaction refused on purpose just above.
    expect(
      harness.fake
        .rejectedRequests()
        .filter(
          (request) =>
            request.error?.code !== 40058 &&
            request.error?.code !== 10008 &&
            !(request.error?.code === 50013 && request.path.includes('/reactions/')),
        ),
    ).toEqual([]);
  });
});
