import { AnswerloopError } from '../../core/index.ts';

/** Short replies the Slack face sends besides answers: plain mrkdwn text, polite and brief. */

export function emptyQuestionNotice(): string {
  return 'Hi! Ask me a question in the same message, for example: _how do I reset my password?_';
}

export function rateLimitedNotice(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `You have asked several questions in a short time. Please try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

export function channelNotAllowedNotice(): string {
  return 'I am not set up to answer in this channel. Ask me in a direct message, or ask the team that runs me to add this channel.';
}

/** What a person sees when answering failed; the operator log has the cause. */
export function failureNotice(error: unknown): string {
  if (
    AnswerloopError.is(error) &&
    (error.code === 'rate_limited' || error.code === 'timeout' || error.isRetryable)
  ) {
    return 'Sorry, I could not answer just now because a service I depend on is busy. Please try again in a minute.';
  }
  return 'Sorry, something went wrong on my side while answering. Please try again; if it keeps happening, let the team that runs me know.';
}

export function correctionStoredNotice(): string {
  return ':pencil2: Thanks! Your suggested answer is saved and waits for a teammate to review it.';
}

export function teammateAnswerStoredNotice(authorUserId: string): string {
  return `:white_check_mark: Saved <@${authorUserId}>'s reply as a suggested answer for review. Thanks!`;
}

export function sharedChannelNotice(): string {
  return 'This channel is shared with another organisation, so I do not answer here: my sources include internal documentation. Ask me in a direct message or in an internal channel.';
}

export function feedbackThanksNotice(helpful: boolean): string {
  return helpful
    ? ':thumbsup: Thanks for the feedback!'
    : ':thumbsdown: Thanks: the team will review this answer. You can also suggest a correction.';
}

export function answerGoneNotice(): string {
  return 'That answer is no longer available to share. Ask again with /ask.';
}
