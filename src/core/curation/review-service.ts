/**
 * The review queue: operators read what the bot answered and approve, correct, reject or diagnose it. Approved
 * and corrected answers become training examples in the exact inference format; a changed document flags what
 * cites it as stale.
 */
import type { Config } from '../config/index.ts';
import { AnswerloopError, InputError } from '../errors/index.ts';
import { redactSecretsWithReport } from '../logging/redact-secrets.ts';
import { matchRelevant } from '../retrieval/retrieval-evaluation.ts';
import type {
  ChunkStore,
  Clock,
  ConversationQuery,
  ConversationRecord,
  ConversationStore,
  DatasetStore,
  ExampleRecord,
  Logger,
} from '../ports/index.ts';
import {
  createExampleWriter,
  type ExampleWritingStore,
  maskedSecretsWarning,
  requireReviewer,
} from './example-writing.ts';
import {
  exampleIdForConversation,
  exampleMessagesFromConversation,
  sourceDocIdsOf,
} from './inference-format-example.ts';
import { promptFromStoredSources } from './prompt-reconstruction.ts';
import {
  diagnosisHint,
  retrievalQaCase,
  retrievalQaJsonl,
  type RetrievalQaCase,
} from './retrieval-diagnosis.ts';
import type {
  ApproveInput,
  CorrectInput,
  DiagnoseInput,
  RejectInput,
  ReviewActionResult,
  ReviewDetail,
  ReviewQueueFilter,
  ReviewQueuePage,
  StaleFlagResult,
} from './types.ts';

/** The store ports the review queue uses. */
export type ReviewStore = Pick<
  ConversationStore,
  'getConversation' | 'saveConversation' | 'listConversations'
> &
  Pick<DatasetStore, 'listExamples' | 'deleteExample'> &
  ExampleWritingStore &
  Pick<ChunkStore, 'getChunks' | 'listDocuments'>;

export interface ReviewDependencies {
  config: Config;
  store: ReviewStore;
  logger: Logger;
  clock: Clock;
  /** Verified answers resting on a changed document are flagged with the conversations and examples. */
  verifiedAnswers?: { flagStale(docIds: string[]): Promise<number> };
}

export interface ReviewService {
  /** The review queue: conversations matching the filter, a page at a time. */
  listReviewQueue(filter?: ReviewQueueFilter): Promise<ReviewQueuePage>;
  /** One conversation with its diagnosis hint (retrieval scores) and the examples made from it. */
  getReviewDetail(conversationId: string): Promise<ReviewDetail>;
  /** The bot's answer is good: it becomes a training example. */
  approve(input: ApproveInput): Promise<ReviewActionResult>;
  /** The operator's answer replaces the bot's and becomes the training example. */
  correct(input: CorrectInput): Promise<ReviewActionResult>;
  /** Kept out of training: any example made from the conversation is removed. */
  reject(input: RejectInput): Promise<ReviewActionResult>;
  /** Records whether retrieval or generation failed, and the sources that should have been found. */
  diagnose(input: DiagnoseInput): Promise<ReviewActionResult>;
  /** Flags conversations and examples that cite these documents as stale. */
  flagStale(docIds: string[]): Promise<StaleFlagResult>;
  /** Questions with the sources operators attached: a retrieval QA set. */
  retrievalQaSet(): Promise<RetrievalQaCase[]>;
  /** The QA set as JSONL lines `{"question": ..., "relevant": [...]}`, the format `answerloop eval retrieval` reads. */
  formatRetrievalQaSet(cases: RetrievalQaCase[]): string;
}

const defaultPageSize = 20;
const conversationPageSize = 200;

/**
 * `until` as a date without a time (2025-03-31) takes in that whole day (UTC), as `since` does from its start and as
 * Elasticsearch reads such a bound: both ends are inclusive.
 */
