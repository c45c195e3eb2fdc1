import type { AskResult, Core, Logger } from '../../core/index.ts';

/** A Slack ts (seconds since 1970, as text) as ISO-8601. */
export function slackTime(ts: string): string {
  return new Date(Math.round(Number(ts) * 1000)).toISOString();
}

/**
 * Keeps a person's message of one of the bot's threads in the store. Best-effort: a store hiccup costs a
 * follow-up some context, never the answer, and the operator learns of it.
 */
export async function recordSlackMessage(
  core: Core,
  logger: Logger,
  message: { channel: string; thread: string; ts: string; userId: string; text: string },
): Promise<void> {
  await core.threads
    .record({
      platform: 'slack',
      channel: message.channel,
      thread: message.thread,
      messageId: message.ts,
      role: 'user',
      userId: message.userId,
      text: message.text,
      at: slackTime(message.ts),
    })
    .catch((error: unknown) =>
      logger.warn({ err: error, channel: message.channel }, 'Could not record a thread message in the store'),
    );
}

/** Keeps the bot's posted answer: the thread's context for follow-ups, and the takeover's "already answered?". */
export async function recordSlackAnswer(
  core: Core,
  logger: Logger,
  answer: { channel: string; thread: string; ts: string; questionTs?: string; result: AskResult },
): Promise<void> {
  await core.threads
    .record({
      platform: 'slack',
      channel: answer.channel,
      thread: answer.thread,
      messageId: answer.ts,
      role: 'assistant',
      text: answer.result.answer,
      at: slackTime(answer.ts),
      ...(answer.questionTs ? { answers: answer.questionTs } : {}),
      ...(answer.result.conversationId ? { conversationId: answer.result.conversationId } : {}),
    })
    .catch((error: unknown) =>
      logger.warn({ err: error, channel: answer.channel }, 'Could not record the posted answer in the store'),
    );
}
