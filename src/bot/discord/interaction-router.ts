import { type Interaction, MessageFlags } from 'discord.js';
import { staleComponentNotice, unknownCommandNotice } from '../render/discord-notices.ts';
import { claimDelivery, type DiscordBotContext } from './bot-context.ts';
import { discordCommands } from './commands/index.ts';
import { handleCorrectionSubmit, handleFeedbackButton } from './feedback-interactions.ts';
import { handleHandOffButton } from './hand-off-interactions.ts';

/**
 * Routes one interaction to its handler. Every interaction gets an answer within Discord's 3 seconds:
 * Discord only sends an application interactions on its own commands and messages, so one this version
 * does not know is a leftover (an older version registered the command, or another deployment sent the
 * message) and gets a private line saying what to do, never "The application did not respond".
 * A second delivery of the same interaction (a reconnect, another replica) is dropped before anything runs.
 */
export async function routeInteraction(interaction: Interaction, context: DiscordBotContext): Promise<void> {
  if (!(await claimDelivery(context, 'interaction', interaction.id))) return;

  if (interaction.isAutocomplete()) {
    // No command of ours has autocompleted options: an empty list still answers the request.
    await interaction.respond([]);
    return;
  }
  if (interaction.isChatInputCommand()) {
    const command = discordCommands.find(
      (candidate) => candidate.kind === 'slash' && candidate.data.name === interaction.commandName,
    );
    if (command?.kind === 'slash') return command.execute(interaction, context);
  } else if (interaction.isMessageContextMenuCommand()) {
    const command = discordCommands.find(
      (candidate) => candidate.kind === 'message' && candidate.data.name === interaction.commandName,
    );
    if (command?.kind === 'message') return command.execute(interaction, context);
  } else if (interaction.isButton()) {
    if (await handleFeedbackButton(interaction, context)) return;
    if (await handleHandOffButton(interaction, context)) return;
  } else if (interaction.isModalSubmit()) {
    if (await handleCorrectionSubmit(interaction, context)) return;
  }

  if (!interaction.isRepliable()) return;
  if (interaction.isCommand()) {
    context.logger.warn(
      { command: interaction.commandName, interactionId: interaction.id },
      'unknown command: run `answerloop discord register` again to update the commands',
    );
    await interaction.reply({
      content: unknownCommandNotice(interaction.commandName),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  context.logger.info(
    { customId: 'customId' in interaction ? interaction.customId : undefined, interactionId: interaction.id },
    'a button or form from an older version was used',
  );
  await interaction.reply({ content: staleComponentNotice, flags: MessageFlags.Ephemeral });
}
