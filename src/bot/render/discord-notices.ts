import { AnswerloopError } from '../../core/index.ts';
import { discordLimits } from './discord-limits.ts';
import { safeUserLine } from './discord-safe-text.ts';
import { truncateText } from './discord-text-split.ts';

/** Short, polite texts the Discord bot sends users. Causes go to the operator log, never to the chat. */

export function failureNotice(error: unknown): string {
  if (error instanceof AnswerloopError && error.code === 'not_found') {
    return 'Sorry, I can no longer find that answer, so nothing was saved. Ask again with /ask to get a fresh one.';
  }
  if (
    error instanceof AnswerloopError &&
    (error.code === 'rate_limited' || error.code === 'timeout' || error.isRetryable)
  ) {
    return 'Sorry, I could not answer just now: a service I rely on is busy. Please try again in a minute.';
  }
  return 'Sorry, something went wrong while I was answering. The team has been notified; please try again later.';
}

export function rateLimitNotice(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `You are asking faster than I can keep up with. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and ask again.`;
}

export const notAllowedNotice = 'I do not answer questions here. Please ask in one of the support channels.';

export const emptyQuestionNotice =
  'Ask me a question after the mention, for example: "@answerloop how do I reset my password?"';

/** A thread name from the question: one safe line, at most 100 characters. */
export function threadName(question: string): string {
  return truncateText(safeUserLine(question) || 'Question', discordLimits.threadName);
}

/** A command Discord still shows but this version of the bot does not have (an older version registered it, or another deployment). */
export function unknownCommandNotice(name: string): string {
  return `I no longer have the command "${truncateText(safeUserLine(name), 50)}": it is left over from an older version of this bot. Type / to see the commands I have now, or use /ask.`;
}

/** A button, menu or form from an older version of the bot, or from an answer it can no longer act on. */
export const staleComponentNotice =
  'This button belongs to an older version of the bot and no longer works. Ask again with /ask to get a fresh answer.';

export const messageWithoutTextNotice =
  'That message has no text I can answer. Use "Answer with answerloop" on a message that asks a question, or ask with /ask.';

/** The ephemeral line the person who used the message command sees when the answer went into a thread. */
export function answeredInThreadNotice(threadId: string): string {
  return `I answered in the thread <#${threadId}>.`;
}
