import type { DiscordCommand } from '../discord-command.ts';
import { answerMessageCommand } from './answer-message.ts';
import { askCommand } from './ask.ts';

/** Every command the bot handles and `answerloop discord register` registers: `/ask` and "Answer with answerloop". */
export const discordCommands: readonly DiscordCommand[] = [askCommand, answerMessageCommand];
