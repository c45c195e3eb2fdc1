import path from 'node:path';
import { createElasticsearchStore } from './adapters/elasticsearch/index.ts';
import { createLocalEmbedder } from './adapters/local-embedder/index.ts';
import { createExtractiveChatModel } from './answering/extractive-answerer.ts';
import {
  createOpenAiChatModel,
  createOpenAiEmbedder,
  createOpenAiFineTuner,
} from './adapters/openai/index.ts';
import { createSqliteStore } from './adapters/sqlite/index.ts';
import { createAnsweringService } from './answering/index.ts';
import { sufficiencyJudge } from './answering/sufficiency.ts';
import { createLocalChatModel, localModelName } from './adapters/local-llm/index.ts';
import type { AskInput, AskOptions, AskResult } from './answering/types.ts';
import type { Config } from './config/index.ts';
import { resolveConfigPath } from './config/index.ts';
import { createPrometheusMetrics } from './adapters/prometheus/index.ts';
import { createCoordinationService, type CoordinationService } from './coordination/index.ts';
import { createCurationService, type CurationService } from './curation/index.ts';
import { createVerifiedAnswerService, type VerifiedAnswerService } from './curation/verified-answers.ts';
import { AnswerloopError } from './errors/index.ts';
import { createHandOff, type HandOff } from './handoff/hand-off.ts';
import {
  createInsightsService,
  createKnowledgeGaps,
  createDocsProposals,
  createResolutionFigures,
  type InsightsService,
} from './insights/index.ts';
import { createResolutionGauges } from './metrics/resolution-gauges.ts';
import {
  createSource,
  createSourceSync,
  groupLocations,
  type IngestOptions,
  type IngestReport,
  ingestSource,
  type KnowledgeSource,
  mergeIngestReports,
  type SourceChoices,
  type SourceSettings,
  type SourceSync,
  type SyncLease,
} from './knowledge/index.ts';
import { createLogger } from './logging/create-logger.ts';
import {
  countChatModelErrors,
  createActiveModelGauge,
  createAskMetrics,
  timeRetrieval,
} from './metrics/answer-metrics.ts';
import {
  type ChatModel,
  type Clock,
  type ConversationQuery,
  type ConversationRecord,
  type Embedder,
  type FineTuner,
  type Logger,
  type Metrics,
  type Store,
  type StoreHealth,
  systemClock,
} from './ports/index.ts';
import { search, type SearchOptions, type SearchResult } from './retrieval/index.ts';
import {
  evaluateRetrieval,
  type QaItem,
  type RetrievalEvaluation,
  type RetrievalEvaluationOptions,
} from './retrieval/retrieval-evaluation.ts';
import { createThreadMemory, type ThreadMemory } from './threads/thread-memory.ts';
import { createTrainingService, type TrainingService } from './training/index.ts';
import { createTrainingSchedule, type TrainingSchedule } from './training/training-schedule.ts';
import { type AnswerQualityEvaluation, evaluateAnswers } from './evaluation/answer-quality.ts';
import { calibrateRefusal, type RefusalCalibration } from './evaluation/refusal-calibration.ts';

export interface CreateCoreOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** Seams for tests and embedding programs: replace an adapter the configuration would pick. */
  store?: Store;
  embedder?: Embedder;
  chatModel?: ChatModel;
  fineTuner?: FineTuner;
  /** Where the process's operational figures go; one Prometheus registry per core by default. */
  metrics?: Metrics;
  /** Print warnings on stderr too (the CLI). */
  logToStderr?: boolean;
  /** Who may sync a source when several processes share the store; one process on its own by default. */
  syncLease?: SyncLease;
}

