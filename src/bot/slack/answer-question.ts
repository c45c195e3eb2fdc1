import type { RespondFn, webApi } from '@slack/bolt';
import type { AskResult, ClaimedDelivery, SearchFilters, ThreadTurn } from '../../core/index.ts';
import { renderSlackAnswer } from '../render/slack-answer-blocks.ts';
import { emptyQuestionNotice, rateLimitedNotice, sharedChannelNotice } from '../render/slack-notices.ts';
import {
  type AnswerOutlet,
  createNativeOutlet,
  createPostOnceOutlet,
  createUpdateOutlet,
  type OutletTarget,
} from './answer-outlets.ts';
import { channelSettingsFor, type SlackBotDependencies } from './slack-bot-dependencies.ts';
import { questionFromMessage } from './slack-message-text.ts';
import { recordSlackAnswer, recordSlackMessage, slackTime } from './thread-record.ts';
import { slackReaction } from '../render/reaction-emoji.ts';

type WebClient = webApi.WebClient;

/** The reaction on the question while the bot works on it. */
export const workingReaction = 'hourglass_flowing_sand';
/** What the assistant panel shows while the bot works (Slack rotates through them). */
export const workingStatuses = ['Searching the docs...', 'Writing the answer...'];

export interface QuestionMessage {
  channel: string;
  /** A direct message: answered in the DM itself, in a thread only when the question is in one. */
  isDirect: boolean;
  userId: string;
  /** The asker's workspace. */
  teamId?: string;
  text: string;
  /** The question's own ts; unset for a slash command, which has no message. */
  ts?: string;
  /** The thread the question is in, when it is in one. */
  threadTs?: string;
  botUserId?: string;
  /** A Slack Connect channel, or an asker from another organisation. */
  external?: boolean;
}

export interface AnswerPlan {
  /** thread: a public answer where asked; private: only the asker sees it, with share and dismiss. */
  reply: 'thread' | 'private';
  filters?: SearchFilters;
  /** Nobody asked the bot (a help channel in mode auto): answer only at this confidence, else stay silent. */
  unasked?: { threshold: number; keepSilent: boolean; reaction?: string };
  /** The assistant panel: its status line shows the work, instead of a reaction on the question. */
  assistantThread?: boolean;
  /** A private answer through the interaction's response_url (slash command, shortcut) instead of chat.postEphemeral. */
  respond?: RespondFn;
  /** The thread the answer goes to, when not the question's own (a shortcut on a message). */
  threadTs?: string;
  /** What the store knows of the question's thread, when the listener read it already (a follow-up): not read again. */
  thread?: { takesPart: boolean; turns: ThreadTurn[] | undefined };
  /** The Events API delivery being answered (core's claim); none for commands and shortcuts. */
  delivery?: Pick<ClaimedDelivery, 'stillOwned'> | undefined;
}

/** Where the answer goes: the question's thread, or a new thread under a channel question. */
export function replyThreadOf(
  message: Pick<QuestionMessage, 'isDirect' | 'ts' | 'threadTs'>,
): string | undefined {
  return message.isDirect ? message.threadTs : (message.threadTs ?? message.ts);
}

async function showWorking(
  client: WebClient,
  dependencies: SlackBotDependencies,
  message: QuestionMessage,
  plan: AnswerPlan,
): Promise<() => Promise<void>> {
  const threadTs = plan.threadTs ?? replyThreadOf(message);
  if (plan.assistantThread && threadTs) {
    // The status clears itself when the answer is posted.
    await client.assistant.threads
      .setStatus({
        channel_id: message.channel,
        thread_ts: threadTs,
        status: workingStatuses[0]!,
        loading_messages: workingStatuses,
      })
      .catch((error: unknown) =>
        dependencies.logger.warn(
          { err: error, channel: message.channel },
          'Could not set the assistant status (is assistant:write granted?)',
        ),
      );
    return async () => undefined;
  }
  if (!message.ts || plan.unasked) return async () => undefined;
  const item = { channel: message.channel, timestamp: message.ts, name: workingReaction };
  const added = await client.reactions.add(item).then(
    () => true,
    (error: unknown) => {
      dependencies.logger.warn(
        { err: error, channel: message.channel },
        'Could not add the working reaction (is reactions:write granted?)',
      );
      return false;
    },
  );
  return async () => {
    if (!added) return;
    await client.reactions
      .remove(item)
      .catch((error: unknown) =>
        dependencies.logger.debug({ err: error }, 'Could not remove the working reaction'),
      );
  };
}

