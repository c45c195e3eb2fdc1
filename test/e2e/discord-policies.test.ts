import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerloopError, type ChatModel } from '../../src/core/index.ts';
import {
  discordIds,
  fakeOtherBotUser,
  makeUser,
  messageCreatePayload,
  messageLimitProblems,
  type RecordedRequest,
  slashCommandInteraction,
} from '../fakes/fake-discord.ts';
import { defaultDocs, type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

interface SentMessage {
  content?: string;
  flags?: number;
  embeds: Array<{
    title?: string;
    description?: string;
    fields?: Array<{ name: string; value: string }>;
    footer?: { text: string };
  }>;
  components: Array<{ components: Array<{ custom_id: string }> }>;
  message_reference?: { message_id: string };
}

const ephemeral = 64;
const notAllowedChannel = discordIds.thirdChannel;
const sent = (request: RecordedRequest) => request.body as unknown as SentMessage;
const conversationIdOf = (message: SentMessage) =>
  message.components[0]!.components[0]!.custom_id.split(':').at(-1)!;
const ask = (question: string, place: Parameters<typeof slashCommandInteraction>[2] = {}) =>
  slashCommandInteraction('ask', [{ name: 'question', type: 3, value: question }], place);

/** Three long sentences about one topic: the extractive answer quotes them all and needs more than one message. */
function longDocument(): string {
  const sentence = (topic: string) =>
    `To rotate signing keys for ${topic} you ${Array.from({ length: 60 }, (_, index) => `then check signing key rotation step ${index + 1} for ${topic}`).join(' and ')} before you finish.`;
  return [
    '# Signing keys',
    '',
    '## Rotating signing keys',
    '',
    sentence('the web app'),
    '',
    sentence('the mobile app'),
    '',
    sentence('the public API'),
  ].join('\n');
}

describe('Discord policies end to end: allowed channels, rate limit, channel filters, long answers, mentions', () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await startDiscordHarness({
      docs: { ...defaultDocs, 'docs/signing-keys.md': longDocument() },
      overrides: {
        // Long sentences stay whole in one chunk and may be quoted whole, so the offline answer quotes all three.
        knowledge: { chunkTokens: 4000, chunkOverlapTokens: 0 },
        answering: { contextTokens: 8000, extractive: { maxSentenceWords: 1000 } },
        discord: {
          allowedChannels: [discordIds.channel, discordIds.otherChannel],
          channelFilters: { [discordIds.otherChannel]: { sourcePrefixes: ['guides/'] } },
          rateLimitPerMinute: 2,
          mentions: true,
          mentionReply: 'thread',
        },
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('asks the gateway for the message-content intent only when mentions are on', () => {
    const identify = harness.fake.gatewayFrames.find((frame) => frame.op === 2)!.d as { intents: number };
    expect(identify.intents & (1 << 15)).toBe(1 << 15);
    expect(identify.intents & (1 << 9)).toBe(1 << 9);
  });

  it('replies privately that it does not answer in a channel that is not allowed, without asking core', async () => {
    const before = (await harness.core.listConversations({ platform: 'discord' })).total;
    const interaction = harness.interact(
      ask('How do I reset my password?', {
        channelId: notAllowedChannel,
        user: makeUser('1000000000000000310', 'bea'),
      }),
    );
    const callback = (await harness.callback(interaction)).body as {
      type: number;
      data: { content: string; flags: number };
    };
    expect(callback.type).toBe(4);
    expect(callback.data.flags).toBe(ephemeral);
    expect(callback.data.content).toMatch(/do not answer questions here/);
    expect((await harness.core.listConversations({ platform: 'discord' })).total).toBe(before);
  });

  it('limits questions per user per minute with a polite private reply', async () => {
    const user = makeUser('1000000000000000311', 'cy');
    const first = harness.interact(ask('When are invoices emailed?', { user }));
    const second = harness.interact(ask('How do I get a refund?', { user }));
    const third = harness.interact(ask('How are webhook retries spaced?', { user }));
    expect((await harness.callback(first)).body).toMatchObject({ type: 5 });
    expect((await harness.callback(second)).body).toMatchObject({ type: 5 });
    const limited = (await harness.callback(third)).body as {
      type: number;
      data: { content: string; flags: number };
    };
    expect(limited).toMatchObject({ type: 4, data: { flags: ephemeral } });
    expect(limited.data.content).toMatch(/Please wait \d+ seconds? and ask again/);
    // Someone else is not slowed down.
    const other = harness.interact(
      ask('How are webhook retries spaced?', { user: makeUser('1000000000000000312', 'dee') }),
    );
    expect((await harness.callback(other)).body).toMatchObject({ type: 5 });
    await harness.originalEdit(other);
  });

  it("searches with the channel's knowledge filters", async () => {
    const filtered = harness.interact(
      ask('How are webhook deliveries retried?', {
        channelId: discordIds.otherChannel,
        user: makeUser('1000000000000000313', 'eli'),
      }),
    );
    const edit = await harness.originalEdit(filtered);
    const conversation = await harness.core.getConversation(conversationIdOf(sent(edit)));
    expect(conversation?.sources.length).toBeGreaterThan(0);
    expect(conversation?.sources.every((source) => source.source.startsWith('guides/'))).toBe(true);

    const unfiltered = harness.interact(
      ask('How do I reset my password?', { user: makeUser('1000000000000000313', 'eli') }),
    );
    const other = await harness.core.getConversation(
      conversationIdOf(sent(await harness.originalEdit(unfiltered))),
    );
    expect(other?.sources.some((source) => source.source === 'docs/accounts.md')).toBe(true);
  });

  it('splits an answer too long for one message into follow-ups within Discord limits', async () => {
    const interaction = harness.interact(
      ask('How do I rotate signing keys?', { user: makeUser('1000000000000000314', 'fay') }),
    );
    const edit = await harness.originalEdit(interaction);
    const isFollowUp = (request: RecordedRequest) =>
      request.method === 'POST' &&
      request.path === `/webhooks/${discordIds.application}/${interaction.token}`;
    // The last follow-up carries the buttons.
    await harness.fake.waitForRequest(
      (request) => isFollowUp(request) && sent(request).components?.length === 1,
    );
    const parts = [edit, ...harness.fake.requests.filter(isFollowUp)];
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) expect(messageLimitProblems(part.body as Record<string, unknown>)).toEqual([]);
    expect(harness.fake.rejectedRequests()).toEqual([]);

    const messages = parts.map(sent);
    expect(messages[0]!.embeds[0]!.title).toBe('How do I rotate signing keys?');
    expect(messages[0]!.components).toEqual([]);
    const last = messages.at(-1)!;
    expect(last.embeds[0]!.footer?.text).toBe('extractive answer');
    expect(last.embeds[0]!.fields?.[0]?.value).toContain('docs/signing-keys.md');
    const conversation = await harness.core.getConversation(conversationIdOf(last));
    expect(conversation!.answer.length).toBeGreaterThan(4096);
    const shown = messages.map((message) => message.embeds[0]!.description).join(' ');
    expect(shown.split(/\s+/)).toEqual(conversation!.answer.split(/\s+/));
  });

  it('answers a mention in a new thread started from the message, and a follow-up mention inside that thread', async () => {
    const user = makeUser('1000000000000000315', 'gus');
    const mention = messageCreatePayload(`<@${discordIds.bot}> how do I reset my password?`, {
      mentionsBot: true,
      author: user,
    });
    harness.fake.dispatch('MESSAGE_CREATE', mention);
    const threadId = String(mention.id);
    const created = await harness.fake.waitForRequest(
      (request) => request.path === `/channels/${discordIds.channel}/messages/${threadId}/threads`,
    );
    expect(created.body).toMatchObject({ name: 'how do I reset my password?' });
    const answer = await harness.fake.waitForRequest(
      (request) => request.method === 'POST' && request.path === `/channels/${threadId}/messages`,
    );
    expect(sent(answer).embeds[0]!.description).toMatch(/reset link/i);
    const first = await harness.core.getConversation(conversationIdOf(sent(answer)));
    expect(first).toMatchObject({
      channel: discordIds.channel,
      thread: threadId,
      question: 'how do I reset my password?',
    });

    const followUp = messageCreatePayload(`<@${discordIds.bot}> and how long is the link valid?`, {
      mentionsBot: true,
      author: user,
      channelId: threadId,
    });
    harness.fake.dispatch('MESSAGE_CREATE', followUp);
    const reply = await harness.fake.waitForRequest(
      (request) =>
        request.method === 'POST' && request.path === `/channels/${threadId}/messages` && request !== answer,
    );
    expect(sent(reply).message_reference?.message_id).toBe(followUp.id);
    const inThread = await harness.core.listConversations({ platform: 'discord', thread: threadId });
    expect(inThread.total).toBe(2);
    expect(harness.fake.rejectedRequests()).toEqual([]);
  });

  it('replies under the message when it may not start a thread, and tells the operator why', async () => {
    harness.fake.permissions.createPublicThreads = false;
    try {
      const mention = messageCreatePayload(`<@${discordIds.bot}> how do I get a refund?`, {
        mentionsBot: true,
        author: makeUser('1000000000000000318', 'jo'),
      });
      harness.fake.dispatch('MESSAGE_CREATE', mention);
      const reply = await harness.fake.waitForRequest(
        (request) =>
          request.method === 'POST' &&
          request.path === `/channels/${discordIds.channel}/messages` &&
          sent(request).message_reference?.message_id === mention.id,
      );
      expect(sent(reply).embeds[0]!.description).toMatch(/14 days/);
      expect(harness.logs).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: expect.stringMatching(/could not start a thread/),
        }),
      );
    } finally {
      harness.fake.permissions.createPublicThreads = true;
    }
  });

  it('ignores other bots, messages that do not mention it, and channels it is not allowed in', async () => {
    const fromBot = messageCreatePayload(`<@${discordIds.bot}> how do I reset my password?`, {
      mentionsBot: true,
      author: fakeOtherBotUser,
    });
    const noMention = messageCreatePayload('how do I reset my password?', {
      author: makeUser('1000000000000000316', 'hal'),
    });
    const elsewhere = messageCreatePayload(`<@${discordIds.bot}> how do I reset my password?`, {
      mentionsBot: true,
      channelId: notAllowedChannel,
    });
    for (const message of [fromBot, noMention, elsewhere]) harness.fake.dispatch('MESSAGE_CREATE', message);
    // A mention dispatched after them is answered; by then the ignored ones have been handled.
    const marker = messageCreatePayload(`<@${discordIds.bot}> when are invoices emailed?`, {
      mentionsBot: true,
      author: makeUser('1000000000000000317', 'ida'),
    });
    harness.fake.dispatch('MESSAGE_CREATE', marker);
    await harness.fake.waitForRequest(
      (request) => request.method === 'POST' && request.path === `/channels/${String(marker.id)}/messages`,
    );
    for (const ignored of [fromBot, noMention, elsewhere]) {
      expect(
        harness.fake.requests.some(
          (request) =>
            request.path.includes(String(ignored.id)) ||
            JSON.stringify(request.body ?? {}).includes(String(ignored.id)),
        ),
      ).toBe(false);
    }
  });
});