export interface Core {
  readonly config: Config;
  readonly logger: Logger;
  /** 'openai' or 'local' when answers come from a chat model, 'offline' for extractive answers. */
  readonly answerMode: 'openai' | 'local' | 'offline';
  /** Files and folders, websites (`https://...`) and git repositories (`git+https://...#ref:folder/`). */
  ingest(locations: string[], options?: IngestOptions & SourceChoices): Promise<IngestReport>;
  /** The sources of `knowledge.sources`: listed, synced on demand, kept fresh in the background. */
  readonly sources: SourceSync;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  /** Scores search on a QA set (Recall@k, MRR, nDCG@k per mode), against the knowledge base as it is. */
  evaluateRetrieval(qa: QaItem[], options: RetrievalEvaluationOptions): Promise<RetrievalEvaluation>;
  ask(input: AskInput, options?: AskOptions): Promise<AskResult>;
  /** Runs ask() on every question of a QA set (no conversation logged) and scores refusals, citations and answers. */
  evaluateAnswers(qa: QaItem[]): Promise<AnswerQualityEvaluation>;
  /**
   * Fits the refusal threshold (and with `fit`, the answerability model) for a target share of answerable
   * questions kept, from the answers' retrieval facts on QA sets.
   */
  calibrateRefusal(
    qa: QaItem[],
    options: { targetKept: number; fit?: boolean },
  ): Promise<{ calibration: RefusalCalibration; evaluation: AnswerQualityEvaluation }>;
  recordFeedback(
    conversationId: string,
    feedback: { helpful: boolean | null; comment?: string; by?: string },
  ): Promise<ConversationRecord>;
  /** Stores a suggested answer for review; never trained on until an operator approves it. */
  suggestCorrection(
    conversationId: string,
    correction: { answer: string; by?: string; source: 'user' | 'teammate' | 'operator' },
  ): Promise<ConversationRecord>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  listConversations(query: ConversationQuery): Promise<{ items: ConversationRecord[]; total: number }>;
  /** True the first time a platform event id is seen, false on every retry or duplicate (durable). */
  claimEvent(platform: string, eventId: string): Promise<boolean>;
  /**
   * Installations of the app into a platform's workspaces (Slack's OAuth distribution), as the platform SDK's
   * JSON, tokens included: kept in the store, never logged.
   */
  readonly installations: {
    get(platform: string, id: string): Promise<string | undefined>;
    save(platform: string, id: string, json: string): Promise<void>;
    remove(platform: string, id: string): Promise<void>;
  };
  knowledgeCounts(): Promise<{ documents: number; chunks: number }>;
  storeHealth(): Promise<StoreHealth>;
  /** Embeds one text: proves the embedder loads and says how fast. */
  checkEmbedder(): Promise<{ id: string; dimensions: number; ms: number }>;
  /** A one-token live call to the active chat model (costs a fraction of a cent). */
  checkOpenAi(): Promise<{ model: string; ms: number }>;
  /** answering.mode local: loads the runtime and the model, generates a few tokens, says how fast. */
  checkLocalModel(): Promise<{ model: string; ms: number; threads: number }>;
  /** Resolves when background work (shadow answers) is done. */
  idle(): Promise<void>;
  readonly curation: CurationService;
  /** Answers the support team verified: published from reviews, found like passages, given as they stand. */
  readonly verified: VerifiedAnswerService;
  readonly training: TrainingService;
  /** The learning loop as background work: watching jobs, the retraining policy, scheduled evaluation. */
  readonly trainingSchedule: TrainingSchedule;
  /** Figures for the operator dashboard's Overview. */
  readonly insights: InsightsService;
  /** Claims on deliveries and leases on background work, shared by every replica on the store. */
  readonly coordination: CoordinationService;
  /** Operational figures (Prometheus) that faces add to and the ops server exposes. */
  readonly metrics: Metrics;
  /** The messages of the bot's threads, kept so follow-ups need no history read; people following up. */
  readonly threads: ThreadMemory;
  /** Handing a question to a person (the answer's button), once per conversation. */
  readonly handOff: HandOff;
  /**
   * The Prometheus text of `metrics`, with the active model read from the store first when answers come from
   * OpenAI: a promotion or rollback in any process shows within seconds, before the next question.
   */
  renderMetrics(): Promise<{ contentType: string; text: string }>;
  /** Opens the store with everything it keeps created and ready to serve: a process about to take traffic calls it. */
  prepareToServe(): Promise<void>;
  close(): Promise<void>;
}

