/** The "suggest a correction" modal: opened from an answer's button, submitted as a view_submission. */

export const correctionModalCallbackId = 'answer_correction';
export const correctionInput = { blockId: 'correction', actionId: 'correction_text' } as const;
/** Slack's limit for a plain-text input. */
export const correctionMaxLength = 3000;

/** What the submission needs to find the conversation and tell the person it was stored. */
export interface CorrectionModalMetadata {
  conversationId: string;
  channel: string;
  /** Thread of the answer, so the confirmation lands there. */
  threadTs?: string;
}

export function renderCorrectionModal(metadata: CorrectionModalMetadata): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: correctionModalCallbackId,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: 'Suggest a correction' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'What should the answer have said? A teammate reviews every suggestion before the bot learns from it.',
        },
      },
      {
        type: 'input',
        block_id: correctionInput.blockId,
        label: { type: 'plain_text', text: 'Correct answer' },
        element: {
          type: 'plain_text_input',
          action_id: correctionInput.actionId,
          multiline: true,
          min_length: 1,
          max_length: correctionMaxLength,
          placeholder: {
            type: 'plain_text',
            text: 'The right answer, with a link to the page that says so if you have one',
          },
        },
      },
    ],
  };
}

/** Reads the metadata back from a submission; undefined when it is not ours or is damaged. */
export function parseCorrectionMetadata(
  privateMetadata: string | undefined,
): CorrectionModalMetadata | undefined {
  if (!privateMetadata) return undefined;
  try {
    const value = JSON.parse(privateMetadata) as Partial<CorrectionModalMetadata>;
    if (typeof value.conversationId !== 'string' || typeof value.channel !== 'string') return undefined;
    return {
      conversationId: value.conversationId,
      channel: value.channel,
      ...(typeof value.threadTs === 'string' ? { threadTs: value.threadTs } : {}),
    };
  } catch {
    return undefined;
  }
}
