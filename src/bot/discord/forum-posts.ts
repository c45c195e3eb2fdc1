import {
  type AnyThreadChannel,
  ChannelType,
  type ForumChannel,
  type MediaChannel,
  type Message,
  RESTJSONErrorCodes,
} from 'discord.js';
import { toAnswerloopError } from '../../core/index.ts';
import type { ChannelSettings } from '../channel-modes.ts';
import { renderDiscordAnswer } from '../render/discord-answer.ts';
import { claimDelivery, type DiscordBotContext } from './bot-context.ts';
import { isDiscordError, retryTransient } from './discord-retry.ts';
import { recordDiscordAnswer } from './thread-activity.ts';
import { reactToUnsure } from './unsure-reaction.ts';

/** Discord allows at most 5 tags on a post. */
const maxAppliedTags = 5;

function forumOf(thread: AnyThreadChannel): ForumChannel | MediaChannel | undefined {
  const parent = thread.parent;
  return parent?.type === ChannelType.GuildForum || parent?.type === ChannelType.GuildMedia
    ? parent
    : undefined;
}

/**
 * Adds the forum tags named in the settings to a post (names compared without case), keeping the tags the
 * author chose. A name the forum does not have, or a missing Manage Threads permission, is the operator's
 * to fix: logged with what to do, never shown in the post.
 */
export async function applyForumTags(
  thread: AnyThreadChannel,
  names: readonly string[] | undefined,
  { logger }: Pick<DiscordBotContext, 'logger'>,
): Promise<void> {
  const forum = forumOf(thread);
  if (!forum || !names || names.length === 0) return;
  const wanted = names.map((name) => name.trim().toLowerCase());
  const found = forum.availableTags.filter((tag) => wanted.includes(tag.name.trim().toLowerCase()));
  const missing = names.filter(
    (name) => !found.some((tag) => tag.name.trim().toLowerCase() === name.trim().toLowerCase()),
  );
  if (missing.length > 0) {
    logger.warn(
      { forumId: forum.id, missing },
      `forum "${forum.name}" has no tag named ${missing.map((name) => `"${name}"`).join(', ')}: create it in the forum's settings or fix discord.channels.${forum.id}`,
    );
  }
  const applied = [...new Set([...thread.appliedTags, ...found.map((tag) => tag.id)])].slice(
    0,
    maxAppliedTags,
  );
  if (applied.length === thread.appliedTags.length && applied.every((id) => thread.appliedTags.includes(id)))
    return;
  try {
    await thread.setAppliedTags(applied);
  } catch (error) {
    const advice = isDiscordError(error, RESTJSONErrorCodes.MissingPermissions)
      ? ': give the bot the Manage Threads permission in the forum'
      : '';
    logger.warn(
      { err: toAnswerloopError(error), threadId: thread.id },
      `could not tag the forum post${advice}`,
    );
  }
}

/**
 * A new post in a help forum (a forum channel in mode `auto`): reads its title and starter message and
 * answers in the post when the answer is confident enough, tagging it (`tags`); otherwise stays silent
 * and tags it for people (`unsureTags`). Right after a post is created Discord may not yet return its
 * starter message (10008) or accept messages in it (40058): both are retried briefly.
 */
export async function handleNewForumPost(
  thread: AnyThreadChannel,
  newlyCreated: boolean,
  context: DiscordBotContext,
): Promise<void> {
  const { core, access, rateLimiter, logger } = context;
  if (!newlyCreated || !forumOf(thread) || thread.ownerId === thread.client.user.id) return;
  const settings: ChannelSettings = access.settingsFor({
    guildId: thread.guildId,
    channelId: thread.id,
    parentId: thread.parentId,
  });
  if (settings.mode !== 'auto') return;
  if (!(await claimDelivery(context, 'thread', thread.id))) return;

  const starter = await retryTransient(
    () => thread.fetchStarterMessage(),
    (error) => isDiscordError(error, RESTJSONErrorCodes.UnknownMessage),
  ).catch((error: unknown) => {
    // Deleted already, or still not there: the title alone may be enough to answer.
    logger.warn(
      { err: toAnswerloopError(error), threadId: thread.id },
      'could not read the starter message of a forum post; answering from its title',
    );
    return null;
  });
  if (starter?.author.bot || starter?.webhookId) return;
  const askerId = thread.ownerId ?? starter?.author.id ?? '';
  // An unprompted answer spends the asker's allowance silently: nobody asked the bot, so it says nothing.
  if (!(await rateLimiter.acquire(askerId)).allowed) {
    logger.info({ threadId: thread.id }, 'left a forum post alone: its author is over the rate limit');
    return;
  }

  const question = [thread.name, starter?.content ?? '']
    .map((part) => part.trim())
    .filter(Boolean)
    .join('\n\n');
  const result = await core.ask(
    {
      question,
      context: {
        platform: 'discord',
        channel: thread.parentId ?? '',
        thread: thread.id,
        userId: askerId,
        filters: settings.filters,
      },
    },
    // Below the channel's threshold nothing is generated: the question is kept as a silent record for people.
    { stream: false, minConfidence: settings.threshold, keepSilent: settings.keepSilent },
  );
  if (!core.delivery.shouldPostUnasked(result, settings.threshold)) {
    logger.info(
      {
        threadId: thread.id,
        confidence: result.confidence,
        threshold: settings.threshold,
        conversationId: result.conversationId,
      },
      'left a forum post to people: not sure enough to answer',
    );
    await applyForumTags(thread, settings.unsureTags, context);
    if (starter) await reactToUnsure(starter, settings, context);
    return;
  }
  let answer: Message | undefined;
  for (const part of renderDiscordAnswer({
    question: thread.name,
    result,
    handoff: settings.handoff !== undefined,
  })) {
    const sent = await retryTransient(
      () => thread.send(part),
      (error) => isDiscordError(error, RESTJSONErrorCodes.CannotSendAMessageInAForumChannel),
    );
    answer ??= sent;
  }
  // The post's starter message has the post's id: the question and answer begin the thread's record.
  if (answer)
    await recordDiscordAnswer(
      context,
      { channel: thread.parentId ?? '', thread: thread.id },
      { id: thread.id, userId: askerId, text: question, at: thread.createdAt ?? new Date() },
      { message: answer, result },
    );
  await applyForumTags(thread, settings.tags, context);
}
