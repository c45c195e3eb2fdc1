import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { AnswerloopError, InputError } from '../errors/index.ts';
import type {
  ChatMessage,
  Clock,
  ConversationQuery,
  ConversationRecord,
  DatasetVersionRecord,
  Embedder,
  ExampleRecord,
  Logger,
  Store,
} from '../ports/index.ts';
import type { SearchOptions, SearchResult } from '../retrieval/index.ts';
import { exportJsonl, exportFormats, toOpenAiChatLine } from './dataset-export.ts';
import { assertDatasetName, formatDatasetReference, parseDatasetReference } from './dataset-reference.ts';
import {
  jsonlLines,
  validateDataset,
  validateLine,
  type ValidationReport,
  type ValidationSettings,
} from './dataset-validation.ts';
import { findDuplicates } from './duplicate-detection.ts';
import {
  answerFromMessages,
  exampleIdForConversation,
  exampleIdForManual,
  exampleMessagesFromConversation,
  questionFromMessages,
  sourceDocIdsOf,
} from './inference-format-example.ts';
import { scrubExamples, scrubText } from './personal-data-scrubbing.ts';
import {
  diagnosisHint,
  retrievalQaCase,
  retrievalQaJsonl,
  type RetrievalQaCase,
} from './retrieval-diagnosis.ts';
import { promptFromSearch, promptFromStoredSources } from './prompt-reconstruction.ts';
import { splitFor } from './train-validation-split.ts';
import type {
  AddExampleInput,
  AddExampleResult,
  ApproveInput,
  CorrectInput,
  DatasetSummary,
  DatasetVersionDetail,
  DiagnoseInput,
  ExportInput,
  ExportResult,
  RejectInput,
  ReviewActionResult,
  ReviewDetail,
  ReviewQueueFilter,
  ReviewQueuePage,
  SnapshotInput,
  SnapshotReport,
  SnapshotResult,
  StaleFlagResult,
} from './types.ts';

export interface CurationDependencies {
  config: Config;
  store: Store;
  embedder: Embedder;
  logger: Logger;
  clock: Clock;
  /**
   * Hybrid search as ask() runs it, so a hand-written example gets the same system prompt and numbered sources
   * as a real one. Without it hand-written examples hold the question alone.
   */
  search?: (query: string, options: SearchOptions) => Promise<SearchResult>;
  /** Verified answers resting on a changed document are flagged with the conversations and examples. */
  verifiedAnswers?: { flagStale(docIds: string[]): Promise<number> };
}

export interface CurationService {
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
  /** An example written by hand, not from a conversation. */
  addExample(input: AddExampleInput): Promise<AddExampleResult>;
  /** Clears the stale flag of a hand-written example after checking it (conversations: approve or correct again). */
  reapproveExample(input: { exampleId: string; reviewer: string }): Promise<ExampleRecord>;
  /** Flags conversations and examples that cite these documents as stale. */
  flagStale(docIds: string[]): Promise<StaleFlagResult>;
  /** Questions with the sources operators attached: a retrieval QA set. */
  retrievalQaSet(): Promise<RetrievalQaCase[]>;
  /** The QA set as JSONL lines `{"question": ..., "relevant": [...]}`, the format `answerloop eval retrieval` reads. */
  formatRetrievalQaSet(cases: RetrievalQaCase[]): string;
  listDatasets(): Promise<DatasetSummary[]>;
  listExamples(query?: { dataset?: string; stale?: boolean }): Promise<ExampleRecord[]>;
  /** Scrubs, de-duplicates, splits and validates the dataset's examples into a new immutable version. */
  snapshot(input: SnapshotInput): Promise<SnapshotResult>;
  /** `name@version` or `name` (newest). */
  getVersion(reference: string): Promise<DatasetVersionDetail>;
  /** Re-runs validation on a stored version, as it would be uploaded. */
  validateVersion(reference: string): Promise<ValidationReport>;
  /** Validates a JSONL file's text in the OpenAI chat format. */
  validateJsonl(text: string): ValidationReport;
  exportVersion(input: ExportInput): Promise<ExportResult>;
  /** Approved examples of the dataset that the given version does not hold (all of them without a version). */
  countNewExamples(dataset: string, sinceReference: string | null): Promise<number>;
}