/**
 * The earlier turns of the thread a question is in: the store's record of it first (the bot keeps every message
 * of its threads), then, for a thread the bot has no record of, Slack's history within its rate limit.
 * Undefined lets ask() read the thread's earlier answers from the store.
 */
async function threadHistory(
  client: WebClient,
  dependencies: SlackBotDependencies,
  message: QuestionMessage,
  plan: AnswerPlan,
): Promise<ThreadTurn[] | undefined> {
  if (!message.ts || !message.threadTs || message.threadTs === message.ts) return undefined;
  const { core } = dependencies;
  const place = { platform: 'slack' as const, channel: message.channel, thread: message.threadTs };
  const limit = core.config.answering.historyTurns;
  // One read of the store's record of the thread (none when the listener read it already).
  const known =
    plan.thread ??
    (await core.threads.recall(place, { messageId: message.ts, at: slackTime(message.ts) }, limit));
  if (known.turns) return known.turns;
  if (known.takesPart) return undefined;
  return dependencies.threadHistory.read(
    client,
    {
      channel: message.channel,
      threadTs: message.threadTs,
      beforeTs: message.ts,
      ...(message.teamId ? { teamId: message.teamId } : {}),
      ...(message.botUserId ? { botUserId: message.botUserId } : {}),
    },
    limit,
  );
}

function publicOutlet(
  dependencies: SlackBotDependencies,
  target: OutletTarget,
  unasked: boolean,
): AnswerOutlet {
  const { stream, updateIntervalMs } = dependencies.settings;
  // An unasked answer is posted once complete: nothing shows unless it is one.
  if (stream === 'off' || unasked) return createPostOnceOutlet(target);
  // Slack streams into threads only; a top-level message (a direct message outside a thread) is edited instead.
  if (stream === 'native' && target.threadTs) return createNativeOutlet(target, updateIntervalMs);
  return createUpdateOutlet(target, updateIntervalMs);
}

