import { webApi } from '@slack/bolt';
import type { Core, Logger, ThreadTurn } from '../../core/index.ts';
import { questionFromMessage } from './slack-message-text.ts';
import { isBotMessage, type SlackThreadMessage } from './slack-threads.ts';
import { recordSlackMessage } from './thread-record.ts';

/**
 * Slack's limits on conversations.replies: apps distributed outside the Marketplace (`slack.distribution:
 * oauth`) get one call a minute per workspace; a single-workspace app gets Tier 3 (about 50 a minute).
 */
export function historyReadIntervalMs(distribution: 'single' | 'oauth'): number {
  return distribution === 'oauth' ? 60_000 : 1_200;
}

export interface ThreadHistoryReader {
  /**
   * The turns of a thread the store knows nothing of (a mention in a thread people started), read from
   * Slack when the method's budget allows; undefined when it does not, or Slack says 429: the question is
   * then answered without them, never held up. What it reads is kept in the store, so it is read once.
   */
  read(
    client: webApi.WebClient,
    thread: { channel: string; threadTs: string; beforeTs: string; teamId?: string; botUserId?: string },
    limit: number,
  ): Promise<ThreadTurn[] | undefined>;
}

function rateLimitedFor(error: unknown): number | undefined {
  const failure = error as { code?: string; retryAfter?: number };
  return failure.code === webApi.ErrorCode.RateLimitedError ? (failure.retryAfter ?? 60) : undefined;
}

export function createThreadHistoryReader(options: {
  core: Core;
  logger: Logger;
  distribution: 'single' | 'oauth';
  apiUrl?: string;
  now?: () => number;
}): ThreadHistoryReader {
  const { core, logger } = options;
  const now = options.now ?? Date.now;
  const intervalMs = historyReadIntervalMs(options.distribution);
  /** Per workspace: when the next read is within Slack's budget. */
  const nextReadAt = new Map<string, number>();
  /**
   * A client of its own that gives up on a 429 at once: the bot's main client waits out a Retry-After with
   * its whole queue paused, and a minute's pause would hold up every answer.
   */
  const clients = new Map<string, webApi.WebClient>();
  const clientFor = (token: string | undefined) => {
    const key = token ?? '';
    let client = clients.get(key);
    if (!client) {
      client = new webApi.WebClient(token, {
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
        ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      });
      if (clients.size > 100) clients.clear();
      clients.set(key, client);
    }
    return client;
  };

  return {
    async read(botClient, thread, limit) {
      const workspace = thread.teamId ?? '';
      const allowedAt = nextReadAt.get(workspace) ?? 0;
      if (now() < allowedAt) {
        logger.info(
          { channel: thread.channel, waitMs: allowedAt - now() },
          'Answering without the earlier thread: conversations.replies is over its rate limit',
        );
        return undefined;
      }
      nextReadAt.set(workspace, now() + intervalMs);
      try {
        const result = await clientFor(botClient.token).conversations.replies({
          channel: thread.channel,
          ts: thread.threadTs,
          limit: 100,
        });
        const messages = ((result.messages ?? []) as SlackThreadMessage[]).filter(
          (message) =>
            message.ts &&
            Number(message.ts) < Number(thread.beforeTs) &&
            (!message.subtype || message.subtype === 'thread_broadcast'),
        );
        const turns: ThreadTurn[] = [];
        for (const message of messages) {
          const bot = isBotMessage(message, thread.botUserId);
          const text = questionFromMessage(message.text, thread.botUserId);
          if (!text) continue;
          turns.push({ role: bot ? 'assistant' : 'user', text });
          // People's messages are kept, so the next follow-up in this thread reads the store, not Slack.
          if (!bot && message.user)
            await recordSlackMessage(core, logger, {
              channel: thread.channel,
              thread: thread.threadTs,
              ts: message.ts!,
              userId: message.user,
              text,
            });
        }
        return turns.length > 0 ? turns.slice(-Math.max(1, limit) * 2) : undefined;
      } catch (error) {
        const retryAfterSeconds = rateLimitedFor(error);
        if (retryAfterSeconds !== undefined) {
          nextReadAt.set(workspace, Math.max(now() + retryAfterSeconds * 1000, now() + intervalMs));
          core.metrics.increment('platform_rate_limits_total', {
            platform: 'slack',
            method: 'conversations.replies',
          });
          logger.info(
            { channel: thread.channel, retryAfterSeconds },
            'Slack rate-limited conversations.replies (429); answering without the earlier thread',
          );
          return undefined;
        }
        logger.warn(
          { err: error, channel: thread.channel },
          'Could not read the thread from Slack (grant channels:history, groups:history, im:history); answering without it',
        );
        return undefined;
      }
    },
  };
}