function openStore(config: Config, logger: Logger): Store {
  if (config.store.kind === 'elasticsearch') {
    const settings = config.store.elasticsearch;
    return createElasticsearchStore({
      url: settings.url,
      apiKey: config.secrets.elasticsearchApiKey,
      username: config.secrets.elasticsearchUsername,
      password: config.secrets.elasticsearchPassword,
      caFingerprint: settings.caFingerprint || undefined,
      indexPrefix: settings.indexPrefix,
      analyzer: settings.analyzer,
      requestTimeoutMs: settings.requestTimeoutMs,
      maxRetries: settings.maxRetries,
      bulkSize: settings.bulkSize,
      logger: logger.child({ component: 'elasticsearch' }),
    });
  }
  return createSqliteStore({
    file: path.join(resolveConfigPath(config, config.dataDir), config.store.embedded.file),
    logger: logger.child({ component: 'sqlite' }),
  });
}

function openEmbedder(config: Config, logger: Logger): Embedder {
  if (config.embedder.kind === 'openai') {
    if (!config.secrets.openaiApiKey) {
      throw new AnswerloopError(
        'config_invalid',
        'embedder.kind is openai but OPENAI_API_KEY is not set: set it, or use embedder.kind: local.',
      );
    }
    return createOpenAiEmbedder({
      apiKey: config.secrets.openaiApiKey,
      baseUrl: config.openai.baseUrl || undefined,
      model: config.embedder.openai.model,
      dimensions: config.embedder.openai.dimensions,
      batchSize: config.embedder.openai.batchSize,
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
      logger: logger.child({ component: 'openai-embedder' }),
    });
  }
  const local = config.embedder.local;
  return createLocalEmbedder({
    model: local.model,
    modelDir: resolveConfigPath(config, local.modelDir),
    allowRemote: local.allowRemote,
    dtype: local.dtype,
    dimensions: local.dimensions,
    logger: logger.child({ component: 'local-embedder' }),
  });
}

function openAiAvailable(config: Config): boolean {
  return Boolean(config.secrets.openaiApiKey);
}

function requireOpenAi(config: Config, what: string): { apiKey: string; baseUrl?: string } {
  if (!config.secrets.openaiApiKey) {
    throw new AnswerloopError(
      'config_invalid',
      `${what} needs OpenAI: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server).`,
    );
  }
  return { apiKey: config.secrets.openaiApiKey, baseUrl: config.openai.baseUrl || undefined };
}

