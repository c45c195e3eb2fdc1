import type { ConversationRecord } from '../../core/index.ts';
import { handoffSources } from './handoff-sources.ts';
import { discordLimits, type DiscordEmbed } from './discord-limits.ts';
import { neutralizeMentions, safeUserLine } from './discord-safe-text.ts';
import { truncateText } from './discord-text-split.ts';

/** A hand-off `mention` as Discord writes it: a role id becomes `<@&id>`; a written mention stays as it is. */
export function discordMention(mention: string): { text: string; roles: string[]; users: string[] } {
  if (/^\d+$/.test(mention)) return { text: `<@&${mention}>`, roles: [mention], users: [] };
  const role = /^<@&(\d+)>$/.exec(mention);
  if (role) return { text: mention, roles: [role[1]!], users: [] };
  const user = /^<@!?(\d+)>$/.exec(mention);
  if (user) return { text: mention, roles: [], users: [user[1]!] };
  return { text: neutralizeMentions(mention), roles: [], users: [] };
}

/**
 * The question as the support team sees it in the escalation channel: who asked what, the bot's answer or
 * refusal, its sources and confidence, and a link to where the person waits. Only the configured role is
 * pinged: the question and answer are quoted with their mentions neutralised.
 */
export function renderDiscordHandoff(input: {
  record: ConversationRecord;
  askerId: string;
  mention?: string;
  link?: string;
}): { content: string; embeds: DiscordEmbed[]; allowedMentions: { roles: string[]; users: string[] } } {
  const { record } = input;
  const calling = input.mention ? discordMention(input.mention) : undefined;
  const content = truncateText(
    `${calling ? `${calling.text} ` : ''}<@${input.askerId}> would like a person to help with this question.`,
    discordLimits.content,
  );
  const sources = handoffSources(record).map((source) =>
    source.isLink
      ? `[${source.number}] [${safeUserLine(source.title || source.source)}](${source.source})`
      : `[${source.number}] ${safeUserLine(source.title || source.source)}`,
  );
  const answer = record.refused
    ? '*The bot did not find this in the documentation and said so.*'
    : neutralizeMentions(record.correctedAnswer ?? record.answer);
  const embed: DiscordEmbed = {
    title: truncateText(safeUserLine(record.question) || 'Question', discordLimits.embedTitle),
    description: truncateText(neutralizeMentions(record.question), 1500),
    color: 0xf59e0b,
    fields: [
      { name: "The bot's answer", value: truncateText(answer, 1024) },
      ...(sources.length > 0 ? [{ name: 'Sources', value: truncateText(sources.join('\n'), 1024) }] : []),
      ...(input.link ? [{ name: 'Thread', value: `[Open the conversation](${input.link})` }] : []),
    ],
    footer: {
      text: `Confidence ${Math.round(record.confidence * 100)}% · ${record.refused ? 'refused' : `answered by ${record.model}`}`,
    },
  };
  return {
    content,
    embeds: [embed],
    allowedMentions: { roles: calling?.roles ?? [], users: calling?.users ?? [] },
  };
}

/** Who will follow up, as the person who clicked reads it privately. */
export function handoffDoneNotice(handoff: { channel?: string; mention?: string }): string {
  const who = handoff.mention ? discordMention(handoff.mention).text : 'the support team';
  const where = handoff.channel ? ` in <#${handoff.channel}>` : '';
  return `🙋 I've passed your question to ${who}${where}. A person will follow up with you here.`;
}

export const handoffAlreadyNotice =
  'This question is already with the support team: a person will follow up here.';

export const handoffFailedNotice =
  "Sorry, I couldn't reach the support team just now. Please try the button again in a little while.";

export const handoffUnavailableNotice =
  'Handing questions to a person is not set up here any more. Please ask the team that runs me.';

export const handoffGoneNotice =
  'Sorry, I can no longer find that answer. Ask again with /ask and use the button under the new answer.';
