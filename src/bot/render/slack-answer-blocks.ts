import { answerView, type AnswerView, type AnswerViewInput } from './answer-view.ts';
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
export const ratingBlockId = 'answer_rating';
/** The footer (who wrote the answer): every finished answer ends with it, an answer cut short has none. */
export const answerFooterBlockId = 'answer_footer';
export const feedbackActionIds = {
  /** Slack's feedback_buttons element: thumbs up and down, each button's value `helpful:<id>` or `not_helpful:<id>`. */
  rating: 'answer_rating',
  /** The buttons of answers posted before feedback_buttons: the value is the conversation id. */
  helpful: 'answer_helpful',
  notHelpful: 'answer_not_helpful',
  suggestCorrection: 'answer_suggest_correction',
  share: 'answer_share',
  dismiss: 'answer_dismiss',
  /** "Ask a person": hands the question to the support team (channels with `handoff` set). */
  handoff: 'answer_handoff',
} as const;

/** How an answer's controls are drawn: privately (share, dismiss), and with "Ask a person" where hand-off is set up. */
export interface AnswerControls {
  private?: boolean;
  handoff?: boolean;
}

export type SlackBlock = Record<string, unknown> & { type: string; block_id?: string };

export interface SlackMessageContent {
  /** Notification and accessibility text; Slack shows the blocks. */
  text: string;
  blocks: SlackBlock[];
}

/** What the Slack renderer draws: the answer view both platforms share (see answer-view.ts). */
export type SlackAnswerInput = AnswerViewInput;

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

/** A compact context block of titled links: URLs link, paths show as title and path. */
export function renderSourcesBlock(view: AnswerView): SlackBlock | undefined {
  const entries = view.sources;
  if (entries.length === 0) return undefined;
  const room = slackLimits.contextElements - 1;
  const shown = entries.length > room ? entries.slice(0, room - 1) : entries;
  const elements = shown.map((entry) => {
    const numbers = entry.numbers.map((number) => `[${number}]`).join('');
    const title = truncate(entry.label, 150);
    const text = entry.url
      ? `${numbers} ${slackLink(entry.url, title)}`
      : `${numbers} ${escapeSlackText(title)} \`${escapeSlackText(truncate(entry.source, 200))}\``;
    return { type: 'mrkdwn', text };
  });
  if (shown.length < entries.length)
    elements.push({ type: 'mrkdwn', text: `and ${entries.length - shown.length} more` });
  return {
    type: 'context',
    block_id: 'answer_sources',
    elements: [{ type: 'mrkdwn', text: '*Sources:*' }, ...elements],
  };
}

function attributionText({ attribution }: AnswerView): string {
  switch (attribution.kind) {
    case 'verified':
      return ':white_check_mark: Verified by the support team';
    case 'verified-basis':
      return ':white_check_mark: Based on an answer verified by the support team';
    case 'extractive':
      return 'Extractive answer: quoted from the documentation without a language model';
    case 'model':
      return `Answered by \`${escapeSlackText(attribution.model)}\``;
  }
}

function renderFooterBlock(view: AnswerView): SlackBlock {
  const elements = [{ type: 'mrkdwn', text: attributionText(view) }];
  if (view.notice) elements.push({ type: 'mrkdwn', text: truncate(escapeSlackText(view.notice), 300) });
  return { type: 'context', block_id: answerFooterBlockId, elements };
}

function button(actionId: string, text: string, value: string): Record<string, unknown> {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text, emoji: true },
    value: value.slice(0, slackLimits.buttonValue),
  };
}

/**
 * The feedback under an answer: Slack's own thumbs for AI answers (`feedback_buttons` in a `context_actions`
 * block), then "suggest a correction", which opens the modal. A private answer also gets "Share with the
 * channel" and "Dismiss".
 */
