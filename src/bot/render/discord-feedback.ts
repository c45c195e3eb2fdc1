import { type DiscordActionRow, discordLimits } from './discord-limits.ts';

/**
 * The feedback controls under an answer. Each custom id carries the conversation id, so a click can be
 * stored on the right record with no server-side state, even after a restart.
 */
export type FeedbackAction = 'helpful' | 'not-helpful' | 'correct';

const buttonPrefix = 'answerloop:feedback:';
const modalPrefix = 'answerloop:correction:';
const feedbackActions: FeedbackAction[] = ['helpful', 'not-helpful', 'correct'];

/** The custom id of the text input holding the suggested answer in the correction modal. */
export const correctionInputId = 'corrected-answer';

export function feedbackCustomId(action: FeedbackAction, conversationId: string): string {
  const customId = `${buttonPrefix}${action}:${conversationId}`;
  if (customId.length > discordLimits.customId) {
    throw new RangeError(`conversation id ${conversationId} is too long for a Discord custom id`);
  }
  return customId;
}

export function parseFeedbackCustomId(
  customId: string,
): { action: FeedbackAction; conversationId: string } | undefined {
  if (!customId.startsWith(buttonPrefix)) return undefined;
  const rest = customId.slice(buttonPrefix.length);
  const separator = rest.indexOf(':');
  const action = rest.slice(0, separator) as FeedbackAction;
  const conversationId = rest.slice(separator + 1);
  if (separator < 0 || !feedbackActions.includes(action) || conversationId === '') return undefined;
  return { action, conversationId };
}

export function correctionModalCustomId(conversationId: string): string {
  return `${modalPrefix}${conversationId}`;
}

export function parseCorrectionModalCustomId(customId: string): string | undefined {
  if (!customId.startsWith(modalPrefix)) return undefined;
  const conversationId = customId.slice(modalPrefix.length);
  return conversationId === '' ? undefined : conversationId;
}

const handoffPrefix = 'answerloop:handoff:';

/** The custom id of "Ask a person" for a conversation. */
export function handoffCustomId(conversationId: string): string {
  const customId = `${handoffPrefix}${conversationId}`;
  if (customId.length > discordLimits.customId) {
    throw new RangeError(`conversation id ${conversationId} is too long for a Discord custom id`);
  }
  return customId;
}

export function parseHandoffCustomId(customId: string): string | undefined {
  if (!customId.startsWith(handoffPrefix)) return undefined;
  const conversationId = customId.slice(handoffPrefix.length);
  return conversationId === '' ? undefined : conversationId;
}

/** Helpful / not helpful / suggest a correction, and "Ask a person" where hand-off is set up. */
export function renderFeedbackButtons(
  conversationId: string,
  options: { handoff?: boolean } = {},
): DiscordActionRow {
  return {
    type: 1,
    components: [
      {
        type: 2,
        style: 3,
        label: 'Helpful',
        emoji: { name: '👍' },
        custom_id: feedbackCustomId('helpful', conversationId),
      },
      {
        type: 2,
        style: 2,
        label: 'Not helpful',
        emoji: { name: '👎' },
        custom_id: feedbackCustomId('not-helpful', conversationId),
      },
      {
        type: 2,
        style: 1,
        label: 'Suggest a correction',
        emoji: { name: '✏️' },
        custom_id: feedbackCustomId('correct', conversationId),
      },
      ...(options.handoff
        ? [
            {
              type: 2 as const,
              style: 2 as const,
              label: 'Ask a person',
              emoji: { name: '🙋' },
              custom_id: handoffCustomId(conversationId),
            },
          ]
        : []),
    ],
  };
}

/** A modal as Discord's API takes it: one paragraph input inside a label component. */
export interface DiscordCorrectionModal {
  title: string;
  custom_id: string;
  components: Array<{
    type: 18;
    label: string;
    description: string;
    component: {
      type: 4;
      custom_id: string;
      style: 2;
      required: true;
      min_length: number;
      max_length: number;
      placeholder: string;
    };
  }>;
}

export function renderCorrectionModal(conversationId: string): DiscordCorrectionModal {
  return {
    title: 'Suggest a better answer',
    custom_id: correctionModalCustomId(conversationId),
    components: [
      {
        type: 18,
        label: 'What should the answer have said?',
        description: 'The support team reviews every suggestion before the bot learns from it.',
        component: {
          type: 4,
          custom_id: correctionInputId,
          style: 2,
          required: true,
          min_length: 2,
          max_length: discordLimits.textInputValue,
          placeholder: 'The right answer, with a link to the page that explains it if you know one.',
        },
      },
    ],
  };
}

export function feedbackThanks(action: Exclude<FeedbackAction, 'correct'>): string {
  return action === 'helpful'
    ? 'Thanks! Glad it helped. 👍'
    : 'Thanks for telling us. The support team will look at this answer; you can also suggest a better one with "Suggest a correction".';
}

export const correctionThanks = 'Thanks! Your suggestion was saved for the support team to review.';
