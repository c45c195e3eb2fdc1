import {
  type AnyThreadChannel,
  ChannelType,
  type Message,
  RESTJSONErrorCodes,
  ThreadAutoArchiveDuration,
} from 'discord.js';
import { toAnswerloopError } from '../../core/index.ts';
import { type ChannelSettings, looksLikeQuestion } from '../channel-modes.ts';
import { renderDiscordAnswer } from '../render/discord-answer.ts';
import { threadName } from '../render/discord-notices.ts';
import { claimDelivery, type DiscordBotContext } from './bot-context.ts';
import { conversationKeys, placeOfMessage } from './discord-place.ts';
import { isDiscordError } from './discord-retry.ts';
import { noPings } from './no-pings.ts';
import { recordDiscordAnswer } from './thread-activity.ts';
import { reactToUnsure } from './unsure-reaction.ts';

/** Asks core on behalf of a message nobody addressed to the bot; undefined when the answer should not be posted. */
async function confidentAnswer(
  message: Message,
  question: string,
  settings: ChannelSettings,
  context: DiscordBotContext,
) {
  const { core, rateLimiter, logger } = context;
  // Nobody asked the bot: over the rate limit it stays silent rather than telling anyone off.
  if (!(await rateLimiter.acquire(message.author.id)).allowed) {
    logger.info({ messageId: message.id }, 'left a question alone: its author is over the rate limit');
    return undefined;
  }
  const place = placeOfMessage(message);
  const result = await core.ask(
    {
      question,
      context: {
        platform: 'discord',
        ...conversationKeys(place, message.id),
        userId: message.author.id,
        filters: settings.filters,
      },
    },
    // Below the channel's threshold nothing is generated: the question is kept as a silent record for people.
    { stream: false, minConfidence: settings.threshold, keepSilent: settings.keepSilent },
  );
  if (core.delivery.shouldPostUnasked(result, settings.threshold)) return result;
  logger.info(
    {
      messageId: message.id,
      confidence: result.confidence,
      threshold: settings.threshold,
      conversationId: result.conversationId,
    },
    'left a question to people: not sure enough to answer',
  );
  await reactToUnsure(message, settings, context);
  return undefined;
}

/**
 * A top-level message in a help channel (a text channel in mode `auto`) that looks like a question is
 * answered in a thread started from it, when the answer is confident enough; anything else is left alone.
 */
export async function handleHelpChannelMessage(
  message: Message,
  settings: ChannelSettings,
  context: DiscordBotContext,
): Promise<void> {
  const canStartThread =
    message.channel.type === ChannelType.GuildText || message.channel.type === ChannelType.GuildAnnouncement;
  if (!canStartThread || !looksLikeQuestion(message.content)) return;
  if (!(await claimDelivery(context, 'message', message.id))) return;
  const result = await confidentAnswer(message, message.content, settings, context);
  if (!result) return;
  const parts = renderDiscordAnswer({
    question: message.content,
    result,
    handoff: settings.handoff !== undefined,
  });
  const thread = await message
    .startThread({ name: threadName(message.content), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay })
    .catch((error: unknown) => {
      context.logger.warn(
        { err: toAnswerloopError(error), channelId: message.channelId },
        'could not start a thread; replying instead (grant Create Public Threads)',
      );
      return undefined;
    });
  const keys = conversationKeys(placeOfMessage(message), message.id);
  if (thread) {
    const [first, ...rest] = parts;
    const answer = await thread.send(first!);
    for (const part of rest) await thread.send(part);
    await recordDiscordAnswer(context, keys, questionOf(message), { message: answer, result });
    return;
  }
  const [first, ...rest] = parts;
  const answer = await message.reply({ ...first!, allowedMentions: noPings });
  for (const part of rest) if (message.channel.isSendable()) await message.channel.send(part);
  await recordDiscordAnswer(context, keys, questionOf(message), { message: answer, result });
}

/** The person a help thread belongs to: a forum post's author, or the author of the message a thread was started from. */
async function askerOf(thread: AnyThreadChannel): Promise<string | undefined> {
  if (thread.parent?.type === ChannelType.GuildForum || thread.parent?.type === ChannelType.GuildMedia)
    return thread.ownerId ?? undefined;
  const starter = await thread.fetchStarterMessage().catch((error: unknown) => {
    if (isDiscordError(error, RESTJSONErrorCodes.UnknownMessage)) return null;
    throw error;
  });
  return starter?.author.id;
}

/**
 * The asker writing again in a help thread the bot already answered in (a forum post, or the thread it
 * started under a question): a new question there is answered with the thread's earlier turns, through the
 * same detector and threshold as the first. Other people's messages are conversations among people.
 */
export async function handleHelpThreadFollowUp(
  message: Message,
  settings: ChannelSettings,
  context: DiscordBotContext,
): Promise<void> {
  const thread = message.channel;
  // A forum post's starter message has the post's id; the new post itself was handled on threadCreate.
  if (!thread.isThread() || message.id === thread.id || !looksLikeQuestion(message.content)) return;
  if ((await askerOf(thread)) !== message.author.id) return;
  // The store knows the threads the bot answered in: no history read.
  const keys = conversationKeys(placeOfMessage(message), message.id);
  if (!(await context.core.threads.takesPart({ platform: 'discord', ...keys }))) return;
  if (!(await claimDelivery(context, 'message', message.id))) return;
  const result = await confidentAnswer(message, message.content, settings, context);
  if (!result) return;
  const [first, ...rest] = renderDiscordAnswer({
    question: message.content,
    result,
    handoff: settings.handoff !== undefined,
  });
  const answer = await message.reply({ ...first!, allowedMentions: noPings });
  for (const part of rest) await thread.send(part);
  await recordDiscordAnswer(context, keys, questionOf(message), { message: answer, result });
}

function questionOf(message: Message) {
  return { id: message.id, userId: message.author.id, text: message.content, at: message.createdAt };
}