/** The composition root: configuration in, adapters chosen, services wired. The only importer of adapters. */
export function createCore(options: CreateCoreOptions): Core {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      file: config.logFile ? path.join(resolveConfigPath(config, config.dataDir), config.logFile) : '',
      stderr: options.logToStderr ?? false,
    });
  const store = options.store ?? openStore(config, logger);
  const metrics = options.metrics ?? createPrometheusMetrics();
  const showActiveModel = createActiveModelGauge(metrics);
  const measureAsk = createAskMetrics(metrics, showActiveModel);
  const embedder = options.embedder ?? openEmbedder(config, logger);

  const answerMode: 'openai' | 'local' | 'offline' =
    config.answering.mode === 'offline' || config.answering.mode === 'local'
      ? config.answering.mode
      : config.answering.mode === 'openai' || openAiAvailable(config) || options.chatModel
        ? 'openai'
        : 'offline';
  const localModel =
    answerMode === 'local'
      ? createLocalChatModel({
          ...config.answering.local,
          modelPath: resolveConfigPath(config, config.answering.local.modelPath),
          logger: logger.child({ component: 'local-model' }),
        })
      : undefined;
  if (config.answering.mode === 'openai' && !openAiAvailable(config) && !options.chatModel) {
    throw new AnswerloopError(
      'config_invalid',
      'answering.mode is openai but OPENAI_API_KEY is not set: set it, or use answering.mode: auto.',
    );
  }

  let openAiChatModel: ChatModel | undefined = options.chatModel;
  const chatModel = (): ChatModel => {
    openAiChatModel ??= createOpenAiChatModel({
      ...requireOpenAi(config, 'A chat model'),
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
      logger: logger.child({ component: 'openai-chat' }),
    });
    return openAiChatModel;
  };
  let openAiFineTuner: FineTuner | undefined = options.fineTuner;
  const fineTuner = (): FineTuner => {
    openAiFineTuner ??= createOpenAiFineTuner({
      ...requireOpenAi(config, 'Fine-tuning'),
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
      logger: logger.child({ component: 'openai-fine-tuning' }),
    });
    return openAiFineTuner;
  };

  let initialised: Promise<void> | undefined;
  const ready = () => {
    initialised ??= store
      .init({ embedderId: embedder.id, dimensions: embedder.dimensions })
      .catch((error: unknown) => {
        initialised = undefined;
        throw error;
      });
    return initialised;
  };

  const searchDependencies = { store, embedder, settings: config.retrieval };
  const verified: VerifiedAnswerService = createVerifiedAnswerService({
    config,
    store,
    embedder,
    logger: logger.child({ component: 'verified-answers' }),
    clock,
    ready,
    // Conversations that cited a verified answer which changed are stale like those citing a changed page.
    documentsChanged: (docIds) => curation.flagStale(docIds),
  });
  const curation = createCurationService({
    verifiedAnswers: verified,
    config,
    store,
    embedder,
    logger: logger.child({ component: 'curation' }),
    clock,
    // Hand-written examples get their numbered sources the way ask() does.
    search: async (query, searchOptions) => {
      await ready();
      return search(query, searchOptions, searchDependencies);
    },
  });
  const training = createTrainingService({
    config,
    store,
    fineTuner,
    chatModel,
    embedder,
    logger: logger.child({ component: 'training' }),
    clock,
    curation,
  });
  const answering = createAnsweringService({
    config,
    store,
    search: (query, searchOptions) =>
      timeRetrieval(metrics, () => search(query, searchOptions, searchDependencies)),
    // Everything answering embeds is waited on by a person: ahead of an ingest running in the same process.
    embed: (texts) => embedder.embed(texts, { priority: 'interactive' }),
    chatModel: localModel
      ? () => countChatModelErrors(localModel, metrics)
      : answerMode === 'openai'
        ? () => countChatModelErrors(chatModel(), metrics)
        : undefined,
    judge: sufficiencyJudge(config.answering.sufficiency.enabled, answerMode, () =>
      localModel
        ? { model: countChatModelErrors(localModel, metrics), name: localModelName(localModel.modelPath) }
        : { model: countChatModelErrors(chatModel(), metrics), name: config.openai.chatModel },
    ),
    ...(localModel ? { generation: config.answering.local } : {}),
    offlineModel: createExtractiveChatModel({
      ...config.answering.extractive,
      embedder,
      logger: logger.child({ component: 'extractive' }),
    }),
    verifiedAnswers: verified,
    activeModel: localModel
      ? () => Promise.resolve(localModelName(localModel.modelPath))
      : () => training.activeModel(),
    logger: logger.child({ component: 'answering' }),
    clock,
  });

  const coordination = createCoordinationService({
    store,
    clock,
    logger: logger.child({ component: 'coordination' }),
    metrics,
    claims: {
      ttlMs: config.coordination.claimTtlMs,
      retentionMs: config.coordination.claimRetentionHours * 3_600_000,
      maxAttempts: config.coordination.maxAttempts,
    },
  });

  const trainingSchedule = createTrainingSchedule({
    config,
    store,
    training,
    clock,
    logger: logger.child({ component: 'training-schedule' }),
    metrics,
    replicaId: coordination.replicaId,
  });

  const gaps = createKnowledgeGaps({
    ...{ config, store, embedder, clock, ready, verified, logger: logger.child({ component: 'insights' }) },
    search: (query, searchOptions) => search(query, searchOptions, searchDependencies),
    chatModel: answerMode === 'openai' ? chatModel : undefined,
  });
  const insights: InsightsService = {
    ...createInsightsService({ store, clock, activeModel: () => training.activeModel(), ready, answerMode }),
    ...gaps,
    ...createResolutionFigures({ config, store, clock, ready }),
    ...createDocsProposals({
      ...{ config, gaps, verified, dataDir: resolveConfigPath(config, config.dataDir) },
      chatModel: answerMode === 'openai' ? chatModel : undefined,
      logger: logger.child({ component: 'docs-proposals' }),
    }),
  };
  const showResolution = createResolutionGauges(metrics, insights.resolution, logger);

  // Knowledge sources: every one goes through the same pipeline, then the answers and examples citing what changed
  // are flagged stale.
  const sourceSettings: SourceSettings = {
    rootDir: config.rootDir,
    dataDir: resolveConfigPath(config, config.dataDir),
    extensions: config.knowledge.extensions,
    web: config.knowledge.web,
    git: config.knowledge.git,
  };
  const ingestKnowledge = async (
    source: KnowledgeSource,
    ingestOptions: IngestOptions,
  ): Promise<IngestReport> => {
    const report = await ingestSource(source, ingestOptions, {
      store,
      embedder,
      settings: config.knowledge,
      logger: logger.child({ component: 'ingest' }),
      clock,
      rootDir: config.rootDir,
    });
    if (report.changedDocIds.length > 0) await curation.flagStale(report.changedDocIds);
    return report;
  };
  const sourceSync = createSourceSync({
    sources: config.knowledge.sources,
    createSource: (source) => createSource([source.location], source, sourceSettings),
    ingest: ingestKnowledge,
    store,
    // The store's leases: with several processes on one store, one of them syncs a given source at a time.
    lease: options.syncLease ?? coordination.leases,
    logger: logger.child({ component: 'source-sync' }),
    clock,
    metrics,
    ready,
  });

  const answerQuality = (qa: QaItem[]) =>
    evaluateAnswers(qa, { ask: (input, askOptions) => answering.ask(input, askOptions ?? {}), embedder });

  const updateConversation = async (
    id: string,
    change: (record: ConversationRecord) => ConversationRecord,
  ) => {
    await ready();
    const record = await store.getConversation(id);
    if (!record) throw new AnswerloopError('not_found', `No conversation ${id}: it may have been deleted.`);
    const updated = { ...change(record), updatedAt: clock.now().toISOString() };
    await store.saveConversation(updated);
    return updated;
  };

  return {
    config,
    logger,
    answerMode,
    async ingest(locations, ingestOptions = {}) {
      // A rebuild resets the index and records the embedder's space itself: a dimension mismatch must not stop it.
      if (!ingestOptions.rebuild) await ready();
      const { tags, include, exclude, maxPages, maxDepth, urlTemplate, ...pipelineOptions } = ingestOptions;
      const choices: SourceChoices = { tags, include, exclude, maxPages, maxDepth, urlTemplate };
      const groups = groupLocations(locations);
      if (groups.length === 0) groups.push([]);
      const sources = groups.map((group) => createSource(group, choices, sourceSettings));
      const reports: IngestReport[] = [];
      // Only the first source of a rebuild resets the index.
      for (const [index, source] of sources.entries())
        reports.push(
          await ingestKnowledge(source, {
            ...pipelineOptions,
            rebuild: index === 0 && pipelineOptions.rebuild,
          }),
        );
      // A rebuild emptied the index: verified answers are written again with the current embedder.
      if (ingestOptions.rebuild) await verified.reindex();
      return mergeIngestReports(reports);
    },
    async search(query, searchOptions = {}) {
      await ready();
      return search(query, searchOptions, searchDependencies);
    },
    async evaluateRetrieval(qa, evaluationOptions) {
      await ready();
      return evaluateRetrieval(qa, evaluationOptions, searchDependencies);
    },
    async ask(input, askOptions = {}) {
      await ready();
      return measureAsk(input, () => answering.ask(input, askOptions));
    },
    async evaluateAnswers(qa) {
      await ready();
      return answerQuality(qa);
    },
    async calibrateRefusal(qa, calibrationOptions) {
      await ready();
      const evaluation = await answerQuality(qa);
      const examples = evaluation.questions.flatMap((outcome) =>
        outcome.features ? [{ features: outcome.features, answerable: outcome.kind !== 'unanswerable' }] : [],
      );
      const calibration = calibrateRefusal(examples, {
        ...calibrationOptions,
        model: config.answering.answerability,
      });
      return { calibration, evaluation };
    },
    recordFeedback(id, feedback) {
      metrics.increment('feedback_total', {
        verdict: feedback.helpful === null ? 'none' : feedback.helpful ? 'helpful' : 'not_helpful',
      });
      return updateConversation(id, (record) => ({
        ...record,
        feedback: {
          helpful: feedback.helpful,
          comment: feedback.comment ?? record.feedback?.comment,
          by: feedback.by,
          at: clock.now().toISOString(),
        },
      }));
    },
    suggestCorrection: (id, correction) =>
      updateConversation(id, (record) => ({
        ...record,
        correctedAnswer: correction.answer,
        correctionSource: correction.source,
        // A suggestion waits for an operator; only an operator's correction counts as reviewed.
        reviewStatus: correction.source === 'operator' ? 'corrected' : record.reviewStatus,
        reviewer: correction.source === 'operator' ? (correction.by ?? null) : record.reviewer,
        feedback: record.feedback ?? { helpful: false, by: correction.by, at: clock.now().toISOString() },
      })),
    async getConversation(id) {
      await ready();
      return store.getConversation(id);
    },
    async listConversations(query) {
      await ready();
      return store.listConversations(query);
    },
    async claimEvent(platform, eventId) {
      // The face's delivery middleware claimed it (or the sweep took it over) for this process: it is ours.
      if (coordination.claims.heldHere(platform, eventId)) return true;
      await ready();
      return store.putIfAbsent(`event:${platform}`, eventId, clock.now().toISOString());
    },
    installations: {
      async get(platform, id) {
        await ready();
        // An uninstalled workspace keeps an empty value: the key-value store has no delete.
        return (await store.getValue(`installation:${platform}`, id)) || undefined;
      },
      async save(platform, id, json) {
        await ready();
        await store.setValue(`installation:${platform}`, id, json);
      },
      async remove(platform, id) {
        await ready();
        await store.setValue(`installation:${platform}`, id, '');
      },
    },
    async knowledgeCounts() {
      await ready();
      return store.counts();
    },
    storeHealth: () => store.health(),
    async checkEmbedder() {
      const started = performance.now();
      const [vector] = await embedder.embed(['answerloop health check']);
      if (vector?.length !== embedder.dimensions) {
        throw new AnswerloopError(
          'embedder_failed',
          `The embedder returned ${vector?.length ?? 0} dimensions, expected ${embedder.dimensions}.`,
        );
      }
      return {
        id: embedder.id,
        dimensions: embedder.dimensions,
        ms: Math.round(performance.now() - started),
      };
    },
    async checkOpenAi() {
      const model = await training.activeModel();
      const response = await chatModel().complete({
        model,
        messages: [{ role: 'user', content: 'Reply with OK.' }],
        maxTokens: 1,
      });
      return { model: response.model, ms: Math.round(response.modelMs) };
    },
    async checkLocalModel() {
      if (!localModel)
        throw new AnswerloopError(
          'config_invalid',
          'answering.mode is not local: there is no local model to check.',
        );
      const started = performance.now();
      const response = await localModel.complete({
        model: localModelName(localModel.modelPath),
        messages: [{ role: 'user', content: 'Reply with the word ready.' }],
        maxTokens: 3,
        temperature: 0,
      });
      return {
        model: response.model,
        ms: Math.round(performance.now() - started),
        threads: localModel.lastThreads,
      };
    },
    idle: () => answering.idle(),
    sources: sourceSync,
    curation,
    verified,
    training,
    trainingSchedule,
    insights,
    coordination,
    metrics,
    threads: createThreadMemory({ store, clock, metrics, ready }),
    handOff: createHandOff({ store, clock, metrics, ready }),
    async renderMetrics() {
      await showResolution();
      if (answerMode === 'openai') {
        try {
          showActiveModel(await training.activeModel());
        } catch (error) {
          logger.warn({ err: error }, 'could not read the active model for the metrics');
        }
      }
      return metrics.render();
    },
    async prepareToServe() {
      // A missing runtime or model file stops the start with what to do, not the first question.
      await localModel?.load();
      await ready();
      await store.prepare();
    },
    async close() {
      await localModel?.close();
      await embedder.close?.();
      await store.close();
    },
  };
}
