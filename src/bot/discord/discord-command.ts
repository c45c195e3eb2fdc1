import type {
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { DiscordBotContext } from './bot-context.ts';

/** A slash command: its definition (what `answerloop discord register` sends to Discord) and its handler. */
export interface DiscordSlashCommand {
  kind: 'slash';
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: DiscordBotContext): Promise<void>;
}

/** A message context-menu command (right-click a message, Apps). */
export interface DiscordMessageCommand {
  kind: 'message';
  data: { name: string; toJSON(): RESTPostAPIContextMenuApplicationCommandsJSONBody };
  execute(interaction: MessageContextMenuCommandInteraction, context: DiscordBotContext): Promise<void>;
}

export type DiscordCommand = DiscordSlashCommand | DiscordMessageCommand;
