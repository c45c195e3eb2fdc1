import type { webApi } from '@slack/bolt';
import { AnswerloopError } from '../../core/index.ts';
import { parseCorrectionMetadata } from '../render/slack-correction-modal.ts';
import { failureNotice } from '../render/slack-notices.ts';
import { replyThreadOf } from './answer-question.ts';
import type { SlackBotDependencies } from './slack-bot-dependencies.ts';

type WebClient = webApi.WebClient;

/** What Bolt's extended error handler receives, the parts we read. */
export interface BoundaryArguments {
  error: Error;
  body?: unknown;
}

/** Bolt wraps what a listener throws; the operator wants the original error and its cause. */
function originalError(error: unknown): unknown {
  const wrapped = error as { original?: unknown; originals?: unknown[] };
  return wrapped.original ?? wrapped.originals?.[0] ?? error;
}

interface ReplyTarget {
  channel: string;
  /** Set for an ephemeral note to one person (clicks and modals); unset for a reply in the thread. */
  user?: string;
  threadTs?: string;
}

type Body = Record<string, unknown> & {
  type?: string;
  event?: Record<string, unknown>;
  user?: { id?: string };
  channel?: { id?: string };
  message?: { ts?: string; thread_ts?: string };
  view?: { private_metadata?: string };
};

/** Where to tell the person about a failure: the question's thread, or privately for a click or a modal. */
function replyTarget(body: Body | undefined): ReplyTarget | undefined {
  const event = body?.event;
  if (event) {
    if (
      (event.type !== 'app_mention' && event.type !== 'message') ||
      typeof event.channel !== 'string' ||
      typeof event.ts !== 'string'
    )
      return undefined;
    const threadTs = replyThreadOf({
      isDirect: event.channel_type === 'im',
      ts: event.ts,
      threadTs: typeof event.thread_ts === 'string' ? event.thread_ts : undefined,
    });
    return { channel: event.channel, ...(threadTs ? { threadTs } : {}) };
  }
  const user = body?.user?.id;
  if (!user) return undefined;
  if (body?.type === 'block_actions' && body.channel?.id) {
    const threadTs = body.message?.thread_ts;
    return { channel: body.channel.id, user, ...(threadTs ? { threadTs } : {}) };
  }
  if (body?.type === 'view_submission') {
    const metadata = parseCorrectionMetadata(body.view?.private_metadata);
    if (metadata)
      return {
        channel: metadata.channel,
        user,
        ...(metadata.threadTs ? { threadTs: metadata.threadTs } : {}),
      };
  }
  return undefined;
}

/**
 * The one error boundary of the Slack face (`app.error`): the operator log gets the cause, the person a
 * short polite message where they asked. It never throws.
 */
export function createErrorBoundary(dependencies: SlackBotDependencies, client: WebClient) {
  return async ({ error, body }: BoundaryArguments): Promise<void> => {
    const cause = originalError(error);
    const typed = AnswerloopError.is(cause) ? cause : undefined;
    const event = (body as Body | undefined)?.event;
    dependencies.logger.error(
      {
        err: cause,
        code: typed?.code ?? (error as { code?: string }).code,
        retryable: typed?.isRetryable,
        slackType: (body as Body | undefined)?.type,
        eventType: event?.type,
        channel: event?.channel,
      },
      'Slack handler failed',
    );
    // A workspace without an installation (OAuth distribution) has no token to reply with.
    if ((error as { code?: string }).code === 'slack_bolt_authorization_error') return;
    const target = replyTarget(body as Body | undefined);
    if (!target) return;
    const text = failureNotice(cause);
    const thread = target.threadTs ? { thread_ts: target.threadTs } : {};
    try {
      if (target.user)
        await client.chat.postEphemeral({ channel: target.channel, user: target.user, text, ...thread });
      else await client.chat.postMessage({ channel: target.channel, text, ...thread });
    } catch (replyError) {
      dependencies.logger.error({ err: replyError }, 'Could not tell the person about a failure in Slack');
    }
  };
}