async function sendPrivately(
  client: WebClient,
  message: QuestionMessage,
  plan: AnswerPlan,
  threadTs: string | undefined,
  content: { text: string; blocks?: unknown[] },
): Promise<void> {
  if (plan.respond) {
    await plan.respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: content.text,
      ...(content.blocks ? { blocks: content.blocks as never } : {}),
    });
    return;
  }
  await client.chat.postEphemeral({
    channel: message.channel,
    user: message.userId,
    text: content.text,
    ...(content.blocks ? { blocks: content.blocks as never } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
}

/**
 * The one path from a Slack question to a Slack answer: Slack Connect policy, rate limit, working status,
 * ask(), then the answer streamed, posted, or shown privately. An unasked question (a help channel) gets a
 * message only when ask() is confident; never an "I don't know". Failures propagate to the app's error
 * boundary, which tells the person politely; the working reaction is removed either way.
 */
export async function answerQuestion(
  dependencies: SlackBotDependencies,
  client: WebClient,
  message: QuestionMessage,
  plan: AnswerPlan,
): Promise<void> {
  const { core, settings } = dependencies;
  const threadTs = plan.threadTs ?? replyThreadOf(message);
  // "Ask a person" under the answer where the channel hands questions to people.
  const handoff = channelSettingsFor(dependencies, message.channel, message.isDirect).handoff !== undefined;
  const isPrivate = plan.reply === 'private';
  const notify = (text: string) =>
    isPrivate
      ? sendPrivately(client, message, plan, threadTs, { text })
      : client.chat
          .postMessage({ channel: message.channel, text, ...(threadTs ? { thread_ts: threadTs } : {}) })
          .then(() => undefined);

  let filters = plan.filters;
  if (message.external) {
    if (settings.sharedChannels.answer === 'off') {
      dependencies.logger.info(
        { channel: message.channel },
        'Did not answer in a channel shared with another organisation',
      );
      if (!plan.unasked)
        await sendPrivately(client, message, { ...plan, reply: 'private' }, threadTs, {
          text: sharedChannelNotice(),
        });
      return;
    }
    // Only sources tagged for the public: internal pages never reach people from other organisations.
    filters = { ...filters, tags: [...settings.sharedChannels.publicTags] };
  }

  const question = questionFromMessage(message.text, message.botUserId);
  if (!question) {
    if (!plan.unasked) await notify(emptyQuestionNotice());
    return;
  }
  const limit = await dependencies.rateLimiter.acquire(message.userId);
  if (!limit.allowed) {
    dependencies.logger.info({ channel: message.channel }, 'Slack question over the per-user rate limit');
    if (!plan.unasked) await notify(rateLimitedNotice(limit.retryAfterMs));
    return;
  }

  const stopWorking = await showWorking(client, dependencies, message, plan);
  let outlet: AnswerOutlet | undefined;
  try {
    const history = await threadHistory(client, dependencies, message, plan);
    // The question joins the thread's record: the next follow-up reads it from the store.
    if (message.ts)
      await recordSlackMessage(core, dependencies.logger, {
        channel: message.channel,
        thread: threadTs ?? '',
        ts: message.ts,
        userId: message.userId,
        text: question,
      });
    outlet = isPrivate
      ? undefined
      : publicOutlet(
          dependencies,
          {
            client,
            channel: message.channel,
            userId: message.userId,
            logger: dependencies.logger,
            controls: { handoff },
            ...(threadTs ? { threadTs } : {}),
            ...(message.teamId ? { teamId: message.teamId } : {}),
          },
          Boolean(plan.unasked),
        );
    const result: AskResult = await core.ask(
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
      {
        stream: !isPrivate && settings.stream !== 'off',
        ...(outlet ? { onDelta: (_delta: string, textSoFar: string) => outlet?.push(textSoFar) } : {}),
        ...(plan.unasked
          ? { minConfidence: plan.unasked.threshold, keepSilent: plan.unasked.keepSilent }
          : {}),
      },
    );

    if (plan.unasked && !core.delivery.shouldPostUnasked(result, plan.unasked.threshold)) {
      dependencies.logger.info(
        { channel: message.channel, confidence: result.confidence },
        'Stayed silent on an unasked question',
      );
      await outlet?.close();
      outlet = undefined;
      const reaction = plan.unasked.reaction ? slackReaction(plan.unasked.reaction) : undefined;
      if (reaction && message.ts) {
        await client.reactions
          .add({ channel: message.channel, timestamp: message.ts, name: reaction })
          .catch((error: unknown) =>
            dependencies.logger.warn({ err: error }, 'Could not add the looked-at reaction'),
          );
      }
      return;
    }
    if (plan.delivery && !(await plan.delivery.stillOwned())) {
      // Another replica took this delivery over while it was being answered here: it answers, not this one.
      dependencies.logger.warn(
        { channel: message.channel },
        'Did not post an answer: another replica took the delivery over meanwhile',
      );
      return;
    }
    if (isPrivate) {
      for (const part of renderSlackAnswer(result, { private: true, handoff }))
        await sendPrivately(client, message, plan, threadTs, part);
      return;
    }
    const finishing = outlet!;
    outlet = undefined;
    const answerTs = await finishing.finish(result);
    if (answerTs)
      await recordSlackAnswer(core, dependencies.logger, {
        channel: message.channel,
        thread: threadTs ?? '',
        ts: answerTs,
        ...(message.ts ? { questionTs: message.ts } : {}),
        result,
      });
  } finally {
    await outlet?.close();
    await stopWorking();
  }
}