export function renderFeedbackBlocks(conversationId: string, options: AnswerControls = {}): SlackBlock[] {
  const rating: SlackBlock = {
    type: 'context_actions',
    block_id: ratingBlockId,
    elements: [
      {
        type: 'feedback_buttons',
        action_id: feedbackActionIds.rating,
        positive_button: {
          text: { type: 'plain_text', text: 'Helpful' },
          accessibility_label: 'This answer was helpful',
          value: `helpful:${conversationId}`,
        },
        negative_button: {
          text: { type: 'plain_text', text: 'Not helpful' },
          accessibility_label: 'This answer was not helpful',
          value: `not_helpful:${conversationId}`,
        },
      },
    ],
  };
  const actions: SlackBlock = {
    type: 'actions',
    block_id: feedbackBlockId,
    elements: [
      ...(options.private
        ? [
            {
              ...button(feedbackActionIds.share, 'Share with the channel', conversationId),
              style: 'primary',
            },
            button(feedbackActionIds.dismiss, 'Dismiss', conversationId),
          ]
        : []),
      button(feedbackActionIds.suggestCorrection, ':pencil2: Suggest a correction', conversationId),
      ...(options.handoff
        ? [button(feedbackActionIds.handoff, ':raising_hand: Ask a person', conversationId)]
        : []),
    ],
  };
  return [rating, actions];
}

export type FeedbackKind = 'helpful' | 'not_helpful';

/** Reads a feedback_buttons value (`helpful:<id>`); undefined when it is not one. */
export function parseRatingValue(
  value: string | undefined,
): { kind: FeedbackKind; conversationId: string } | undefined {
  const match = /^(helpful|not_helpful):(.+)$/.exec(value ?? '');
  return match ? { kind: match[1] as FeedbackKind, conversationId: match[2]! } : undefined;
}

/** What stops a native stream: the blocks under the streamed text (sources, footer, feedback). */
export function renderAnswerTail(answer: AnswerViewInput, options: AnswerControls = {}): SlackBlock[] {
  const view = answerView(answer);
  const sourcesBlock = renderSourcesBlock(view);
  return [
    ...(sourcesBlock ? [sourcesBlock] : []),
    renderFooterBlock(view),
    ...renderFeedbackBlocks(view.conversationId, options),
  ];
}

/**
 * An answer as one or more Slack messages: the answer in section blocks of at most 3000 characters, then on
 * the last message the sources, a footer naming the model, and the feedback buttons (with share and dismiss
 * for a private answer; a shared one opens with who asked what). More than one message
 * only when the answer exceeds 50 blocks or 40,000 characters.
 */
export function renderSlackAnswer(
  answer: SlackAnswerInput,
  options: AnswerControls & { askedBy?: { userId: string; question: string } } = {},
): SlackMessageContent[] {
  const mrkdwn = markdownToMrkdwn(answer.answer) || '_(empty answer)_';
  const sections = splitMrkdwn(mrkdwn, slackLimits.sectionText);
  const tail = renderAnswerTail(answer, {
    ...(options.private ? { private: true } : {}),
    ...(options.handoff ? { handoff: true } : {}),
  });

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
    if (
      current.length > 0 &&
      (blocksAfter > slackLimits.blocksPerMessage ||
        currentChars + section.length + 2 > slackLimits.messageText)
    )
      flush();
    current.push(section);
    currentChars += section.length + 2;
  });
  flush();
  const last = messages[messages.length - 1]!;
  last.blocks.push(...tail);
  if (options.askedBy) {
    // A shared private answer says whose question it answers.
    const first = messages[0]!;
    const text = `<@${options.askedBy.userId}> asked: ${escapeSlackText(truncate(options.askedBy.question, 2500))}`;
    first.blocks.unshift({
      type: 'context',
      block_id: 'answer_asked_by',
      elements: [{ type: 'mrkdwn', text }],
    });
  }
  return messages;
}

/** The answer as it streams in: plain mrkdwn text, no blocks, cut to fit one message. */
export function renderStreamingText(textSoFar: string): string {
  return truncate(`${markdownToMrkdwn(textSoFar)} …`, slackLimits.messageText);
}
