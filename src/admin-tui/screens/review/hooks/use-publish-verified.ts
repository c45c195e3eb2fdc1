import { useCallback } from 'react';
import type { ConversationRecord, Core } from '../../../../core/index.ts';
import { describeError, oneLine } from '../../../format/figures.ts';

/** Publishes a reviewed conversation as a verified answer and says how it went, in the queue's status line. */
export function usePublishVerified(
  core: Core,
  reviewer: string,
  report: (outcome: { notice: string } | { error: string }) => void,
) {
  return useCallback(
    async (conversation: ConversationRecord) => {
      try {
        const result = await core.verified.publish({ conversationId: conversation.id, reviewer });
        const warnings = result.warnings.length > 0 ? ` (${result.warnings.join('; ')})` : '';
        report({
          notice: result.changed
            ? `Published a verified answer for “${oneLine(conversation.question, 40)}”: asking it in other words now gets it at once${warnings}`
            : `“${oneLine(conversation.question, 40)}” is a verified answer already (no change)${warnings}`,
        });
      } catch (error) {
        report({ error: `Publishing failed: ${describeError(error)}` });
      }
    },
    [core, reviewer, report],
  );
}
