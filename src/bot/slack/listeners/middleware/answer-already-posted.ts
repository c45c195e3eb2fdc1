import type { Core } from '../../../../core/index.ts';

interface QuestionEvent {
  channel?: unknown;
  ts?: unknown;
}

/**
 * Whether the bot already answered this event's question. A replica can die after posting its answer and
 * before marking the claim answered; the replica taking the claim over looks here first, so the person does
 * not get the answer twice. It asks the store, which keeps every answer the bot posted, never Slack's history
 * (one call a minute for distributed apps). Best-effort: when the store cannot say, the answer is written
 * (a second answer beats none).
 */
export async function answerAlreadyPosted(core: Core, body: unknown): Promise<boolean> {
  const event = (body as { event?: QuestionEvent } | undefined)?.event;
  if (!event || typeof event.channel !== 'string' || typeof event.ts !== 'string') return false;
  try {
    return await core.threads.answerPosted({ platform: 'slack', channel: event.channel }, event.ts);
  } catch {
    return false;
  }
}
