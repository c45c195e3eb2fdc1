import type { webApi } from '@slack/bolt';
import type { ThreadTurn } from '../../core/index.ts';
import { renderSlackAnswer, renderStreamingText } from '../render/slack-answer-blocks.ts';
import { emptyQuestionNotice, rateLimitedNotice } from '../render/slack-notices.ts';
import type { SlackBotDependencies } from './slack-bot-dependencies.ts';
import { questionFromMessage } from './slack-message-text.ts';
import { botAnsweredInThread, historyFromSlackThread } from './slack-threads.ts';
import { createStreamingReply, type StreamingReply } from './streaming-reply.ts';

type WebClient = webApi.WebClient;

/** The reaction on the question while the bot works on it. */
export const workingReaction = 'hourglass_flowing_sand';

export interface QuestionMessage {
  channel: string;
  /** A direct message: answered in the DM itself, in a thread only when the question is in one. */
  isDirect: boolean;
  userId: string;
  text: string;
  /** The question's own ts. */
  ts: string;
  /** The thread the question is in, when it is in one. */
  threadTs?: string;
  botUserId?: string;
}

/** Where the answer goes: the question's thread, or a new thread under a channel question. */
export function replyThreadOf(message: Pick<QuestionMessage, 'isDirect' | 'ts' | 'threadTs'>): string | undefined {
  return message.isDirect ? message.threadTs : (message.threadTs ?? message.ts);
}

async function showWorking(client: WebClient, dependencies: SlackBotDependencies, message: QuestionMessage): Promise<() => Promise<void>> {
  const item = { channel: message.channel, timestamp: message.ts, name: workingReaction };
  const added = await client.reactions.add(item).then(
    () => true,
    (error: unknown) => {
      dependencies.logger.warn({ err: error, channel: message.channel }, 'Could not add the working reaction (is reactions:write granted?)');
      return false;
    },
  );
  return async () => {
    if (!added) return;
    await client.reactions.remove(item).catch((error: unknown) => dependencies.logger.debug({ err: error }, 'Could not remove the working reaction'));
  };
}

/** History for a thread the store knows nothing of; undefined lets ask() load the thread from the store. */
async function slackOnlyHistory(client: WebClient, dependencies: SlackBotDependencies, message: QuestionMessage): Promise<ThreadTurn[] | undefined> {
  if (!message.threadTs || message.threadTs === message.ts) return undefined;
  if (await botAnsweredInThread(dependencies.core, message.channel, message.threadTs)) return undefined;
  const turns = await historyFromSlackThread(client, {
    channel: message.channel,
    threadTs: message.threadTs,
    beforeTs: message.ts,
    botUserId: message.botUserId,
    limit: dependencies.core.config.answering.historyTurns,
  });
  return turns.length > 0 ? turns : undefined;
}

/**
 * The one path from a Slack question to a Slack answer: rate limit, working reaction, ask(), then the
 * answer streamed into one message or posted at once. Failures propagate to the app's error boundary,
 * which tells the person politely; the reaction is removed either way.
 */
export async function answerQuestion(dependencies: SlackBotDependencies, client: WebClient, message: QuestionMessage): Promise<void> {
  const { core, settings } = dependencies;
  const threadTs = replyThreadOf(message);
  const inThread = threadTs ? { thread_ts: threadTs } : {};
  const reply = (text: string) => client.chat.postMessage({ channel: message.channel, text, ...inThread });

  const question = questionFromMessage(message.text, message.botUserId);
  if (!question) {
    await reply(emptyQuestionNotice());
    return;
  }
  if (!dependencies.rateLimiter.tryAcquire(message.userId)) {
    dependencies.logger.info({ channel: message.channel }, 'Slack question over the per-user rate limit');
    await reply(rateLimitedNotice(dependencies.rateLimiter.retryAfterMs(message.userId)));
    return;
  }

  const stopWorking = await showWorking(client, dependencies, message);
  let streaming: StreamingReply | undefined;
  try {
    const history = await slackOnlyHistory(client, dependencies, message);
    streaming = settings.stream
      ? createStreamingReply({
          target: {
            post: async (text) => (await reply(text)).ts ?? '',
            update: async (ts, text) => {
              await client.chat.update({ channel: message.channel, ts, text });
            },
          },
          intervalMs: settings.updateIntervalMs,
          render: renderStreamingText,
          logger: dependencies.logger,
        })
      : undefined;
    const filters = settings.channelFilters[message.channel];
    const result = await core.ask(
      {
        question,
        context: {
          platform: 'slack',
          channel: message.channel,
          thread: threadTs ?? '',
          userId: message.userId,
          ...(filters ? { filters } : {}),
          ...(history ? { history } : {}),
        },
      },
      { stream: settings.stream, ...(streaming ? { onDelta: (_delta: string, textSoFar: string) => streaming?.push(textSoFar) } : {}) },
    );

    const [first, ...more] = renderSlackAnswer(result);
    const streamedTs = await streaming?.finish();
    if (first && streamedTs) {
      await client.chat.update({ channel: message.channel, ts: streamedTs, text: first.text, blocks: first.blocks });
    } else if (first) {
      await client.chat.postMessage({ channel: message.channel, text: first.text, blocks: first.blocks, ...inThread });
    }
    for (const part of more) await client.chat.postMessage({ channel: message.channel, text: part.text, blocks: part.blocks, ...inThread });
  } finally {
    await streaming?.finish();
    await stopWorking();
  }
}
