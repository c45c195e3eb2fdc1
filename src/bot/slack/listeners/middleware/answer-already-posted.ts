import type { webApi } from '@slack/bolt';

interface QuestionEvent {
  channel?: unknown;
  ts?: unknown;
  thread_ts?: unknown;
  channel_type?: unknown;
}

/**
 * Whether the bot already replied to this event's question: a bot message after it where the answer goes (its
 * thread, or the DM). A replica can die after posting its answer and before marking the claim answered; the
 * replica taking the claim over looks here first, so the person does not get the answer twice. Best-effort:
 * when Slack cannot be asked, the answer is written (a second answer beats none).
 */
export async function answerAlreadyPosted(client: webApi.WebClient, body: unknown): Promise<boolean> {
  const event = (body as { event?: QuestionEvent } | undefined)?.event;
  if (!event || typeof event.channel !== 'string' || typeof event.ts !== 'string') return false;
  const channel = event.channel;
  const questionTs = event.ts;
  const threadTs =
    typeof event.thread_ts === 'string'
      ? event.thread_ts
      : event.channel_type === 'im'
        ? undefined
        : questionTs;
  try {
    const response = threadTs
      ? await client.conversations.replies({ channel, ts: threadTs, oldest: questionTs, limit: 100 })
      : await client.conversations.history({ channel, oldest: questionTs, limit: 100 });
    return (response.messages ?? []).some(
      (message) => Number(message.ts) > Number(questionTs) && Boolean(message.bot_id),
    );
  } catch {
    return false;
  }
}
