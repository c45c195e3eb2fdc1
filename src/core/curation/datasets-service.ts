/**
 * The training datasets: examples written by hand or from reviews, and immutable versions made from them
 * (scrubbed, de-duplicated, split and validated), read back, validated again and exported.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { AnswerloopError, InputError } from '../errors/index.ts';
import { redactSecretsWithReport } from '../logging/redact-secrets.ts';
import type {
  ChatMessage,
  Clock,
  ConversationStore,
  DatasetStore,
  DatasetVersionRecord,
  ExampleRecord,
  Logger,
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
import { createExampleWriter, maskedSecretsWarning, requireReviewer } from './example-writing.ts';
import { answerFromMessages, exampleIdForManual, questionFromMessages } from './inference-format-example.ts';
import { scrubExamples, scrubText } from './personal-data-scrubbing.ts';
import { promptFromSearch } from './prompt-reconstruction.ts';
import { splitFor } from './train-validation-split.ts';
import type {
  AddExampleInput,
  AddExampleResult,
  DatasetSummary,
  DatasetVersionDetail,
  ExportInput,
  ExportResult,
  SnapshotInput,
  SnapshotReport,
  SnapshotResult,
} from './types.ts';

/** The store ports the datasets use: examples and versions, and a conversation's question for de-duplication. */
export type DatasetsStore = DatasetStore & Pick<ConversationStore, 'getConversation'>;

export interface DatasetsDependencies {
  config: Config;
  store: DatasetsStore;
  logger: Logger;
  clock: Clock;
  /**
   * Hybrid search as ask() runs it, so a hand-written example gets the same system prompt and numbered sources
   * as a real one. Without it hand-written examples hold the question alone.
   */
  search?: (query: string, options: SearchOptions) => Promise<SearchResult>;
}

export interface DatasetsService {
  /** An example written by hand, not from a conversation. */
  addExample(input: AddExampleInput): Promise<AddExampleResult>;
  /** Clears the stale flag of a hand-written example after checking it (conversations: approve or correct again). */
  reapproveExample(input: { exampleId: string; reviewer: string }): Promise<ExampleRecord>;
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

function contentHashOf(examples: ExampleRecord[]): string {
  const hash = createHash('sha256');
  for (const example of [...examples].sort((left, right) => left.id.localeCompare(right.id))) {
    hash.update(`${example.id}\u0000${example.split}\u0000${toOpenAiChatLine(example.messages)}\n`);
  }
  return hash.digest('hex');
}

export function createDatasetsService(dependencies: DatasetsDependencies): DatasetsService {
  const { config, store, clock, logger } = dependencies;
  const now = () => clock.now().toISOString();
  const examples = createExampleWriter(store, clock, config.curation.validationShare);
  const validationSettings = (): ValidationSettings => ({
    minExamples: config.curation.minExamples,
    recommendedExamples: config.curation.recommendedExamples,
    maxExampleTokens: config.curation.maxExampleTokens,
    epochs: config.training.epochs === 'auto' ? config.training.estimateEpochs : config.training.epochs,
    pricePerMillionTokens: config.training.pricePerMillionTokens,
  });

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

  return {
    async addExample(input) {
      requireReviewer(input.reviewer);
      // Secrets are masked before the example is stored (or the question searched), as in conversations.
      const typedQuestion = redactSecretsWithReport(input.question.trim());
      const typedAnswer = redactSecretsWithReport(input.answer.trim());
      const question = typedQuestion.text;
      const answer = typedAnswer.text;
      if (!question || !answer)
        throw new InputError('A hand-written example needs both a question and an answer.');
      const dataset = input.dataset ?? config.training.dataset;
      await examples.ensureDataset(dataset);
      const warnings: string[] = [];
      const masked = [...new Set([...Object.keys(typedQuestion.found), ...Object.keys(typedAnswer.found)])];
      if (masked.length > 0) warnings.push(maskedSecretsWarning('example', masked));
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
      const written = await examples.writeExample(
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
