import { ChannelType, type Message, type MessageCreateOptions, ThreadAutoArchiveDuration } from 'discord.js';
import { toAnswerloopError } from '../../core/index.ts';
import { renderDiscordAnswer } from '../render/discord-answer.ts';
import { emptyQuestionNotice, rateLimitNotice, threadName } from '../render/discord-notices.ts';
import type { DiscordBotContext } from './bot-context.ts';
import { conversationKeys, placeOfMessage } from './discord-place.ts';
import { noPings } from './no-pings.ts';
import { recordDiscordAnswer } from './thread-activity.ts';

/** The message text without mentions of the bot (`<@id>` or the older `<@!id>`). */
export function questionFromMention(content: string, botUserId: string): string {
  return content
    .replace(new RegExp(`<@!?${botUserId}>`, 'g'), ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Answers a message that mentions the bot (the router has checked the channel answers mentions): in a new
 * thread started from the message (`mentionReply: thread`) or as a reply. Mentions of @everyone or a role
 * do not count, so the bot never spams a channel.
 */
export async function handleMention(message: Message, context: DiscordBotContext): Promise<void> {
  const { core, access, rateLimiter, logger } = context;
  const botUserId = message.client.user.id;
  const place = placeOfMessage(message);
  if (!message.channel.isSendable()) return;

  const quietReply = (options: MessageCreateOptions) =>
    message.reply({ ...options, allowedMentions: noPings });
  const limit = await rateLimiter.acquire(message.author.id);
  if (!limit.allowed) {
    await quietReply({ content: rateLimitNotice(limit.retryAfterMs) });
    return;
  }
  const question = questionFromMention(message.content, botUserId);
  if (!question) {
    await quietReply({ content: emptyQuestionNotice });
    return;
  }

  // The typing indicator is a courtesy: without it the answer still comes.
  await message.channel
    .sendTyping()
    .catch((error: unknown) => logger.debug({ err: toAnswerloopError(error) }, 'typing indicator failed'));
  const result = await core.ask(
    {
      question,
      context: {
        platform: 'discord',
        ...conversationKeys(place, message.id),
        userId: message.author.id,
        filters: access.filtersFor(place),
      },
    },
    { stream: false },
  );
  // The question and answer start the thread's record in the store: a follow-up there reads it, not Discord.
  const record = (answer: Message) =>
    recordDiscordAnswer(
      context,
      conversationKeys(place, message.id),
      { id: message.id, userId: message.author.id, text: question, at: message.createdAt },
      { message: answer, result },
    );
  const [first, ...rest] = renderDiscordAnswer({
    question,
    result,
    handoff: access.settingsFor(place).handoff !== undefined,
  });
  const canStartThread =
    message.channel.type === ChannelType.GuildText || message.channel.type === ChannelType.GuildAnnouncement;
  if (core.config.discord.mentionReply === 'thread' && canStartThread) {
    const thread = await message
      .startThread({ name: threadName(question), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay })
      .catch((error: unknown) => {
        // Usually a missing Create Public Threads permission: answer anyway, as a reply, and tell the operator.
        logger.warn(
          { err: toAnswerloopError(error), channelId: message.channelId },
          'could not start a thread; replying instead (grant Create Public Threads)',
        );
        return undefined;
      });
    if (thread) {
      const answer = await thread.send(first!);
      for (const part of rest) await thread.send(part);
      await record(answer);
      return;
    }
  }
  const answer = await quietReply(first!);
  for (const part of rest) await message.channel.send(part);
  await record(answer);
}
