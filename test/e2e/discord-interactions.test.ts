import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buttonInteraction,
  discordIds,
  type InteractionPlace,
  makeUser,
  messageCommandInteraction,
  messageCreatePayload,
  modalSubmitInteraction,
  type RecordedRequest,
  slashCommandInteraction,
} from '../fakes/fake-discord.ts';
import { type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

interface SentMessage {
  content?: string;
  flags?: number;
  embeds: Array<{ title?: string; description?: string; footer?: { text: string } }>;
  components: Array<{ components: Array<{ custom_id: string }> }>;
  message_reference?: { message_id: string };
  allowed_mentions?: { parse?: string[] };
}

const ephemeral = 64;
const answerCommand = 'Answer with answerloop';
/** A channel set up to answer privately (`reply: private`). */
const privateChannel = discordIds.otherChannel;
const sent = (request: RecordedRequest) => request.body as unknown as SentMessage;
let nextUser = 400;
/** A fresh person per test keeps the per-user rate limit out of the way. */
const someone = () => makeUser(`1000000000000000${nextUser++}`, `person${nextUser}`);
const ask = (question: string, place: InteractionPlace = {}) =>
  slashCommandInteraction('ask', [{ name: 'question', type: 3, value: question }], {
    user: someone(),
    ...place,
  });

describe('Discord interactions end to end: every one acknowledged, the message command, user installs, safe text', () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await startDiscordHarness({
      overrides: { discord: { channels: { [privateChannel]: { reply: 'private' } } } },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  describe('leftovers of an older version are acknowledged with a line that says what to do', () => {
    it('an unknown slash command', async () => {
      const interaction = harness.interact(
        slashCommandInteraction('search-docs', [{ name: 'query', type: 3, value: 'webhooks' }], {
          user: someone(),
        }),
      );
      const callback = (await harness.callback(interaction)).body as {
        type: number;
        data: { content: string; flags: number };
      };
      expect(callback).toMatchObject({ type: 4, data: { flags: ephemeral } });
      expect(callback.data.content).toMatch(/no longer have the command "search-docs".*\/ask/);
      expect(harness.logs).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          command: 'search-docs',
          message: expect.stringMatching(/answerloop discord register/),
        }),
      );
    });

    it('an unknown message command', async () => {
      const target = messageCreatePayload('How do I reset my password?');
      const interaction = harness.interact(
        messageCommandInteraction('Translate with answerloop', target, { user: someone() }),
      );
      const callback = (await harness.callback(interaction)).body as {
        type: number;
        data: { content: string; flags: number };
      };
      expect(callback).toMatchObject({ type: 4, data: { flags: ephemeral } });
      expect(callback.data.content).toMatch(/Translate with answerloop/);
    });

    it('a button and a form this version does not know', async () => {
      const message = {
        id: '1300000000000009998',
        channel_id: discordIds.channel,
        content: '',
        embeds: [],
        components: [],
        timestamp: new Date().toISOString(),
        attachments: [],
      };
      const button = harness.interact(buttonInteraction('answerloop:vote:3', message, { user: someone() }));
      const form = harness.interact(
        modalSubmitInteraction('answerloop:survey:1', { rating: '5' }, { user: someone() }, message),
      );
      for (const interaction of [button, form]) {
        const callback = (await harness.callback(interaction)).body as {
          type: number;
          data: { content: string; flags: number };
        };
        expect(callback).toMatchObject({ type: 4, data: { flags: ephemeral } });
        expect(callback.data.content).toMatch(/older version of the bot.*\/ask/);
      }
      expect(harness.fake.rejectedRequests()).toEqual([]);
    });
  });

  describe('"Answer with answerloop" on a message', () => {
    it('answers publicly in a thread under the message and tells the person who used it where', async () => {
      const asker = someone();
      const target = messageCreatePayload('How do I reset my password?', { author: asker });
      const interaction = harness.interact(
        messageCommandInteraction(answerCommand, target, { user: someone() }),
      );
      // Only the person who used the command sees the acknowledgement; everyone sees the answer in the thread.
      expect((await harness.callback(interaction)).body).toEqual({ type: 5, data: { flags: ephemeral } });
      const thread = await harness.fake.waitForRequest(
        (request) => request.path === `/channels/${discordIds.channel}/messages/${String(target.id)}/threads`,
      );
      expect(thread.body).toMatchObject({ name: 'How do I reset my password?' });
      const answer = await harness.fake.waitForRequest(
        (request) => request.method === 'POST' && request.path === `/channels/${String(target.id)}/messages`,
      );
      expect(sent(answer).embeds[0]!.title).toBe('How do I reset my password?');
      expect(sent(answer).embeds[0]!.description).toMatch(/reset link/i);
      expect(sent(await harness.originalEdit(interaction)).content).toBe(
        `I answered in the thread <#${String(target.id)}>.`,
      );

      const conversationId = sent(answer).components[0]!.components[0]!.custom_id.split(':').at(-1)!;
      // Filed under the thread, so a follow-up mention in it finds this turn.
      expect(await harness.core.getConversation(conversationId)).toMatchObject({
        channel: discordIds.channel,
        thread: String(target.id),
        question: 'How do I reset my password?',
      });
      expect(harness.fake.rejectedRequests()).toEqual([]);
    });

    it('answers in the thread a message is in, as a reply to it', async () => {
      const post = harness.fake.createForumPost({
        title: 'Webhooks',
        content: 'How are webhook retries spaced?',
        author: someone(),
      });
      const interaction = harness.interact(
        messageCommandInteraction(answerCommand, post.starter, {
          user: someone(),
          channelId: post.id,
          channelType: 11,
          parentId: discordIds.forum,
        }),
      );
      const reply = await harness.fake.waitForRequest(
        (request) => request.method === 'POST' && request.path === `/channels/${post.id}/messages`,
      );
      expect(sent(reply).message_reference?.message_id).toBe(post.id);
      expect(sent(reply).embeds[0]!.description).toMatch(/exponential backoff/i);
      expect(sent(await harness.originalEdit(interaction)).content).toBe(
        `I answered in the thread <#${post.id}>.`,
      );
      expect(
        harness.fake.requests.some((request) => request.path.endsWith(`/messages/${post.id}/threads`)),
      ).toBe(false);
    });

    it('answers only the person who used it in a channel set to reply privately', async () => {
      const target = messageCreatePayload('When are invoices emailed?', { channelId: privateChannel });
      const interaction = harness.interact(
        messageCommandInteraction(answerCommand, target, { user: someone(), channelId: privateChannel }),
      );
      expect((await harness.callback(interaction)).body).toEqual({ type: 5, data: { flags: ephemeral } });
      const edit = await harness.originalEdit(interaction);
      expect(sent(edit).embeds[0]!.description).toMatch(/first day of each month/);
      expect(
        harness.fake.requests.some(
          (request) =>
            request.path.startsWith(`/channels/${privateChannel}`) ||
            request.path.includes(String(target.id)),
        ),
      ).toBe(false);
    });

    it('says so privately when the message has no text to answer', async () => {
      const target = { ...messageCreatePayload(''), attachments: [] };
      const interaction = harness.interact(
        messageCommandInteraction(answerCommand, target, { user: someone() }),
      );
      const callback = (await harness.callback(interaction)).body as {
        type: number;
        data: { content: string; flags: number };
      };
      expect(callback).toMatchObject({ type: 4, data: { flags: ephemeral } });
      expect(callback.data.content).toMatch(/no text I can answer/);
    });
  });

  describe('user installs', () => {
    it('answers /ask in the DM with the bot (context 1) and in a DM between people (context 2), installed to the user', async () => {
      const user = someone();
      const inBotDm = harness.interact(
        ask('How do I reset my password?', {
          context: 1,
          install: 'user',
          user,
          channelId: '1000000000000000230',
        }),
      );
      const inGroupDm = harness.interact(
        ask('How are webhook retries spaced?', {
          context: 2,
          install: 'user',
          user: someone(),
          channelId: '1000000000000000231',
        }),
      );
      for (const interaction of [inBotDm, inGroupDm]) {
        expect((await harness.callback(interaction)).body).toMatchObject({ type: 5 });
      }
      expect(sent(await harness.originalEdit(inBotDm)).embeds[0]!.description).toMatch(/reset link/i);
      expect(sent(await harness.originalEdit(inGroupDm)).embeds[0]!.description).toMatch(
        /exponential backoff/i,
      );
      expect(harness.fake.rejectedRequests()).toEqual([]);
    });

    it('copes with a server that forbids external apps: Discord makes the answer private, the bot never reaches for the channel', async () => {
      harness.fake.foreignGuild.externalAppsAllowed = false;
      try {
        const place: InteractionPlace = {
          guildId: discordIds.foreignGuild,
          channelId: discordIds.foreignChannel,
          install: 'user',
        };
        const slash = harness.interact(ask('How do I delete an account?', place));
        expect((await harness.callback(slash)).body).toMatchObject({ type: 5 });
        const slashEdit = await harness.originalEdit(slash);
        expect(slashEdit.status).toBe(200);
        expect(sent(slashEdit).embeds[0]!.description).toMatch(/Danger zone/);

        const target = {
          ...messageCreatePayload('How do I get a refund?', { channelId: discordIds.foreignChannel }),
          guild_id: discordIds.foreignGuild,
        };
        const command = harness.interact(
          messageCommandInteraction(answerCommand, target, { ...place, user: someone() }),
        );
        // Asked publicly (the channel's default); Discord shows it to the user alone. No thread: the bot is not a member.
        const deferral = (await harness.callback(command)).body as {
          type: number;
          data?: { flags?: number };
        };
        expect(deferral.type).toBe(5);
        expect((deferral.data?.flags ?? 0) & ephemeral).toBe(0);
        expect(sent(await harness.originalEdit(command)).embeds[0]!.description).toMatch(/14 days/);
        expect(
          harness.fake.requests.some((request) =>
            request.path.startsWith(`/channels/${discordIds.foreignChannel}`),
          ),
        ).toBe(false);
        expect(harness.fake.rejectedRequests()).toEqual([]);
      } finally {
        harness.fake.foreignGuild.externalAppsAllowed = true;
      }
    });
  });

  it('shows a question with control and direction characters and @everyone back safely, and pings nobody', async () => {
    const question =
      'How do I \u202ereset\u202c my password?\u0007\u200f @everyone <@&1000000000000000777> @here';
    const interaction = harness.interact(ask(question));
    const title = sent(await harness.originalEdit(interaction)).embeds[0]!.title!;
    // eslint-disable-next-line no-control-regex
    expect(title).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
    expect(title).toMatch(/^How do I reset my password\?/);
    // Shown, but as text that can neither ping nor pass for a ping.
    expect(title).not.toMatch(/@everyone|@here|<@&\d+>/);
    expect(title).toContain('@\u200beveryone');
  });

  it('acknowledged every interaction in time and sent nothing that could ping', () => {
    expect(harness.fake.rejectedRequests()).toEqual([]);
    expect(harness.fake.messagesThatMayPing()).toEqual([]);
  });
});
