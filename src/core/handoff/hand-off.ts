import { hashUserId } from '../answering/ask.ts';
import { AnswerloopError } from '../errors/index.ts';
import type { Clock, ConversationRecord, Metrics, Platform, Store } from '../ports/index.ts';

export type HandOffStart =
  /** This click hands the question over: post it to the escalation place, then call finish(). */
  | { status: 'started'; conversation: ConversationRecord }
  /** Handed over already (a second click, a duplicate delivery) or being handed over right now. */
  | { status: 'already'; conversation: ConversationRecord }
  | { status: 'not_found' };

export interface HandOff {
  /** The first of several clicks wins; the others hear it is on its way. */
  start(conversationId: string, by: { platform: Platform; userId: string }): Promise<HandOffStart>;
  /** The escalation post went out: the conversation shows as handed off (review queue, resolution figures). */
  finish(
    conversationId: string,
    handedOff: { platform: Platform; userId: string; place: string },
  ): Promise<ConversationRecord>;
  /** The escalation post failed: a later click may try again. */
  fail(conversationId: string, platform: Platform, reason: string): Promise<void>;
}

export interface HandOffDependencies {
  /** Waits for its own start-up. */
  store: Store;
  clock: Clock;
  metrics: Metrics;
}

const namespace = 'handoff';
const failedMark = 'failed';

/**
 * Handing a question to a person: exactly once per conversation across clicks, redeliveries and replicas (the
 * store's putIfAbsent decides), marked on the conversation record once the escalation post is out.
 */
export function createHandOff({ store, clock, metrics }: HandOffDependencies): HandOff {
  const load = async (id: string) => {
    return store.getConversation(id);
  };
  return {
    async start(conversationId, by) {
      const conversation = await load(conversationId);
      if (!conversation) {
        metrics.increment('handoffs_total', { platform: by.platform, outcome: 'not_found' });
        return { status: 'not_found' };
      }
      if (conversation.handoff) {
        metrics.increment('handoffs_total', { platform: by.platform, outcome: 'already' });
        return { status: 'already', conversation };
      }
      const mark = `${clock.now().toISOString()} ${hashUserId(by.platform, by.userId)}`;
      let first = await store.putIfAbsent(namespace, conversationId, mark);
      // A hand-off whose post failed may be tried again. Two retries racing may both post: rare, and harmless.
      if (!first && (await store.getValue(namespace, conversationId)) === failedMark) {
        await store.setValue(namespace, conversationId, mark);
        first = true;
      }
      if (!first) {
        metrics.increment('handoffs_total', { platform: by.platform, outcome: 'already' });
        return { status: 'already', conversation };
      }
      return { status: 'started', conversation };
    },
    async finish(conversationId, handedOff) {
      const conversation = await load(conversationId);
      if (!conversation)
        throw new AnswerloopError(
          'not_found',
          `No conversation ${conversationId}: it may have been deleted.`,
        );
      const now = clock.now().toISOString();
      const updated: ConversationRecord = {
        ...conversation,
        handoff: { at: now, by: hashUserId(handedOff.platform, handedOff.userId), place: handedOff.place },
        updatedAt: now,
      };
      await store.saveConversation(updated);
      metrics.increment('handoffs_total', { platform: handedOff.platform, outcome: 'handed_off' });
      return updated;
    },
    async fail(conversationId, platform, reason) {
      await store.setValue(namespace, conversationId, failedMark);
      metrics.increment('handoffs_total', { platform, outcome: reason });
    },
  };
}
