import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashUserId } from '../../src/core/index.ts';
import {
  buttonInteraction,
  discordIds,
  modalSubmitInteraction,
  type RecordedRequest,
  slashCommandInteraction,
} from '../fakes/fake-discord.ts';
import {
  type DiscordHarness,
  messageFromEdit,
  startDiscordHarness,
} from '../support/discord-test-harness.ts';
import { questionAnsweredUnsure } from '../support/weak-evidence.ts';

interface SentEmbed {
  title?: string;
  description?: string;
  fields?: Array<{ name: string; value: string }>;
  footer?: { text: string };
}
interface SentMessage {
  content?: string;
  flags?: number;
  embeds: SentEmbed[];
  components: Array<{ type: number; components: Array<{ type: number; custom_id: string; label: string }> }>;
}

const ephemeral = 64;
const ask = (question: string, extra: Array<{ name: string; type: number; value: string | boolean }> = []) =>
  slashCommandInteraction('ask', [{ name: 'question', type: 3, value: question }, ...extra]);
const sent = (request: RecordedRequest) => request.body as unknown as SentMessage;
const conversationIdOf = (message: SentMessage) =>
  message.components[0]!.components[0]!.custom_id.split(':').at(-1)!;

describe('Discord /ask end to end (discord.js against a fake Discord, real core, offline answers)', () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await startDiscordHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('connects through the real gateway protocol: gateway/bot, v10 JSON, IDENTIFY with only the Guilds intent, heartbeats acknowledged', async () => {
    const { fake } = harness;
    expect(fake.requests[0]).toMatchObject({
      method: 'GET',
      path: '/gateway/bot',
      authorization: 'Bot test-token',
    });
    expect(fake.gatewayConnections[0]).toBe('/?v=10&encoding=json');
    const identify = fake.gatewayFrames.find((frame) => frame.op === 2)!.d as {
      token: string;
      intents: number;
    };
    expect(identify.token).toBe('test-token');
    // Slash commands need no privileged intent: without mentions the bot asks for Guilds (1) only.
    expect(identify.intents).toBe(1);
    await fake.waitForGatewayFrame((frame) => frame.op === 1, 2000);
    expect(harness.bot.userTag).toBe('answerloop');
  });

  it('defers a public /ask within the 3 seconds, then edits in the answer embed with sources, model and buttons', async () => {
    const interaction = harness.interact(ask('How do I reset my password?'));
    const callback = await harness.callback(interaction);
    const body = callback.body as { type: number; data?: { flags?: number } };
    expect(body.type).toBe(5);
    expect((body.data?.flags ?? 0) & ephemeral).toBe(0);
    expect(callback.authorization).toBeUndefined();
    expect(callback.query.get('with_response')).toBe('false');

    const edit = await harness.originalEdit(interaction);
    const message = sent(edit);
    const embed = message.embeds[0]!;
    expect(embed.title).toBe('How do I reset my password?');
    expect(embed.description).toMatch(/reset your password.*\[1\]/i);
    expect(embed.footer?.text).toBe('extractive answer');
    expect(embed.fields?.[0]?.name).toMatch(/^Sources?$/);
    expect(embed.fields?.[0]?.value).toContain(
      '**[1]** Accounts › Resetting your password · `docs/accounts.md`',
    );
    expect(message.components[0]!.components.map((button) => button.label)).toEqual([
      'Helpful',
      'Not helpful',
      'Suggest a correction',
    ]);
    // Answers quote documentation: nobody gets pinged by the bot.
    expect(edit.body).toMatchObject({ allowed_mentions: { parse: [] } });

    const conversation = await harness.core.getConversation(conversationIdOf(message));
    expect(conversation).toMatchObject({
      platform: 'discord',
      channel: discordIds.channel,
      thread: interaction.id,
      question: 'How do I reset my password?',
      user: hashUserId('discord', discordIds.user),
      model: 'extractive',
    });
    expect(harness.fake.rejectedRequests()).toEqual([]);
  });

  it('answers privately when private:true (ephemeral deferral)', async () => {
    const interaction = harness.interact(
      ask('When are invoices emailed?', [{ name: 'private', type: 5, value: true }]),
    );
    expect((await harness.callback(interaction)).body).toEqual({ type: 5, data: { flags: ephemeral } });
    const edit = await harness.originalEdit(interaction);
    expect(sent(edit).embeds[0]!.description).toMatch(/first day of each month/);
    expect(harness.fake.rejectedRequests()).toEqual([]);
  });

  it('stores helpful and not helpful clicks on the conversation and thanks the user privately', async () => {
    const asked = harness.interact(ask('How are webhook retries spaced?'));
    const edit = await harness.originalEdit(asked);
    const conversationId = conversationIdOf(sent(edit));

    const helpful = harness.interact(
      buttonInteraction(`answerloop:feedback:helpful:${conversationId}`, messageFromEdit(edit)),
    );
    expect((await harness.callback(helpful)).body).toEqual({ type: 5, data: { flags: ephemeral } });
    expect(sent(await harness.originalEdit(helpful)).content).toMatch(/^Thanks/);
    expect((await harness.core.getConversation(conversationId))?.feedback).toMatchObject({
      helpful: true,
      by: hashUserId('discord', discordIds.user),
    });

    const notHelpful = harness.interact(
      buttonInteraction(`answerloop:feedback:not-helpful:${conversationId}`, messageFromEdit(edit)),
    );
    await harness.originalEdit(notHelpful);
    expect((await harness.core.getConversation(conversationId))?.feedback?.helpful).toBe(false);
  });

  it('opens a correction modal from the button and stores the submitted correction for review', async () => {
    const asked = harness.interact(ask('How long do I have to ask for a refund?'));
    const edit = await harness.originalEdit(asked);
    const conversationId = conversationIdOf(sent(edit));

    const click = harness.interact(
      buttonInteraction(`answerloop:feedback:correct:${conversationId}`, messageFromEdit(edit)),
    );
    const modal = (await harness.callback(click)).body as {
      type: number;
      data: {
        custom_id: string;
        components: Array<{ type: number; component: { custom_id: string; style: number } }>;
      };
    };
    expect(modal.type).toBe(9);
    expect(modal.data.custom_id).toBe(`answerloop:correction:${conversationId}`);
    expect(modal.data.components[0]).toMatchObject({ type: 18, component: { style: 2 } });

    const inputId = modal.data.components[0]!.component.custom_id;
    const submit = harness.interact(
      modalSubmitInteraction(
        modal.data.custom_id,
        { [inputId]: '  Refunds are possible within 14 days; write to support with the invoice number.  ' },
        undefined,
        messageFromEdit(edit),
      ),
    );
    expect((await harness.callback(submit)).body).toEqual({ type: 5, data: { flags: ephemeral } });
    expect(sent(await harness.originalEdit(submit)).content).toMatch(/saved for the support team/);
    const conversation = await harness.core.getConversation(conversationId);
    expect(conversation).toMatchObject({
      correctedAnswer: 'Refunds are possible within 14 days; write to support with the invoice number.',
      correctionSource: 'user',
      // A user's suggestion waits for an operator.
      reviewStatus: 'new',
    });
    expect(harness.fake.rejectedRequests()).toEqual([]);
  });

  it('tells the user politely and privately when a click cannot be stored, logs the cause, and keeps running', async () => {
    const click = harness.interact(
      buttonInteraction('answerloop:feedback:helpful:00000000-0000-0000-0000-000000000000', {
        id: '1',
        channel_id: discordIds.channel,
        content: '',
        embeds: [],
        components: [],
        timestamp: new Date().toISOString(),
        attachments: [],
      }),
    );
    await harness.callback(click);
    expect(sent(await harness.originalEdit(click)).content).toMatch(/can no longer find that answer/);
    expect(harness.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'Discord interaction failed',
        interactionId: click.id,
      }),
    );

    const after = harness.interact(ask('How do I delete an account?'));
    expect(sent(await harness.originalEdit(after)).embeds[0]!.description).toMatch(/Danger zone/);
  });

  it('keeps answering after the gateway connection drops: discord.js resumes the session', async () => {
    const { fake } = harness;
    const connections = fake.gatewayConnections.length;
    fake.dropGatewayConnection();
    const resume = await fake.waitForGatewayFrame((frame) => frame.op === 6, 10_000);
    expect(resume.d).toMatchObject({ token: 'test-token' });
    expect(fake.gatewayConnections.length).toBe(connections + 1);
    const interaction = harness.interact(ask('When are invoices emailed?'));
    expect(sent(await harness.originalEdit(interaction)).embeds[0]!.description).toMatch(/first day/);
  });
});

describe('Discord: an answer on weak evidence', () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    // Every answer under confidence 1 counts as weak here, so the test does not hang on how the question scores.
    harness = await startDiscordHarness({ overrides: { answering: { uncertainBelow: 1 } } });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('says above the answer that the documentation may not answer the question', async () => {
    const question = await questionAnsweredUnsure(harness.core);
    const interaction = harness.interact(ask(question));
    await harness.callback(interaction);
    const message = sent(await harness.originalEdit(interaction));
    expect(message.content).toBe(`*${harness.core.config.answering.uncertainNotice}*`);
    expect(message.embeds[0]!.title).toBe(question);
  });
});
