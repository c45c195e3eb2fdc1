import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buttonInteraction,
  discordIds,
  type InteractionPlace,
  makeUser,
  type RecordedRequest,
  slashCommandInteraction,
} from '../fakes/fake-discord.ts';
import { type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

interface SentMessage {
  content?: string;
  embeds: Array<{
    title?: string;
    description?: string;
    fields?: Array<{ name: string; value: string }>;
    footer?: { text: string };
  }>;
  components: Array<{ components: Array<{ custom_id: string; label?: string }> }>;
  allowed_mentions?: { parse?: string[]; roles?: string[] };
}

const supportRole = '1000000000000000500';
/** A channel id the bot cannot reach. */
const missingChannel = '1000000000000000999';
const sent = (request: RecordedRequest) => request.body as unknown as SentMessage;
let nextUser = 600;
const someone = () => makeUser(`1000000000000000${nextUser++}`, `person${nextUser}`);

describe('Discord hand-off to a person', () => {
  let harness: DiscordHarness;
  beforeAll(async () => {
    harness = await startDiscordHarness({
      overrides: {
        discord: {
          channels: {
            [discordIds.channel]: { handoff: { channel: discordIds.thirdChannel, mention: supportRole } },
            [discordIds.helpChannel]: { handoff: { channel: missingChannel } },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const escalations = () =>
    harness.fake.requests.filter(
      (request) =>
        request.method === 'POST' && request.path === `/channels/${discordIds.thirdChannel}/messages`,
    );

  /** /ask in a channel; the answer's message as Discord would show it, with its buttons. */
  async function ask(question: string, place: InteractionPlace) {
    const interaction = harness.interact(
      slashCommandInteraction('ask', [{ name: 'question', type: 3, value: question }], place),
    );
    const answer = sent(await harness.originalEdit(interaction));
    const message = {
      id: `13000000000${String(nextUser).padStart(8, '0')}`,
      channel_id: place.channelId ?? discordIds.channel,
      guild_id: discordIds.guild,
      content: '',
      embeds: answer.embeds,
      components: answer.components,
      timestamp: new Date().toISOString(),
      attachments: [],
    };
    const buttons = answer.components.flatMap((row) => row.components);
    return {
      message,
      buttons,
      handoff: buttons.find((button) => button.custom_id.startsWith('answerloop:handoff:')),
    };
  }

  async function click(customId: string, message: Record<string, unknown>, place: InteractionPlace) {
    const interaction = harness.interact(buttonInteraction(customId, message, place));
    const callback = (await harness.callback(interaction)).body as {
      type: number;
      data?: { flags?: number };
    };
    expect(callback).toMatchObject({ type: 5, data: { flags: 64 } });
    return sent(await harness.originalEdit(interaction));
  }

  it('offers "Ask a person" only where the channel hands questions to people', async () => {
    const there = await ask('How do I reset my password?', {
      user: someone(),
      channelId: discordIds.channel,
    });
    expect(there.handoff).toMatchObject({ label: 'Ask a person' });
    const elsewhere = await ask('How do I reset my password?', {
      user: someone(),
      channelId: discordIds.otherChannel,
    });
    expect(elsewhere.buttons.length).toBeGreaterThan(0);
    expect(elsewhere.handoff).toBeUndefined();
  });

  it('posts the question to the escalation channel pinging only the role, marks it, and tells the person privately', async () => {
    const asker = someone();
    const place = { user: asker, channelId: discordIds.channel };
    const { message, handoff } = await ask('How do I reset my password?', place);
    const conversationId = handoff!.custom_id.slice('answerloop:handoff:'.length);
    const notice = await click(handoff!.custom_id, message, place);
    expect(notice.content).toContain(`<@&${supportRole}>`);
    expect(notice.content).toContain(`<#${discordIds.thirdChannel}>`);

    expect(escalations()).toHaveLength(1);
    const posted = sent(escalations()[0]!);
    expect(posted.content).toContain(`<@&${supportRole}>`);
    expect(posted.content).toContain(`<@${asker.id}>`);
    expect(posted.allowed_mentions).toMatchObject({ roles: [supportRole] });
    expect(posted.allowed_mentions?.parse ?? []).toEqual([]);
    const embed = posted.embeds[0]!;
    expect(embed.title).toBe('How do I reset my password?');
    expect(embed.fields?.map((field) => field.name)).toEqual(["The bot's answer", 'Sources', 'Thread']);
    expect(embed.fields?.[2]?.value).toContain(
      `https://discord.com/channels/${discordIds.guild}/${discordIds.channel}/${message.id}`,
    );
    expect(embed.footer?.text).toMatch(/^Confidence \d+%/);

    const record = await harness.core.getConversation(conversationId);
    expect(record!.handoff).toMatchObject({ place: discordIds.thirdChannel });

    // Another click, by anyone, posts nothing more.
    const again = await click(handoff!.custom_id, message, {
      user: someone(),
      channelId: discordIds.channel,
    });
    expect(again.content).toContain('already with the support team');
    expect(escalations()).toHaveLength(1);
  });

  it('hands over a refusal too', async () => {
    const place = { user: someone(), channelId: discordIds.channel };
    const { message, handoff } = await ask('What is the capital of Peru?', place);
    expect(handoff).toBeDefined();
    await click(handoff!.custom_id, message, place);
    expect(sent(escalations().at(-1)!).embeds[0]!.fields?.[0]?.value).toContain('did not find this');
  });

  it('says so politely when it cannot post to the escalation channel, and logs why', async () => {
    const place = { user: someone(), channelId: discordIds.helpChannel };
    const { message, handoff } = await ask('How do I reset my password?', place);
    const notice = await click(handoff!.custom_id, message, place);
    expect(notice.content).toContain("couldn't reach the support team");
    const conversationId = handoff!.custom_id.slice('answerloop:handoff:'.length);
    expect((await harness.core.getConversation(conversationId))!.handoff ?? null).toBeNull();
    expect(harness.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        channelId: missingChannel,
        message: expect.stringMatching(`Could not post a hand-off to channel ${missingChannel}`),
      }),
    );
  });
});
