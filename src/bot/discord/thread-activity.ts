import { type AnyThreadChannel, ChannelType, type Message } from 'discord.js';
import { type AskResult, toAnswerloopError } from '../../core/index.ts';
import type { DiscordBotContext } from './bot-context.ts';
import { conversationKeys, placeOfMessage } from './discord-place.ts';

/** Forum tags that say a post is solved, compared without case. */
const solvedTagNames = new Set(['solved', 'resolved']);

/**
 * A person's message in a thread the bot takes part in: kept in the store (the thread's context for a
 * follow-up, without reading Discord's history), and, when someone other than the asker writes after the
 * bot's answer, the answer counts as followed up by a person.
 */
export async function noteThreadMessage(
  message: Message,
  { core, logger }: DiscordBotContext,
): Promise<void> {
  if (!message.channel.isThread()) return;
  const place = { platform: 'discord' as const, ...conversationKeys(placeOfMessage(message), message.id) };
  try {
    if (!(await core.threads.takesPart(place))) return;
    await core.threads.record({
      ...place,
      messageId: message.id,
      role: 'user',
      userId: message.author.id,
      text: message.content,
      at: message.createdAt.toISOString(),
    });
    const marked = await core.threads.noteHumanFollowUp(place, {
      kind: 'reply',
      at: message.createdAt.toISOString(),
      userId: message.author.id,
    });
    if (marked) logger.info({ conversationId: marked.id }, 'A person followed up on an answer in its thread');
  } catch (error) {
    logger.warn(
      { err: toAnswerloopError(error), threadId: message.channelId },
      'Could not record a thread message',
    );
  }
}

/** Keeps the question and the bot's answer of a thread, so the next follow-up there reads them from the store. */
export async function recordDiscordAnswer(
  { core, logger }: Pick<DiscordBotContext, 'core' | 'logger'>,
  keys: { channel: string; thread: string },
  question: { id: string; userId: string; text: string; at: Date },
  answer: { message: Message; result: AskResult },
): Promise<void> {
  const place = { platform: 'discord' as const, ...keys };
  try {
    await core.threads.record({
      ...place,
      messageId: question.id,
      role: 'user',
      userId: question.userId,
      text: question.text,
      at: question.at.toISOString(),
    });
    await core.threads.record({
      ...place,
      messageId: answer.message.id,
      role: 'assistant',
      text: answer.result.answer,
      at: answer.message.createdAt.toISOString(),
      answers: question.id,
      conversationId: answer.result.conversationId,
    });
  } catch (error) {
    logger.warn(
      { err: toAnswerloopError(error), threadId: keys.thread },
      'Could not record the answer in the store',
    );
  }
}

/**
 * A forum post closed (archived or locked by a person, before Discord's inactivity timeout would have) or tagged
 * solved after the bot answered: the answer counts as followed up by a person.
 */
export async function noteThreadUpdate(
  before: AnyThreadChannel,
  after: AnyThreadChannel,
  { core, logger }: DiscordBotContext,
): Promise<void> {
  const parent = after.parent;
  if (parent?.type !== ChannelType.GuildForum && parent?.type !== ChannelType.GuildMedia) return;
  const closedNow = (!before.archived && after.archived) || (!before.locked && after.locked);
  const lastActivity = after.lastMessage?.createdTimestamp ?? after.createdTimestamp ?? 0;
  const autoArchived =
    after.archived && Date.now() - lastActivity >= (after.autoArchiveDuration ?? 1440) * 60_000 - 60_000;
  const solvedTags = parent.availableTags
    .filter((tag) => solvedTagNames.has(tag.name.trim().toLowerCase()))
    .map((tag) => tag.id);
  const taggedSolved = after.appliedTags.some(
    (id) => solvedTags.includes(id) && !before.appliedTags.includes(id),
  );
  if (!taggedSolved && !(closedNow && !autoArchived)) return;
  try {
    const marked = await core.threads.noteHumanFollowUp(
      { platform: 'discord', channel: after.parentId ?? '', thread: after.id },
      { kind: 'solved', at: new Date().toISOString() },
    );
    if (marked)
      logger.info(
        { conversationId: marked.id, threadId: after.id },
        'A forum post the bot answered was marked solved',
      );
  } catch (error) {
    logger.warn({ err: toAnswerloopError(error), threadId: after.id }, 'Could not mark a solved forum post');
  }
}
