import { type ButtonInteraction, MessageFlags, type ModalSubmitInteraction } from 'discord.js';
import { hashUserId } from '../../core/index.ts';
import {
  correctionInputId,
  correctionThanks,
  feedbackThanks,
  parseCorrectionModalCustomId,
  parseFeedbackCustomId,
  renderCorrectionModal,
} from '../render/discord-feedback.ts';
import type { DiscordBotContext } from './bot-context.ts';

/**
 * The buttons under an answer. Helpful / not helpful are stored on the conversation the button's custom id
 * names and acknowledged with a private "thanks"; "suggest a correction" opens a modal.
 * Returns false when the button is not one of ours.
 */
export async function handleFeedbackButton(
  interaction: ButtonInteraction,
  { core }: DiscordBotContext,
): Promise<boolean> {
  const parsed = parseFeedbackCustomId(interaction.customId);
  if (!parsed) return false;
  if (parsed.action === 'correct') {
    // A modal must be the first response to the click: it cannot follow a deferral.
    await interaction.showModal(renderCorrectionModal(parsed.conversationId));
    return true;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await core.recordFeedback(parsed.conversationId, {
    helpful: parsed.action === 'helpful',
    by: hashUserId('discord', interaction.user.id),
  });
  await interaction.editReply({ content: feedbackThanks(parsed.action) });
  return true;
}

/** The correction modal: the suggestion is stored for review, never trained on until an operator approves it. */
export async function handleCorrectionSubmit(
  interaction: ModalSubmitInteraction,
  { core }: DiscordBotContext,
): Promise<boolean> {
  const conversationId = parseCorrectionModalCustomId(interaction.customId);
  if (!conversationId) return false;
  const suggestion = interaction.fields.getTextInputValue(correctionInputId).trim();
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await core.suggestCorrection(conversationId, {
    answer: suggestion,
    by: hashUserId('discord', interaction.user.id),
    source: 'user',
  });
  await interaction.editReply({ content: correctionThanks });
  return true;
}