function wholeDayUntil(until: string | undefined): string | undefined {
  const day = until?.trim();
  return day !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T23:59:59.999Z` : until;
}

export function createReviewService(dependencies: ReviewDependencies): ReviewService {
  const { config, store, clock, logger } = dependencies;
  const now = () => clock.now().toISOString();
  const examples = createExampleWriter(store, clock, config.curation.validationShare);

  const requireConversation = async (id: string): Promise<ConversationRecord> => {
    const conversation = await store.getConversation(id);
    if (!conversation)
      throw new AnswerloopError(
        'not_found',
        `No conversation ${id}: check the id with \`answerloop review list\`.`,
      );
    return conversation;
  };

  /** Pages through every conversation matching the query; the stores cap one page. */
  async function* allConversations(query: ConversationQuery): AsyncGenerator<ConversationRecord> {
    for (let offset = 0; ; offset += conversationPageSize) {
      const { items } = await store.listConversations({ ...query, offset, limit: conversationPageSize });
      yield* items;
      if (items.length < conversationPageSize) return;
    }
  }

  /** The example's messages; a conversation that never reached the model gets its prompt rebuilt from its passages. */
  const exampleMessagesFor = async (conversation: ConversationRecord, answer: string) => {
    if (conversation.promptMessages.length === 0 && conversation.sources.length > 0) {
      const chunks = await store.getChunks(conversation.sources.map((source) => source.chunkId));
      const prompt = promptFromStoredSources(conversation, chunks, config.answering.contextTokens);
      if (prompt) {
        return {
          messages: [...prompt, { role: 'assistant' as const, content: answer }],
          warnings: ['the conversation has no stored prompt; it was rebuilt from the passages it retrieved'],
        };
      }
    }
    return exampleMessagesFromConversation(conversation, answer);
  };

  /** Writes the example for a reviewed conversation; true when it was new or different. */
  const putConversationExample = async (
    conversation: ConversationRecord,
    dataset: string,
    answer: string,
    reviewer: string,
  ): Promise<{ example: ExampleRecord; changed: boolean; warnings: string[] }> => {
    await examples.ensureDataset(dataset);
    const id = exampleIdForConversation(dataset, conversation.id);
    const { messages, warnings } = await exampleMessagesFor(conversation, answer);
    const written = await examples.writeExample(
      {
        id,
        dataset,
        messages,
        originConversationId: conversation.id,
        sourceDocIds: sourceDocIdsOf(conversation),
      },
      reviewer,
    );
    return { ...written, warnings };
  };

  /** Saves the review fields unless they already hold these values, so repeating an action changes nothing. */
  const saveReview = async (
    conversation: ConversationRecord,
    change: Partial<ConversationRecord>,
    reviewer: string,
    exampleChanged: boolean,
  ): Promise<{ conversation: ConversationRecord; changed: boolean }> => {
    const fieldsChanged = Object.entries(change).some(
      ([key, value]) =>
        JSON.stringify(conversation[key as keyof ConversationRecord]) !== JSON.stringify(value),
    );
    if (!fieldsChanged && !exampleChanged) return { conversation, changed: false };
    const timestamp = now();
    const updated: ConversationRecord = {
      ...conversation,
      ...change,
      reviewer,
      reviewedAt: timestamp,
      updatedAt: timestamp,
    };
    await store.saveConversation(updated);
    return { conversation: updated, changed: true };
  };

  /** Approving or correcting: the example written with the answer, then the review fields saved. */
  const reviewWithExample = async (
    conversation: ConversationRecord,
    input: { reviewer: string; dataset?: string },
    answer: string,
    change: Partial<ConversationRecord>,
  ): Promise<ReviewActionResult> => {
    const dataset = input.dataset ?? config.training.dataset;
    const written = await putConversationExample(conversation, dataset, answer, input.reviewer);
    const saved = await saveReview(conversation, change, input.reviewer, written.changed);
    logger.info(
      { conversationId: conversation.id, reviewer: input.reviewer, changed: saved.changed },
      `conversation ${change.reviewStatus}`,
    );
    return {
      conversation: saved.conversation,
      example: written.example,
      changed: saved.changed,
      warnings: written.warnings,
    };
  };

  async function correct(input: CorrectInput): Promise<ReviewActionResult> {
    requireReviewer(input.reviewer);
    // Secrets are masked before the correction is stored, as they are in the questions and answers asked.
    const { text: answer, found } = redactSecretsWithReport(input.answer.trim());
    if (!answer)
      throw new InputError('A correction needs the right answer: give the text the bot should have said.');
    const conversation = await requireConversation(input.conversationId);
    const result = await reviewWithExample(conversation, input, answer, {
      reviewStatus: 'corrected',
      correctedAnswer: answer,
      correctionSource: 'operator',
      stale: false,
    });
    const masked = Object.keys(found);
    return masked.length > 0
      ? { ...result, warnings: [...result.warnings, maskedSecretsWarning('correction', masked)] }
      : result;
  }

  return {
    async listReviewQueue(filter = {}) {
      const pageSize = Math.max(1, Math.min(filter.pageSize ?? defaultPageSize, 500));
      const page = Math.max(1, Math.floor(filter.page ?? 1));
      const { items, total } = await store.listConversations({
        feedback: filter.feedback,
        reviewStatus: filter.status,
        minConfidence: filter.minConfidence,
        maxConfidence: filter.maxConfidence,
        refused: filter.refused,
        silent: filter.silent,
        channel: filter.channel,
        platform: filter.platform,
        since: filter.since,
        until: wholeDayUntil(filter.until),
        stale: filter.stale,
        order: filter.order ?? 'review',
        offset: (page - 1) * pageSize,
        limit: pageSize,
      });
      return { items, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
    },

    async getReviewDetail(conversationId) {
      const conversation = await requireConversation(conversationId);
      const examples = await store.listExamples({ originConversationId: conversationId });
      return { conversation, hint: diagnosisHint(conversation), examples };
    },

    async approve(input) {
      requireReviewer(input.reviewer);
      const conversation = await requireConversation(input.conversationId);
      if (input.acceptSuggestion) {
        if (!conversation.correctedAnswer)
          throw new InputError(`Conversation ${conversation.id} has no suggested correction to accept.`);
        return correct({
          conversationId: conversation.id,
          reviewer: input.reviewer,
          answer: conversation.correctedAnswer,
          dataset: input.dataset ?? config.training.dataset,
        });
      }
      return reviewWithExample(conversation, input, conversation.answer, {
        reviewStatus: 'approved',
        stale: false,
      });
    },

    correct,

    async reject(input) {
      requireReviewer(input.reviewer);
      const conversation = await requireConversation(input.conversationId);
      const examples = await store.listExamples({ originConversationId: conversation.id });
      for (const example of examples) await store.deleteExample(example.id);
      const saved = await saveReview(
        conversation,
        { reviewStatus: 'rejected' },
        input.reviewer,
        examples.length > 0,
      );
      logger.info(
        { conversationId: conversation.id, reviewer: input.reviewer, removedExamples: examples.length },
        'conversation rejected',
      );
      return { conversation: saved.conversation, example: null, changed: saved.changed, warnings: [] };
    },

    async diagnose(input) {
      requireReviewer(input.reviewer);
      const conversation = await requireConversation(input.conversationId);
      const expectedSources = [
        ...new Set(
          (input.expectedSources ?? conversation.expectedSources)
            .map((source) => source.trim())
            .filter(Boolean),
        ),
      ];
      const saved = await saveReview(
        conversation,
        { failureKind: input.failureKind, expectedSources },
        input.reviewer,
        false,
      );
      // A typo in a path would sit in the retrieval QA set (review qa-set) as a page no search can ever find.
      const documents = expectedSources.length > 0 ? await store.listDocuments() : [];
      const unknown = expectedSources.filter(
        (source) =>
          !documents.some((document) => matchRelevant(document, [source.replace(/^\.\//, '')]) !== undefined),
      );
      const warnings =
        unknown.length > 0
          ? [
              `${unknown.join(', ')}: no document of the knowledge base has this path, so retrieval can never find it (give paths as ingested, such as docs/slack.md, or the page's URL; \`answerloop search\` shows them)`,
            ]
          : [];
      return { conversation: saved.conversation, example: null, changed: saved.changed, warnings };
    },

    async flagStale(docIds) {
      let conversations = 0;
      let examples = 0;
      const timestamp = now();
      for (const docId of new Set(docIds)) {
        // Not filtered on `stale`: flagging moves records out of such a filter and offset paging would skip some.
        for await (const conversation of allConversations({ citedDocId: docId, order: 'oldest' })) {
          if (conversation.stale) continue;
          await store.saveConversation({ ...conversation, stale: true, updatedAt: timestamp });
          conversations += 1;
        }
        for (const example of await store.listExamples({ sourceDocId: docId, stale: false })) {
          if (example.stale) continue;
          await store.saveExample({ ...example, stale: true, updatedAt: timestamp });
          examples += 1;
        }
      }
      const verifiedAnswers = (await dependencies.verifiedAnswers?.flagStale(docIds)) ?? 0;
      if (conversations + examples > 0)
        logger.info({ docIds, conversations, examples }, 'flagged stale after a document changed');
      return { conversations, examples, verifiedAnswers };
    },

    async retrievalQaSet() {
      const cases: RetrievalQaCase[] = [];
      for await (const conversation of allConversations({ order: 'oldest' })) {
        const qaCase = retrievalQaCase(conversation);
        if (qaCase) cases.push(qaCase);
      }
      return cases;
    },

    formatRetrievalQaSet: retrievalQaJsonl,
  };
}
