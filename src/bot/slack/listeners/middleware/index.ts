import type { App, Context } from '@slack/bolt';
import type { ClaimedDelivery } from '../../../../core/index.ts';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { finishedAnswerInSlack } from '../../slack-threads.ts';

/** The Events API delivery id, or undefined for anything else (actions, views, commands carry none). */
export function deliveryIdOf(body: unknown): string | undefined {
  const delivery = body as { type?: unknown; event_id?: unknown } | undefined;
  return delivery?.type === 'event_callback' && typeof delivery.event_id === 'string' && delivery.event_id
    ? delivery.event_id
    : undefined;
}

/** The delivery whose listeners run now, as the middleware below claimed it; undefined for commands and actions. */
export function deliveryOf(context: Context): ClaimedDelivery | undefined {
  return context.delivery as ClaimedDelivery | undefined;
}

interface QuestionEvent {
  channel: string;
  ts: string;
  threadTs?: string;
  userId?: string;
  isDirect: boolean;
}

/** The question an event carries (its channel, ts, thread and asker), for "already answered?" on a taken-over delivery. */
function questionOf(body: unknown): QuestionEvent | undefined {
  const event = (
    body as
      | {
          event?: {
            channel?: unknown;
            ts?: unknown;
            thread_ts?: unknown;
            user?: unknown;
            channel_type?: unknown;
          };
        }
      | undefined
  )?.event;
  if (typeof event?.channel !== 'string' || typeof event.ts !== 'string') return undefined;
  return {
    channel: event.channel,
    ts: event.ts,
    ...(typeof event.thread_ts === 'string' ? { threadTs: event.thread_ts } : {}),
    ...(typeof event.user === 'string' ? { userId: event.user } : {}),
    isDirect: event.channel_type === 'im',
  };
}

export function register(app: App, dependencies: SlackBotDependencies): void {
  // Bolt has acknowledged the event before this runs. Core's claim, stored with the delivery, makes the answer happen
  // exactly once: a duplicate or retry is dropped while the claim is healthy or answered, and answered by whoever
  // takes the claim over when its replica stopped renewing it (the claim sweep). The listeners get the delivery in
  // `context.delivery`, to check it is still theirs before posting.
  app.use(async ({ body, client, context, next }) => {
    const eventId = deliveryIdOf(body);
    if (!eventId) {
      await next();
      return;
    }
    const question = questionOf(body);
    const delivery = await dependencies.core.delivery.claim('slack', eventId, {
      payload: body,
      ...(question
        ? {
            question: { channel: question.channel, messageId: question.ts },
            // A replica that stopped may have posted the answer without recording it: Slack's thread tells.
            answeredOnPlatform: () =>
              finishedAnswerInSlack(client, {
                channel: question.channel,
                ts: question.ts,
                // The answer goes in the question's thread; a direct message outside a thread is answered beside it.
                ...(question.threadTs || !question.isDirect
                  ? { threadTs: question.threadTs ?? question.ts }
                  : {}),
                ...(question.userId ? { askerId: question.userId } : {}),
                ...(context.botUserId ? { botUserId: context.botUserId } : {}),
              }),
          }
        : {}),
      details: { eventId, retryNum: context.retryNum, retryReason: context.retryReason },
    });
    if (!delivery) return;
    context.delivery = delivery;
    // The boundary apologises when it throws; given back, a later retry of this delivery may still be answered.
    await delivery.handle(() => next());
  });
}
