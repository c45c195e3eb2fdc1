import { type ButtonInteraction, DiscordAPIError, MessageFlags } from 'discord.js';
import { toAnswerloopError } from '../../core/index.ts';
import {
  handoffAlreadyNotice,
  handoffDoneNotice,
  handoffFailedNotice,
  handoffGoneNotice,
  handoffUnavailableNotice,
  renderDiscordHandoff,
} from '../render/discord-handoff.ts';
import { parseHandoffCustomId } from '../render/discord-feedback.ts';
import type { DiscordBotContext } from './bot-context.ts';
import { placeOfInteraction } from './discord-place.ts';

/** Discord's reasons a bot cannot post in a channel, with what the operator should do. */
const postAdvice: Record<number, string> = {
  10003: 'the channel does not exist: fix discord.channels.<id>.handoff.channel',
  50001: 'the bot cannot see the channel: give it View Channel there',
  50013: 'the bot may not post there: give it Send Messages and Embed Links in the channel',
};

/**
 * "Ask a person" under an answer or a refusal: the question, the answer, its sources and confidence and a link
 * go to the channel's escalation place (`handoff.channel`, pinging `handoff.mention`, a role), the conversation
 * is marked handed off, and the person who clicked hears privately who will follow up. Once per conversation.
 * Returns false when the button is not this one.
 */
export async function handleHandOffButton(
  interaction: ButtonInteraction,
  { core, access, logger }: DiscordBotContext,
): Promise<boolean> {
  const conversationId = parseHandoffCustomId(interaction.customId);
  if (!conversationId) return false;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const handoff = access.settingsFor(placeOfInteraction(interaction)).handoff;
  if (!handoff) {
    logger.info(
      { conversationId, channelId: interaction.channelId },
      'A hand-off click where hand-off is no longer set up',
    );
    await interaction.editReply({ content: handoffUnavailableNotice });
    return true;
  }
  const started = await core.handOff.start(conversationId, {
    platform: 'discord',
    userId: interaction.user.id,
  });
  if (started.status === 'not_found') {
    await interaction.editReply({ content: handoffGoneNotice });
    return true;
  }
  if (started.status === 'already') {
    logger.info({ conversationId }, 'A second hand-off of a question already with a person');
    await interaction.editReply({ content: handoffAlreadyNotice });
    return true;
  }

  const targetId = handoff.channel ?? interaction.channelId;
  try {
    const channel = await interaction.client.channels.fetch(targetId);
    if (!channel?.isSendable()) throw new Error('not a channel the bot can post in');
    await channel.send(
      renderDiscordHandoff({
        record: started.conversation,
        askerId: interaction.user.id,
        ...(handoff.mention ? { mention: handoff.mention } : {}),
        link: interaction.message.url,
      }),
    );
  } catch (error) {
    const code = error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : undefined;
    const advice =
      (code !== undefined ? postAdvice[code] : undefined) ??
      "check the channel id and the bot's permissions there";
    logger.error(
      { err: toAnswerloopError(error), conversationId, channelId: targetId, code },
      `Could not post a hand-off to channel ${targetId}: ${advice}`,
    );
    await core.handOff.fail(
      conversationId,
      'discord',
      code === 50001 || code === 50013 ? 'missing_access' : 'post_failed',
    );
    await interaction.editReply({ content: handoffFailedNotice });
    return true;
  }
  await core.handOff.finish(conversationId, {
    platform: 'discord',
    userId: interaction.user.id,
    place: targetId,
  });
  logger.info({ conversationId, channelId: targetId }, 'Handed a question to a person');
  await interaction.editReply({ content: handoffDoneNotice(handoff) });
  return true;
}
