import {
  type AnyThreadChannel,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  type Message,
  type MessageContextMenuCommandInteraction,
  MessageFlags,
  ThreadAutoArchiveDuration,
} from 'discord.js';
import { toAnswerloopError } from '../../../core/index.ts';
import { renderDiscordAnswer } from '../../render/discord-answer.ts';
import {
  answeredInThreadNotice,
  messageWithoutTextNotice,
  notAllowedNotice,
  rateLimitNotice,
  threadName,
} from '../../render/discord-notices.ts';
import type { DiscordBotContext } from '../bot-context.ts';
import type { DiscordMessageCommand } from '../discord-command.ts';
import { conversationKeys, placeOfInteraction } from '../discord-place.ts';
import { questionFromMention } from '../mention-handler.ts';
import { noPings } from '../no-pings.ts';

/** The name people see under Apps when they right-click a message. */
export const answerMessageCommandName = 'Answer with answerloop';

/**
 * The thread the public answer goes in: the thread the message is in, the thread already started from it,
 * or a new one. Undefined when the bot cannot post there: it is not in the server (a user install), the
 * channel has no threads (a DM, a voice channel's chat), or Discord refused to start one.
 */
async function threadFor(
  interaction: MessageContextMenuCommandInteraction,
  target: Message,
  question: string,
  context: DiscordBotContext,
): Promise<AnyThreadChannel | undefined> {
  if (!interaction.inCachedGuild()) return undefined;
  const channel = interaction.channel;
  if (channel?.isThread()) return channel;
  if (channel?.type !== ChannelType.GuildText && channel?.type !== ChannelType.GuildAnnouncement)
    return undefined;
  if (target.thread) return target.thread;
  return target
    .startThread({ name: threadName(question), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay })
    .catch((error: unknown) => {
      context.logger.warn(
        { err: toAnswerloopError(error), channelId: channel.id },
        'could not start a thread for "Answer with answerloop"; answering the person privately (grant Create Public Threads)',
      );
      return undefined;
    });
}

/**
 * "Answer with answerloop" (right-click a message, Apps): answers the question in that message. With the
 * channel's `reply: thread` (the default) everyone sees the answer, in a thread under the message (or as a
 * reply where no thread can be started); with `reply: private` only the person who used the command does.
 */
export const answerMessageCommand: DiscordMessageCommand = {
  kind: 'message',
  data: new ContextMenuCommandBuilder()
    .setName(answerMessageCommandName)
    .setType(ApplicationCommandType.Message)
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall)
    .setContexts(
      InteractionContextType.Guild,
      InteractionContextType.BotDM,
      InteractionContextType.PrivateChannel,
    ),

  async execute(interaction, context) {
    const { core, access, rateLimiter } = context;
    const place = placeOfInteraction(interaction);
    const settings = access.settingsFor(place);
    if (settings.mode === 'off') {
      await interaction.reply({ content: notAllowedNotice, flags: MessageFlags.Ephemeral });
      return;
    }
    const target = interaction.targetMessage;
    const question = questionFromMention(target.content ?? '', interaction.client.user.id);
    if (!question) {
      await interaction.reply({ content: messageWithoutTextNotice, flags: MessageFlags.Ephemeral });
      return;
    }
    const limit = await rateLimiter.acquire(interaction.user.id);
    if (!limit.allowed) {
      await interaction.reply({
        content: rateLimitNotice(limit.retryAfterMs),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const publicly = settings.reply === 'thread';
    // A thread needs the bot in the server; without one a public answer is the command's own reply.
    const inThread =
      publicly &&
      interaction.inCachedGuild() &&
      (interaction.channel?.isThread() ||
        interaction.channel?.type === ChannelType.GuildText ||
        interaction.channel?.type === ChannelType.GuildAnnouncement);
    await interaction.deferReply(publicly && !inThread ? {} : { flags: MessageFlags.Ephemeral });

    const result = await core.ask(
      {
        question,
        // The thread started from a message takes the message's id, so a follow-up there finds this turn.
        context: {
          platform: 'discord',
          ...conversationKeys(place, target.id),
          userId: target.author.id,
          filters: settings.filters,
        },
      },
      { stream: false },
    );
    const parts = renderDiscordAnswer({ question, result, handoff: settings.handoff !== undefined });
    const thread = inThread ? await threadFor(interaction, target, question, context) : undefined;
    if (thread) {
      const [first, ...rest] = parts;
      // In an existing thread the answer replies to the message, so it is clear which question it answers.
      if (thread.id === target.channelId) await target.reply({ ...first!, allowedMentions: noPings });
      else await thread.send(first!);
      for (const part of rest) await thread.send(part);
      await interaction.editReply({ content: answeredInThreadNotice(thread.id) });
      return;
    }
    const [first, ...rest] = parts;
    await interaction.editReply(first!);
    const ephemeral = !publicly || inThread;
    for (const part of rest)
      await interaction.followUp(ephemeral ? { ...part, flags: MessageFlags.Ephemeral } : part);
  },
};
