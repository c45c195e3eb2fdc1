import type { AskResult, AskSource } from '../../core/index.ts';
import { escapeSlackText, markdownToMrkdwn, slackLink } from './slack-mrkdwn.ts';

/** Slack's documented limits (Block Kit reference, chat.postMessage). */
export const slackLimits = {
  sectionText: 3000,
  blocksPerMessage: 50,
  messageText: 40_000,
  contextElements: 10,
  buttonValue: 2000,
} as const;

export const feedbackBlockId = 'answer_feedback';
export const feedbackNoteBlockId = 'answer_feedback_note';
export const feedbackActionIds = {
  helpful: 'answer_helpful',
  notHelpful: 'answer_not_helpful',
  suggestCorrection: 'answer_suggest_correction',
} as const;

export type SlackBlock = Record<string, unknown> & { type: string; block_id?: string };

export interface SlackMessageContent {
  /** Notification and accessibility text; Slack shows the blocks. */
  text: string;
  blocks: SlackBlock[];
}

export type SlackAnswerInput = Pick<AskResult, 'answer' | 'citations' | 'model' | 'extractive' | 'refused' | 'conversationId' | 'notice' | 'verified'> & {
  sources: Array<Pick<AskSource, 'number' | 'title' | 'source'>>;
};

const fence = '```';

/** Splits mrkdwn into pieces of at most `limit` characters, at paragraph, line or word breaks, keeping code fences closed. */
export function splitMrkdwn(text: string, limit: number = slackLimits.sectionText): string[] {
  // Room for a fence closed at the end of one piece and reopened at the start of the next.
  const budget = limit - 2 * (fence.length + 1);
  const pieces: string[] = [];
  let rest = text.trim();
  // Once split, every piece may need a fence reopened or closed, so the pieces after the first keep to the budget.
  while (rest.length > (pieces.length === 0 ? limit : budget)) {
    const breakAt = (separator: string) => rest.lastIndexOf(separator, budget);
    let cut = breakAt('\n\n');
    if (cut < budget / 2) cut = breakAt('\n');
    if (cut < budget / 2) cut = breakAt(' ');
    if (cut <= 0) cut = budget;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);

  let insideFence = false;
  return pieces.map((piece) => {
    let fixed = insideFence ? `${fence}\n${piece}` : piece;
    const fences = piece.split(fence).length - 1;
    if (fences % 2 === 1) insideFence = !insideFence;
    if (insideFence) fixed = `${fixed}\n${fence}`;
    return fixed;
  });
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1).trimEnd()}…`;
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The sources worth showing: those the answer cites, or all of them for an uncited answer; none for a refusal. */
function shownSources(answer: SlackAnswerInput): Array<{ numbers: number[]; title: string; source: string }> {
  if (answer.refused) return [];
  const byNumber = new Map(answer.sources.map((source) => [source.number, source]));
  const numbers = answer.citations.length > 0 ? answer.citations.filter((number) => byNumber.has(number)) : answer.sources.map((source) => source.number);
  // Several passages of one document show as one entry with all their numbers.
  const entries = new Map<string, { numbers: number[]; title: string; source: string }>();
  for (const number of numbers) {
    const source = byNumber.get(number);
    if (!source) continue;
    const entry = entries.get(source.source);
    if (entry) {
      if (!entry.numbers.includes(number)) entry.numbers.push(number);
    } else {
      entries.set(source.source, { numbers: [number], title: source.title || source.source, source: source.source });
    }
  }
  return [...entries.values()];
}

/** A compact context block of titled links: URLs link, paths show as title and path. */
export function renderSourcesBlock(answer: SlackAnswerInput): SlackBlock | undefined {
  const entries = shownSources(answer);
  if (entries.length === 0) return undefined;
  const room = slackLimits.contextElements - 1;
  const shown = entries.length > room ? entries.slice(0, room - 1) : entries;
  const elements = shown.map((entry) => {
    const numbers = entry.numbers.map((number) => `[${number}]`).join('');
    const title = truncate(entry.title, 150);
    const text = isUrl(entry.source) ? `${numbers} ${slackLink(entry.source, title)}` : `${numbers} ${escapeSlackText(title)} \`${escapeSlackText(truncate(entry.source, 200))}\``;
    return { type: 'mrkdwn', text };
  });
  if (shown.length < entries.length) elements.push({ type: 'mrkdwn', text: `and ${entries.length - shown.length} more` });
  return { type: 'context', block_id: 'answer_sources', elements: [{ type: 'mrkdwn', text: '*Sources:*' }, ...elements] };
}

