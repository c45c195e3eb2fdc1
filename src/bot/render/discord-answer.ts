import { answerView, type AnswerView, type AnswerViewInput, type ShownSource } from './answer-view.ts';
import { renderFeedbackButtons } from './discord-feedback.ts';
import {
  type DiscordEmbed,
  type DiscordEmbedField,
  type DiscordMessage,
  discordLimits,
  embedLength,
} from './discord-limits.ts';
import { safeUserLine } from './discord-safe-text.ts';
import { splitMarkdown, truncateText } from './discord-text-split.ts';

export interface RenderDiscordAnswerInput {
  question: string;
  result: AnswerViewInput;
  /** Helpful / not helpful / suggest a correction under the answer (default true). */
  feedbackButtons?: boolean;
  /** "Ask a person" beside them, where the channel hands questions to people (`handoff`). */
  handoff?: boolean;
  /** At most this many messages (the first edits the deferred reply, the others are follow-ups); default 5. */
  maxMessages?: number;
}

const answerColor = 0x3b82f6;
const refusalColor = 0x9ca3af;
const footerLimit = 200;
const shortenedNote = '\n\n*The answer was too long for Discord and was shortened here.*';

/** Escapes the Markdown that would change how a title reads, and the brackets that would break a link. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~|`[\]<>]/g, (character) => `\\${character}`);
}

/** An http(s) URL safe inside `[text](url)`, or undefined when the source is not a web address. */
export function linkTarget(source: string): string | undefined {
  if (!/^https?:\/\//i.test(source)) return undefined;
  try {
    return new URL(source).href.replace(/[()]/g, (character) => (character === '(' ? '%28' : '%29'));
  } catch {
    return undefined;
  }
}

/**
 * One line per cited place: `[1][3] [Title › Section](https://…)` for web pages and
 * `[2] Title › Section · \`docs/path.md\`` for files. Numbers citing the same place share a line.
 */
export function formatSourceLines(sources: ShownSource[]): string[] {
  return sources.map(({ numbers, label: fullLabel, source, url: address }) => {
    const marker = `**${numbers.map((number) => `[${number}]`).join('')}**`;
    const label = escapeMarkdown(truncateText(fullLabel, 150));
    const url = address ? linkTarget(address) : undefined;
    if (url && url.length <= 700) return `${marker} [${label}](${url})`;
    const path = truncateText(source.replace(/`/g, "'"), 300);
    return url ? `${marker} ${label} · <${path}>` : `${marker} ${label} · \`${path}\``;
  });
}

/** The Sources field: as many whole lines as fit in 1024 characters, then a count of the rest. */
export function renderSourcesField(lines: string[]): DiscordEmbedField | undefined {
  if (lines.length === 0) return undefined;
  const kept: string[] = [];
  for (const [index, line] of lines.entries()) {
    const remaining = lines.length - index - 1;
    const more = remaining > 0 ? `\n…and ${remaining} more` : '';
    const candidate = [...kept, line].join('\n');
    if (candidate.length + more.length > discordLimits.embedFieldValue) {
      const rest = lines.length - kept.length;
      kept.push(`…and ${rest} more`);
      break;
    }
    kept.push(line);
  }
  return { name: lines.length === 1 ? 'Source' : 'Sources', value: kept.join('\n') };
}

function footerText({ attribution }: AnswerView): string {
  switch (attribution.kind) {
    case 'verified':
      return '✅ Verified by the support team';
    case 'verified-basis':
      return '✅ Based on an answer verified by the support team';
    case 'extractive':
      return 'extractive answer';
    case 'model':
      return truncateText(`answered by ${attribution.model}`, footerLimit);
  }
}

/** The question as people typed it, made safe to show back (no control or direction characters, no raw mentions). */
function questionTitle(question: string): string {
  return truncateText(safeUserLine(question) || 'Answer', discordLimits.embedTitle);
}

/**
 * Renders an answer as Discord messages: the first replaces the deferred reply, any others follow it.
 * The question is the title; the answer fills the descriptions, split at paragraph or sentence
 * boundaries when longer than one embed may hold; the last message carries the sources, the model in
 * the footer and the feedback buttons. Every message keeps within Discord's limits.
 */
export function renderDiscordAnswer(input: RenderDiscordAnswerInput): DiscordMessage[] {
  const view = answerView(input.result);
  const maxMessages = Math.max(1, input.maxMessages ?? 5);
  const title = questionTitle(input.question);
  const sourcesField = renderSourcesField(formatSourceLines(view.sources));
  const footer = { text: footerText(view) };
  const tailLength =
    footer.text.length + (sourcesField ? sourcesField.name.length + sourcesField.value.length : 0);
  // One limit for every piece keeps the first (with the title) and the last (with sources and footer) within 6000.
  const pieceLimit = Math.min(
    discordLimits.embedDescription,
    discordLimits.embedTotal - title.length - tailLength,
  );

  let pieces = splitMarkdown(view.text, pieceLimit);
  if (pieces.length === 0) pieces = ['*No answer was produced.*'];
  if (pieces.length > maxMessages) {
    const last = splitMarkdown(pieces[maxMessages - 1]!, pieceLimit - shortenedNote.length)[0] ?? '';
    pieces = [...pieces.slice(0, maxMessages - 1), last + shortenedNote];
  }

  const color = view.refused ? refusalColor : answerColor;
  const messages = pieces.map((piece, index): DiscordMessage => {
    const embed: DiscordEmbed = { description: piece, color };
    if (index === 0) embed.title = title;
    return { embeds: [embed], components: [] };
  });
  const lastMessage = messages.at(-1)!;
  const lastEmbed = lastMessage.embeds[0]!;
  if (sourcesField) lastEmbed.fields = [sourcesField];
  lastEmbed.footer = footer;
  if (input.feedbackButtons ?? true)
    lastMessage.components = [
      renderFeedbackButtons(view.conversationId, { handoff: input.handoff ?? false }),
    ];
  if (view.notice) messages[0]!.content = truncateText(`*${view.notice.trim()}*`, discordLimits.content);

  for (const message of messages) {
    const total = message.embeds.reduce((sum, embed) => sum + embedLength(embed), 0);
    if (total > discordLimits.embedTotal)
      throw new RangeError(`rendered message holds ${total} embed characters`);
  }
  return messages;
}
