import type { ConversationRecord } from '../../core/index.ts';
import { handoffSources } from './handoff-sources.ts';
import type { SlackMessageContent } from './slack-answer-blocks.ts';
import { escapeSlackText, markdownToMrkdwn, slackLink } from './slack-mrkdwn.ts';

/** A hand-off `mention` as Slack mrkdwn: a user group id (S...) or user id (U..., W...), or mrkdwn as written. */
export function slackMention(mention: string): string {
  if (mention.startsWith('<')) return mention;
  if (/^S[A-Z0-9]+$/.test(mention)) return `<!subteam^${mention}>`;
  if (/^[UW][A-Z0-9]+$/.test(mention)) return `<@${mention}>`;
  return escapeSlackText(mention);
}

const truncate = (text: string, limit: number) =>
  text.length > limit ? `${text.slice(0, limit - 1)}…` : text;

/**
 * The question as the support team sees it in the escalation place: who asked what, what the bot answered (or
 * that it did not know), its sources and confidence, and the link to the thread where the person waits.
 */
export function renderSlackHandoff(input: {
  record: ConversationRecord;
  askerId: string;
  mention?: string;
  permalink?: string;
}): SlackMessageContent {
  const { record } = input;
  const calling = input.mention ? `${slackMention(input.mention)} ` : '';
  const headline = `${calling}<@${input.askerId}> would like a person to help with this question.`;
  const botSaid = record.refused
    ? '_The bot did not find this in the documentation and said so._'
    : truncate(markdownToMrkdwn(record.correctedAnswer ?? record.answer), 2500);
  const sources = handoffSources(record).map((source) =>
    source.isLink
      ? `[${source.number}] ${slackLink(source.source, source.title || source.source)}`
      : `[${source.number}] ${escapeSlackText(source.title || source.source)}`,
  );
  const facts = [
    `Confidence ${Math.round(record.confidence * 100)}%`,
    record.refused ? 'refused' : `answered by ${record.model}`,
    ...(input.permalink ? [slackLink(input.permalink, 'Open the thread')] : []),
  ].join(' · ');
  return {
    text: `${headline}\n> ${truncate(record.question, 500)}`,
    blocks: [
      { type: 'section', block_id: 'handoff_headline', text: { type: 'mrkdwn', text: headline } },
      {
        type: 'section',
        block_id: 'handoff_question',
        text: { type: 'mrkdwn', text: `*Question*\n>${escapeSlackText(truncate(record.question, 2500))}` },
      },
      {
        type: 'section',
        block_id: 'handoff_answer',
        text: { type: 'mrkdwn', text: `*The bot's answer*\n${botSaid}` },
      },
      ...(sources.length > 0
        ? [
            {
              type: 'context',
              block_id: 'handoff_sources',
              elements: [{ type: 'mrkdwn', text: `Sources: ${sources.join('  ')}` }],
            },
          ]
        : []),
      { type: 'context', block_id: 'handoff_facts', elements: [{ type: 'mrkdwn', text: facts }] },
    ],
  };
}

/** Who will follow up, as the asker reads it privately. */
export function handoffDoneNotice(handoff: { channel?: string; mention?: string }): string {
  const who = handoff.mention ? slackMention(handoff.mention) : 'the support team';
  const where = handoff.channel ? ` in <#${handoff.channel}>` : '';
  return `:raising_hand: I've passed your question to ${who}${where}. A person will follow up with you in this thread.`;
}

export function handoffAlreadyNotice(): string {
  return 'This question is already with the support team: a person will follow up in this thread.';
}

export function handoffFailedNotice(): string {
  return "Sorry, I couldn't reach the support team just now. Please try the button again in a little while.";
}

export function handoffUnavailableNotice(): string {
  return 'Handing questions to a person is not set up here any more. Please ask the team that runs me.';
}
