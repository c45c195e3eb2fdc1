import { AnswerloopError } from '../../core/index.ts';
import { discordLimits } from './discord-limits.ts';
import { truncateText } from './discord-text-split.ts';

/** Short, polite texts the Discord bot sends users. Causes go to the operator log, never to the chat. */

export function failureNotice(error: unknown): string {
  if (error instanceof AnswerloopError && error.code === 'not_found') {
    return 'Sorry, I can no longer find that answer, so nothing was saved. Ask again with /ask to get a fresh one.';
  }
  if (error instanceof AnswerloopError && (error.code === 'rate_limited' || error.code === 'timeout' || error.isRetryable)) {
    return 'Sorry, I could not answer just now: a service I rely on is busy. Please try again in a minute.';
  }
  return 'Sorry, something went wrong while I was answering. The team has been notified; please try again later.';
}

export function rateLimitNotice(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `You are asking faster than I can keep up with. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and ask again.`;
}

export const notAllowedNotice = 'I do not answer questions here. Please ask in one of the support channels.';

export const emptyQuestionNotice = 'Ask me a question after the mention, for example: "@answerloop how do I reset my password?"';

/** A thread name from the question: one line, at most 100 characters. */
export function threadName(question: string): string {
  return truncateText(question.replace(/\s+/g, ' ').trim() || 'Question', discordLimits.threadName);
}