function renderFooterBlock(answer: SlackAnswerInput): SlackBlock {
  const elements = [
    {
      type: 'mrkdwn',
      text: answer.verified
        ? `:white_check_mark: ${answer.verified.use === 'answer' ? 'Verified by the support team' : 'Based on an answer verified by the support team'}`
        : answer.extractive ? `Extractive answer: quoted from the documentation without a language model` : `Answered by \`${escapeSlackText(answer.model)}\``,
    },
  ];
  if (answer.notice) elements.push({ type: 'mrkdwn', text: truncate(escapeSlackText(answer.notice), 300) });
  return { type: 'context', block_id: 'answer_footer', elements };
}

function button(actionId: string, text: string, value: string): Record<string, unknown> {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: true }, value: value.slice(0, slackLimits.buttonValue) };
}

export function renderFeedbackButtons(conversationId: string, options: { rating?: boolean } = {}): SlackBlock {
  const rating = options.rating ?? true;
  return {
    type: 'actions',
    block_id: feedbackBlockId,
    elements: [
      ...(rating
        ? [button(feedbackActionIds.helpful, ':thumbsup: Helpful', conversationId), button(feedbackActionIds.notHelpful, ':thumbsdown: Not helpful', conversationId)]
        : []),
      button(feedbackActionIds.suggestCorrection, ':pencil2: Suggest a correction', conversationId),
    ],
  };
}

/**
 * An answer as one or more Slack messages: the answer in section blocks of at most 3000 characters, then on
 * the last message the sources, a footer naming the model, and the feedback buttons. More than one message
 * only when the answer exceeds 50 blocks or 40,000 characters.
 */
export function renderSlackAnswer(answer: SlackAnswerInput): SlackMessageContent[] {
  const mrkdwn = markdownToMrkdwn(answer.answer) || '_(empty answer)_';
  const sections = splitMrkdwn(mrkdwn, slackLimits.sectionText);
  const sourcesBlock = renderSourcesBlock(answer);
  const tail = [...(sourcesBlock ? [sourcesBlock] : []), renderFooterBlock(answer), renderFeedbackButtons(answer.conversationId)];

  const messages: SlackMessageContent[] = [];
  let current: string[] = [];
  let currentChars = 0;
  const flush = () => {
    messages.push({
      text: current.join('\n\n'),
      blocks: current.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    });
    current = [];
    currentChars = 0;
  };
  sections.forEach((section, index) => {
    const isLast = index === sections.length - 1;
    const blocksAfter = current.length + 1 + (isLast ? tail.length : 0);
    if (current.length > 0 && (blocksAfter > slackLimits.blocksPerMessage || currentChars + section.length + 2 > slackLimits.messageText)) flush();
    current.push(section);
    currentChars += section.length + 2;
  });
  flush();
  const last = messages[messages.length - 1]!;
  last.blocks.push(...tail);
  return messages;
}

/** The answer as it streams in: plain mrkdwn text, no blocks, cut to fit one message. */
export function renderStreamingText(textSoFar: string): string {
  return truncate(`${markdownToMrkdwn(textSoFar)} …`, slackLimits.messageText);
}

export type FeedbackKind = 'helpful' | 'not_helpful';

/**
 * The answer's blocks after a click: the buttons give way to a note saying the feedback was received. After
 * "not helpful" the correction button stays, so the person can say what the right answer is.
 */
export function markFeedbackReceived(blocks: SlackBlock[], feedback: { kind: FeedbackKind; userId: string; conversationId: string }): SlackBlock[] {
  const note =
    feedback.kind === 'helpful'
      ? `:thumbsup: <@${feedback.userId}> found this helpful. Thanks for the feedback!`
      : `:thumbsdown: <@${feedback.userId}> found this not helpful. Thanks: the team will review it.`;
  const replacement: SlackBlock[] = [{ type: 'context', block_id: feedbackNoteBlockId, elements: [{ type: 'mrkdwn', text: note }] }];
  if (feedback.kind === 'not_helpful') replacement.push(renderFeedbackButtons(feedback.conversationId, { rating: false }));
  const kept = blocks.filter((block) => block.block_id !== feedbackNoteBlockId);
  const index = kept.findIndex((block) => block.block_id === feedbackBlockId);
  if (index === -1) return [...kept, ...replacement];
  return [...kept.slice(0, index), ...replacement, ...kept.slice(index + 1)];
}
