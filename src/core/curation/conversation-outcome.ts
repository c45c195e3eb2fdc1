import type { ConversationRecord } from '../ports/index.ts';
import type { ReviewQueueFilter } from './types.ts';

/**
 * What the bot did with a question: answered it, refused it (an "I don't know" to someone who asked), or stayed
 * silent (nobody asked it, in a help channel or forum, and it was not sure enough: the question is left to people).
 * One meaning for the dashboard's outcome filter, `answerloop review list --answered / --refused / --silent` and the
 * marks both show.
 */
export type ConversationOutcome = 'answered' | 'refused' | 'silent';

export const conversationOutcomes: readonly ConversationOutcome[] = ['answered', 'refused', 'silent'];

export function conversationOutcome(
  record: Pick<ConversationRecord, 'refused' | 'silent'>,
): ConversationOutcome {
  if (record.silent === true) return 'silent';
  return record.refused ? 'refused' : 'answered';
}

/**
 * The review queue's filter fields for one outcome (none: every conversation). A silent record is stored refused
 * too, so 'answered' leaves it out and 'refused' asks for refusals that are not silent.
 */
export function outcomeFilter(
  outcome: ConversationOutcome | undefined,
): Pick<ReviewQueueFilter, 'refused' | 'silent'> {
  if (outcome === 'answered') return { refused: false };
  if (outcome === 'refused') return { refused: true, silent: false };
  if (outcome === 'silent') return { silent: true };
  return {};
}
