import {
  ApplicationIntegrationType,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
} from 'discord.js';
import { renderDiscordAnswer } from '../../render/discord-answer.ts';
import { notAllowedNotice, rateLimitNotice } from '../../render/discord-notices.ts';
import type { DiscordSlashCommand } from '../discord-command.ts';
import { conversationKeys, placeOfInteraction } from '../discord-place.ts';

/** `/ask question:<text> [private:<bool>]`: answers from the documentation with sources and feedback buttons. */
export const askCommand: DiscordSlashCommand = {
  kind: 'slash',
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Ask a question about the documentation')
    // Installed to a server or to a person's account; usable in servers, in a DM with the bot and in other DMs.
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall)
    .setContexts(
      InteractionContextType.Guild,
      InteractionContextType.BotDM,
      InteractionContextType.PrivateChannel,
    )
    .addStringOption((option) =>
      option.setName('question').setDescription('What do you want to know?').setRequired(true),
    )
    .addBooleanOption((option) =>
      option
        .setName('private')
        .setDescription('Only you see the answer (default: as the channel is set up, usually everyone)'),
    ),

  async execute(interaction, { core, access, rateLimiter }) {
    const place = placeOfInteraction(interaction);
    const settings = access.settingsFor(place);
    if (settings.mode === 'off') {
      await interaction.reply({ content: notAllowedNotice, flags: MessageFlags.Ephemeral });
      return;
    }
    const limit = await rateLimiter.acquire(interaction.user.id);
    if (!limit.allowed) {
      await interaction.reply({
        content: rateLimitNotice(limit.retryAfterMs),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const question = interaction.options.getString('question', true);
    // The asker's choice wins; without one, the channel's `reply` setting decides.
    const isPrivate = interaction.options.getBoolean('private') ?? settings.reply === 'private';
    // Discord gives 3 seconds to acknowledge; answering takes longer, so defer before anything slow.
    await interaction.deferReply(isPrivate ? { flags: MessageFlags.Ephemeral } : {});

    const result = await core.ask(
      {
        question,
        context: {
          platform: 'discord',
          ...conversationKeys(place, interaction.id),
          userId: interaction.user.id,
          filters: settings.filters,
        },
      },
      // Discord shows the reply once it is edited; one edit is kinder to rate limits than a stream of them.
      { stream: false },
    );
    const [first, ...rest] = renderDiscordAnswer({
      question,
      result,
      handoff: settings.handoff !== undefined,
    });
    await interaction.editReply(first!);
    for (const message of rest) {
      await interaction.followUp(isPrivate ? { ...message, flags: MessageFlags.Ephemeral } : message);
    }
  },
};
