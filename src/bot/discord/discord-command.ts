import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { DiscordBotContext } from './bot-context.ts';

/** A slash command: its definition (what `answerloop discord register` sends to Discord) and its handler. */
export interface DiscordCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: DiscordBotContext): Promise<void>;
}
