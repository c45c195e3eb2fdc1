import { type Interaction, type Message, MessageFlags } from 'discord.js';
import { type Logger, toAnswerloopError } from '../../core/index.ts';
import { failureNotice } from '../render/discord-notices.ts';
import { noPings } from './no-pings.ts';

/** What the operator log says about an interaction, without message text or tokens. */
function describeInteraction(interaction: Interaction): Record<string, unknown> {
  return {
    interactionId: interaction.id,
    kind: interaction.isChatInputCommand()
      ? `/${interaction.commandName}`
      : interaction.isButton() || interaction.isModalSubmit()
        ? interaction.customId
        : interaction.type,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
  };
}

/** Tells the user privately that something went wrong, whatever state the interaction is in. */
async function tellUser(interaction: Interaction, text: string): Promise<void> {
  if (!interaction.isRepliable()) return;
  if (interaction.deferred && !interaction.replied) {
    if (!interaction.ephemeral) {
      // Remove the public "thinking…" placeholder and tell only the person who asked.
      await interaction.deleteReply();
      await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.editReply({ content: text, embeds: [], components: [] });
    return;
  }
  if (interaction.replied) {
    await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.reply({ content: text, flags: MessageFlags.Ephemeral });
}

/**
 * The one error boundary of the Discord face: every interaction handler runs inside it. A failure is
 * logged with its cause for the operator, the user gets a polite message, and nothing escapes to crash
 * the process (discord.js would report an unhandled rejection).
 */
export function interactionBoundary(
  logger: Logger,
  handler: (interaction: Interaction) => Promise<void>,
): (interaction: Interaction) => void {
  const run = async (interaction: Interaction) => {
    try {
      await handler(interaction);
    } catch (error) {
      logger.error(
        { err: toAnswerloopError(error), ...describeInteraction(interaction) },
        'Discord interaction failed',
      );
      try {
        await tellUser(interaction, failureNotice(error));
      } catch (notifyError) {
        logger.warn(
          { err: toAnswerloopError(notifyError), interactionId: interaction.id },
          'could not tell the user about the failure',
        );
      }
    }
  };
  // Every failure ends inside `run`, logged: discord.js waits for no listener, so its promise is let go.
  return (interaction) => void run(interaction);
}

/** The same boundary for mentions: a reply in the channel, as messages cannot be private. */
export function messageBoundary(
  logger: Logger,
  handler: (message: Message) => Promise<void>,
): (message: Message) => void {
  const run = async (message: Message) => {
    try {
      await handler(message);
    } catch (error) {
      logger.error(
        {
          err: toAnswerloopError(error),
          messageId: message.id,
          guildId: message.guildId,
          channelId: message.channelId,
        },
        'Discord mention failed',
      );
      try {
        await message.reply({ content: failureNotice(error), allowedMentions: noPings });
      } catch (notifyError) {
        logger.warn(
          { err: toAnswerloopError(notifyError), messageId: message.id },
          'could not tell the user about the failure',
        );
      }
    }
  };
  // Every failure ends inside `run`, logged: discord.js waits for no listener, so its promise is let go.
  return (message) => void run(message);
}

/**
 * The boundary for events nobody is waiting on an answer to (a new forum post): a failure is logged for
 * the operator and the post is left to people; a half-written apology in a stranger's post helps nobody.
 */
export function eventBoundary<A extends unknown[]>(
  logger: Logger,
  what: string,
  describe: (...args: A) => Record<string, unknown>,
  handler: (...args: A) => Promise<void>,
): (...args: A) => void {
  const run = async (...args: A) => {
    try {
      await handler(...args);
    } catch (error) {
      logger.error({ err: toAnswerloopError(error), ...describe(...args) }, `Discord ${what} failed`);
    }
  };
  // Every failure ends inside `run`, logged: discord.js waits for no listener, so its promise is let go.
  return (...args) => void run(...args);
}