const defaultPageSize = 20;
const conversationPageSize = 200;

function contentHashOf(examples: ExampleRecord[]): string {
  const hash = createHash('sha256');
  for (const example of [...examples].sort((left, right) => left.id.localeCompare(right.id))) {
    hash.update(`${example.id}\u0000${example.split}\u0000${toOpenAiChatLine(example.messages)}\n`);
  }
  return hash.digest('hex');
}

export function createCurationService(dependencies: CurationDependencies): CurationService {
  const { config, store, clock, logger } = dependencies;
  const now = () => clock.now().toISOString();
  const validationSettings = (): ValidationSettings => ({
    minExamples: config.curation.minExamples,
    recommendedExamples: config.curation.recommendedExamples,
    maxExampleTokens: config.curation.maxExampleTokens,
    epochs: config.training.epochs === 'auto' ? config.training.estimateEpochs : config.training.epochs,
    pricePerMillionTokens: config.training.pricePerMillionTokens,
  });

  const requireConversation = async (id: string): Promise<ConversationRecord> => {
    const conversation = await store.getConversation(id);
    if (!conversation)
      throw new AnswerloopError(
        'not_found',
        `No conversation ${id}: check the id with \`answerloop review list\`.`,
      );
    return conversation;
  };

  const requireReviewer = (reviewer: string) => {
    if (!reviewer.trim()) throw new InputError('Say who reviews: every review action records its reviewer.');
  };

  const ensureDataset = async (name: string) => {
    assertDatasetName(name);
    const existing = await store.listDatasets();
    if (!existing.some((dataset) => dataset.name === name)) {
      await store.saveDataset({ name, description: '', createdAt: now() });
    }
  };

  /** Pages through every conversation matching the query; the stores cap one page. */
  async function* allConversations(query: ConversationQuery): AsyncGenerator<ConversationRecord> {
    for (let offset = 0; ; offset += conversationPageSize) {
      const { items } = await store.listConversations({ ...query, offset, limit: conversationPageSize });
      yield* items;
      if (items.length < conversationPageSize) return;
    }
  }

  const sameMessages = (left: ChatMessage[], right: ChatMessage[]) =>
    toOpenAiChatLine(left) === toOpenAiChatLine(right);

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

  /**
   * Saves an example unless the same messages are already stored and fresh, so repeating an action changes
   * nothing; a rewrite keeps who created it and when, and clears the stale flag.
   */
  const writeExample = async (
    fields: Pick<ExampleRecord, 'id' | 'dataset' | 'messages' | 'originConversationId' | 'sourceDocIds'>,
    reviewer: string,
  ): Promise<{ example: ExampleRecord; changed: boolean }> => {
    const existing = await store.getExample(fields.id);
    if (existing && !existing.stale && sameMessages(existing.messages, fields.messages))
      return { example: existing, changed: false };
    const timestamp = now();
    const example: ExampleRecord = {
      ...fields,
      split: splitFor(fields.id, config.curation.validationShare),
      stale: false,
      createdBy: existing?.createdBy ?? reviewer,
      createdAt: existing?.createdAt ?? timestamp,
      updatedAt: timestamp,
    };
    await store.saveExample(example);
    return { example, changed: true };
  };

  /** Writes the example for a reviewed conversation; true when it was new or different. */
  const putConversationExample = async (
    conversation: ConversationRecord,
    dataset: string,
    answer: string,
    reviewer: string,
  ): Promise<{ example: ExampleRecord; changed: boolean; warnings: string[] }> => {
    await ensureDataset(dataset);
    const id = exampleIdForConversation(dataset, conversation.id);
    const { messages, warnings } = await exampleMessagesFor(conversation, answer);
    const written = await writeExample(
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

  const resolveVersion = async (reference: string): Promise<DatasetVersionRecord> => {
    const parsed = parseDatasetReference(reference);
    if (parsed.version === 'latest') {
      const [newest] = await store.listDatasetVersions(parsed.dataset);
      if (!newest) {
        throw new AnswerloopError(
          'not_found',
          `Dataset ${parsed.dataset} has no version yet: run \`answerloop dataset snapshot ${parsed.dataset}\`.`,
        );
      }
      // Listings may omit example bodies; read the full version.
      return (await store.getDatasetVersion(parsed.dataset, newest.version)) ?? newest;
    }
    const version = await store.getDatasetVersion(parsed.dataset, parsed.version);
    if (!version) {
      throw new AnswerloopError(
        'not_found',
        `No version ${parsed.version} of dataset ${parsed.dataset}: see \`answerloop dataset list\`.`,
      );
    }
    return version;
  };

  const questionFor = async (example: ExampleRecord): Promise<string> => {
    if (example.originConversationId) {
      const conversation = await store.getConversation(example.originConversationId);
      if (conversation)
        return scrubText(conversation.standaloneQuestion || conversation.question, {
          allowList: config.curation.scrubAllowList,
        }).text;
    }
    return questionFromMessages(example.messages);
  };

  async function correct(input: CorrectInput): Promise<ReviewActionResult> {
    requireReviewer(input.reviewer);
    const answer = input.answer.trim();
    if (!answer)
      throw new InputError('A correction needs the right answer: give the text the bot should have said.');
    const conversation = await requireConversation(input.conversationId);
    const dataset = input.dataset ?? config.training.dataset;
    const written = await putConversationExample(conversation, dataset, answer, input.reviewer);
    const saved = await saveReview(
      conversation,
      { reviewStatus: 'corrected', correctedAnswer: answer, correctionSource: 'operator', stale: false },
      input.reviewer,
      written.changed,
    );
    logger.info(
      { conversationId: conversation.id, reviewer: input.reviewer, changed: saved.changed },
      'conversation corrected',
    );
    return {
      conversation: saved.conversation,
      example: written.example,
      changed: saved.changed,
      warnings: written.warnings,
    };
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
        channel: filter.channel,
        platform: filter.platform,
        since: filter.since,
        until: filter.until,
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
      const dataset = input.dataset ?? config.training.dataset;
      if (input.acceptSuggestion) {
        if (!conversation.correctedAnswer)
          throw new InputError(`Conversation ${conversation.id} has no suggested correction to accept.`);
        return correct({
          conversationId: conversation.id,
          reviewer: input.reviewer,
          answer: conversation.correctedAnswer,
          dataset,
        });
      }
      const written = await putConversationExample(
        conversation,
        dataset,
        conversation.answer,
        input.reviewer,
      );
      const saved = await saveReview(
        conversation,
        { reviewStatus: 'approved', stale: false },
        input.reviewer,
        written.changed,
      );
      logger.info(
        { conversationId: conversation.id, reviewer: input.reviewer, changed: saved.changed },
        'conversation approved',
      );
      return {
        conversation: saved.conversation,
        example: written.example,
        changed: saved.changed,
        warnings: written.warnings,
      };
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
      return { conversation: saved.conversation, example: null, changed: saved.changed, warnings: [] };
    },

    async addExample(input) {
      requireReviewer(input.reviewer);
      const question = input.question.trim();
      const answer = input.answer.trim();
      if (!question || !answer)
        throw new InputError('A hand-written example needs both a question and an answer.');
      const dataset = input.dataset ?? config.training.dataset;
      await ensureDataset(dataset);
      const warnings: string[] = [];
      let prompt = input.promptMessages;
      let sourceDocIds = input.sourceDocIds ?? [];
      if (!prompt && dependencies.search) {
        const found = await dependencies.search(question, { k: config.retrieval.k });
        if (found.hits.length > 0) {
          const prepared = promptFromSearch(question, found, config.answering.contextTokens);
          prompt = prepared.messages;
          sourceDocIds = input.sourceDocIds ?? prepared.sourceDocIds;
        }
      }
      if (!prompt) {
        prompt = [{ role: 'user', content: question }];
        warnings.push(
          'no passage was found for the question, so the example holds the question without sources',
        );
      }
      if (prompt.at(-1)?.role !== 'user')
        throw new InputError('The prompt of an example must end with the user turn.');
      const messages: ChatMessage[] = [...prompt, { role: 'assistant', content: answer }];
      const id = exampleIdForManual(dataset, question, answer);
      const written = await writeExample(
        { id, dataset, messages, originConversationId: null, sourceDocIds },
        input.reviewer,
      );
      return { ...written, warnings };
    },

    async reapproveExample(input) {
      requireReviewer(input.reviewer);
      const example = await store.getExample(input.exampleId);
      if (!example) throw new AnswerloopError('not_found', `No example ${input.exampleId}.`);
      if (!example.stale) return example;
      const updated = { ...example, stale: false, updatedAt: now() };
      await store.saveExample(updated);
      return updated;
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

    async listDatasets() {
      const datasets = await store.listDatasets();
      const summaries: DatasetSummary[] = [];
      const names = new Set(datasets.map((dataset) => dataset.name));
      names.add(config.training.dataset);
      for (const name of [...names].sort()) {
        const record = datasets.find((dataset) => dataset.name === name);
        const examples = await store.listExamples({ dataset: name });
        const versions = await store.listDatasetVersions(name);
        if (!record && examples.length === 0 && versions.length === 0) continue;
        summaries.push({
          name,
          description: record?.description ?? '',
          createdAt: record?.createdAt ?? null,
          examples: examples.length,
          staleExamples: examples.filter((example) => example.stale).length,
          versions: versions.length,
          latestVersion: versions.reduce<number | null>(
            (latest, version) => Math.max(latest ?? 0, version.version),
            null,
          ),
        });
      }
      return summaries;
    },

    listExamples: (query = {}) => store.listExamples(query),

    async snapshot(input) {
      requireReviewer(input.createdBy);
      const dataset = input.dataset ?? config.training.dataset;
      assertDatasetName(dataset);
      const progress = input.onProgress ?? (() => {});
      const all = (await store.listExamples({ dataset })).sort(
        (left, right) => left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id),
      );
      if (all.length === 0) {
        throw new InputError(
          `Dataset ${dataset} has no examples yet: approve or correct conversations with \`answerloop review\` first.`,
        );
      }
      progress({ stage: 'loading', done: all.length, total: all.length });
      const staleExcluded = all.filter((example) => example.stale).map((example) => example.id);
      const fresh = all.filter((example) => !example.stale);

      progress({ stage: 'scrubbing', done: 0, total: fresh.length });
      const scrubbed = scrubExamples(fresh, { allowList: config.curation.scrubAllowList });
      progress({ stage: 'scrubbing', done: fresh.length, total: fresh.length });

      progress({ stage: 'deduplicating', done: 0, total: fresh.length });
      const candidates = [];
      for (const example of scrubbed.examples) {
        candidates.push({
          id: example.id,
          question: await questionFor(example),
          answer: answerFromMessages(example.messages),
        });
      }
      const duplicates = findDuplicates(candidates, config.curation.nearDuplicateThreshold);
      const keptIds = new Set(duplicates.keptIds);
      progress({ stage: 'deduplicating', done: fresh.length, total: fresh.length });

      progress({ stage: 'validating', done: 0, total: keptIds.size });
      const settings = validationSettings();
      const invalid: SnapshotReport['invalid'] = [];
      const included: ExampleRecord[] = [];
      for (const example of scrubbed.examples) {
        if (!keptIds.has(example.id)) continue;
        const split = splitFor(example.id, config.curation.validationShare);
        const { issues } = validateLine(
          { text: toOpenAiChatLine(example.messages), exampleId: example.id, split },
          included.length + invalid.length + 1,
          settings,
        );
        if (issues.length > 0) invalid.push({ exampleId: example.id, problems: issues });
        else included.push({ ...example, split });
      }
      const validation = validateDataset(
        included.map((example) => ({
          text: toOpenAiChatLine(example.messages),
          exampleId: example.id,
          split: example.split,
        })),
        settings,
      );
      progress({ stage: 'validating', done: keptIds.size, total: keptIds.size });

      const contentHash = contentHashOf(included);
      const [newest] = await store.listDatasetVersions(dataset);
      if (newest && (newest.report as Partial<SnapshotReport>).contentHash === contentHash) {
        const existing = (await store.getDatasetVersion(dataset, newest.version)) ?? newest;
        return {
          reference: formatDatasetReference(dataset, existing.version),
          version: existing,
          report: existing.report as unknown as SnapshotReport,
          created: false,
        };
      }

      progress({ stage: 'saving', done: 0, total: 1 });
      // Versions are immutable; if another snapshot took the number meanwhile, take the next one.
      for (let attempt = 0; ; attempt += 1) {
        const versions = await store.listDatasetVersions(dataset);
        const number = versions.reduce((latest, version) => Math.max(latest, version.version), 0) + 1;
        const report: SnapshotReport = {
          dataset,
          version: number,
          examplesConsidered: all.length,
          staleExcluded,
          scrub: scrubbed.report,
          duplicates: duplicates.dropped,
          invalid,
          validation,
          contentHash,
        };
        const version: DatasetVersionRecord = {
          dataset,
          version: number,
          createdAt: now(),
          createdBy: input.createdBy,
          examples: included,
          report: report as unknown as Record<string, unknown>,
        };
        try {
          await store.saveDatasetVersion(version);
        } catch (error) {
          if (attempt < 3 && AnswerloopError.is(error) && error.code === 'conflict') continue;
          throw error;
        }
        progress({ stage: 'saving', done: 1, total: 1 });
        logger.info(
          { dataset, version: number, examples: included.length, valid: validation.valid },
          'dataset snapshot saved',
        );
        return { reference: formatDatasetReference(dataset, number), version, report, created: true };
      }
    },

    async getVersion(reference) {
      const version = await resolveVersion(reference);
      const report = (version.report as Partial<SnapshotReport>).contentHash
        ? (version.report as unknown as SnapshotReport)
        : null;
      return {
        reference: formatDatasetReference(version.dataset, version.version),
        version,
        report,
        trainExamples: version.examples.filter((example) => example.split === 'train').length,
        validationExamples: version.examples.filter((example) => example.split === 'validation').length,
      };
    },

    async validateVersion(reference) {
      const version = await resolveVersion(reference);
      return validateDataset(
        version.examples.map((example) => ({
          text: toOpenAiChatLine(example.messages),
          exampleId: example.id,
          split: example.split,
        })),
        validationSettings(),
      );
    },

    validateJsonl(text) {
      return validateDataset(jsonlLines(text), validationSettings());
    },

    async exportVersion(input) {
      if (!exportFormats.includes(input.format)) {
        throw new InputError(
          `Unknown export format ${JSON.stringify(input.format)}: use one of ${exportFormats.join(', ')}.`,
        );
      }
      const version = await resolveVersion(input.reference);
      const train = version.examples.filter((example) => example.split === 'train');
      const validation = version.examples.filter((example) => example.split === 'validation');
      return {
        reference: formatDatasetReference(version.dataset, version.version),
        format: input.format,
        train: exportJsonl(train, input.format),
        validation: exportJsonl(validation, input.format),
        counts: { train: train.length, validation: validation.length },
      };
    },

    async countNewExamples(dataset, sinceReference) {
      const current = (await store.listExamples({ dataset })).filter((example) => !example.stale);
      if (!sinceReference) return current.length;
      const since = await resolveVersion(sinceReference);
      const trainedIds = new Set(since.examples.map((example) => example.id));
      return current.filter((example) => !trainedIds.has(example.id)).length;
    },
  };
}