describe('Discord failures end to end', () => {
  let harness: DiscordHarness;
  const failingModel: ChatModel = {
    async complete() {
      throw new AnswerloopError('upstream_failed', 'OpenAI answered 503 Service Unavailable', {
        isRetryable: true,
      });
    },
  };

  beforeAll(async () => {
    harness = await startDiscordHarness({
      chatModel: failingModel,
      overrides: { discord: { mentions: true, mentionReply: 'reply' }, answering: { stream: false } },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('removes the public placeholder and tells only the asker, politely, when answering fails; the cause goes to the log', async () => {
    const interaction = harness.interact(ask('How do I reset my password?'));
    expect((await harness.callback(interaction)).body).toMatchObject({ type: 5 });
    const deleted = await harness.fake.waitForRequest(
      (request) =>
        request.method === 'DELETE' &&
        request.path === `/webhooks/${discordIds.application}/${interaction.token}/messages/@original`,
    );
    expect(deleted.status).toBe(204);
    const notice = await harness.fake.waitForRequest(
      (request) =>
        request.method === 'POST' &&
        request.path === `/webhooks/${discordIds.application}/${interaction.token}`,
    );
    expect(sent(notice).flags).toBe(ephemeral);
    expect(sent(notice).content).toMatch(/try again in a minute/);
    expect(sent(notice).content).not.toMatch(/503|OpenAI/);
    const logged = harness.logs.find(
      (entry) => entry.level === 'error' && entry.interactionId === interaction.id,
    );
    expect(logged).toMatchObject({
      message: 'Discord interaction failed',
      kind: '/ask',
      component: 'discord',
    });
    expect((logged!.err as Error).message).toMatch(/503/);
  });

  it('replies politely to a mention that fails, and keeps running', async () => {
    const mention = messageCreatePayload(`<@${discordIds.bot}> how do I reset my password?`, {
      mentionsBot: true,
    });
    harness.fake.dispatch('MESSAGE_CREATE', mention);
    const reply = await harness.fake.waitForRequest(
      (request) => request.method === 'POST' && request.path === `/channels/${discordIds.channel}/messages`,
    );
    expect(sent(reply).message_reference?.message_id).toBe(mention.id);
    expect(sent(reply).content).toMatch(/try again in a minute/);
    expect(harness.logs).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'Discord mention failed', messageId: mention.id }),
    );
  });
});

describe('Discord start-up failures', () => {
  it('explains what to do when the Message Content intent is not enabled for the application', async () => {
    await expect(
      startDiscordHarness({
        overrides: { discord: { mentions: true } },
        fake: { allowedPrivilegedIntents: 0 },
      }),
    ).rejects.toThrow(/Message Content intent.*Developer Portal/);
  });

  it('explains what to do when the token is rejected', async () => {
    await expect(startDiscordHarness({ env: { DISCORD_TOKEN: 'wrong-token' } })).rejects.toThrow(
      /rejected DISCORD_TOKEN/,
    );
  });
});
