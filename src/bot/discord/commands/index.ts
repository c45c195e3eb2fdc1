import type { DiscordCommand } from '../discord-command.ts';
import { askCommand } from './ask.ts';

/** Every slash command the bot handles and `answerloop discord register` registers. */
export const discordCommands: readonly DiscordCommand[] = [askCommand];
