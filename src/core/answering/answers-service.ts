/**
 * The answers part of Core: asking, the conversations asked, and what people say about the answers (feedback,
 * suggested corrections). Depends on the conversation records only.
 */
import { AnswerloopError } from '../errors/index.ts';
import { redactSecrets } from '../logging/redact-secrets.ts';
import type {
  Clock,
  ConversationQuery,
  ConversationRecord,
  ConversationStore,
  Metrics,
} from '../ports/index.ts';
import type { AnsweringService } from './ask.ts';
import type { AskInput, AskOptions, AskResult } from './types.ts';

export interface AnswersService {
  ask(input: AskInput, options?: AskOptions): Promise<AskResult>;
  /** Resolves when background work (shadow answers) is done. */
  idle(): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  listConversations(query: ConversationQuery): Promise<{ items: ConversationRecord[]; total: number }>;
  recordFeedback(
    conversationId: string,
    feedback: { helpful: boolean | null; comment?: string; by?: string },
  ): Promise<ConversationRecord>;
  /** Stores a suggested answer for review; never trained on until an operator approves it. */
  suggestCorrection(
    conversationId: string,
    correction: { answer: string; by?: string; source: 'user' | 'teammate' | 'operator' },
  ): Promise<ConversationRecord>;
}

export interface AnswersDependencies {
  answering: AnsweringService;
  /** Waits for the store's start-up, so a question's latency never includes it. */
  ready: () => Promise<void>;
  /** Times and counts each answer. */
  measureAsk: (input: AskInput, ask: () => Promise<AskResult>) => Promise<AskResult>;
  conversations: Pick<ConversationStore, 'getConversation' | 'listConversations' | 'saveConversation'>;
  metrics: Metrics;
  clock: Clock;
}

export function createAnswersService({
  answering,
  ready,
  measureAsk,
  conversations,
  metrics,
  clock,
}: AnswersDependencies): AnswersService {
  const update = async (id: string, change: (record: ConversationRecord) => ConversationRecord) => {
    const record = await conversations.getConversation(id);
    if (!record) throw new AnswerloopError('not_found', `No conversation ${id}: it may have been deleted.`);
    const updated = { ...change(record), updatedAt: clock.now().toISOString() };
    await conversations.saveConversation(updated);
    return updated;
  };
  return {
    async ask(input, options = {}) {
      await ready();
      return measureAsk(input, () => answering.ask(input, options));
    },
    idle: () => answering.idle(),
    getConversation: (id) => conversations.getConversation(id),
    listConversations: (query) => conversations.listConversations(query),
    recordFeedback(id, feedback) {
      metrics.increment('feedback_total', {
        verdict: feedback.helpful === null ? 'none' : feedback.helpful ? 'helpful' : 'not_helpful',
      });
      return update(id, (record) => ({
        ...record,
        feedback: {
          helpful: feedback.helpful,
          comment:
            feedback.comment === undefined ? record.feedback?.comment : redactSecrets(feedback.comment),
          by: feedback.by,
          at: clock.now().toISOString(),
        },
      }));
    },
    suggestCorrection: (id, correction) =>
      update(id, (record) => ({
        ...record,
        // Masked as the question and answer were: a pasted key is not kept in the conversation.
        correctedAnswer: redactSecrets(correction.answer),
        correctionSource: correction.source,
        // A suggestion waits for an operator; only an operator's correction counts as reviewed.
        reviewStatus: correction.source === 'operator' ? 'corrected' : record.reviewStatus,
        reviewer: correction.source === 'operator' ? (correction.by ?? null) : record.reviewer,
        feedback: record.feedback ?? { helpful: false, by: correction.by, at: clock.now().toISOString() },
      })),
  };
}
