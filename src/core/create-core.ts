/** The composition root: configuration in, adapters chosen, parts wired. The only importer of adapters. */
import path from 'node:path';
import {
  chooseAnswerMode,
  lazyOpenAi,
  openEmbedder,
  openLocalModel,
  openStore,
} from './adapters/choose-adapters.ts';
import { localModelName } from './adapters/local-llm/index.ts';
import { createPrometheusMetrics } from './adapters/prometheus/index.ts';
import { createAnswersService } from './answering/answers-service.ts';
import { createExtractiveChatModel } from './answering/extractive-answerer.ts';
import { createAnsweringService } from './answering/index.ts';
import { sufficiencyJudge } from './answering/sufficiency.ts';
import type { Config } from './config/index.ts';
import { resolveConfigPath } from './config/index.ts';
import { claimSettings, createCoordinationService } from './coordination/index.ts';
import { createDeliveryService } from './coordination/delivery.ts';
import { assembleCore, type Core } from './core.ts';
import { createCoreProcess } from './core-process.ts';
import { createDatasetsService, createReviewService } from './curation/index.ts';
import { createVerifiedAnswerService } from './curation/verified-answers.ts';
import { createEvaluationService } from './evaluation/evaluation-service.ts';
import { createHandOff } from './handoff/hand-off.ts';
import {
  createDocsProposals,
  createInsightsService,
  createKnowledgeGaps,
  createResolutionFigures,
  type InsightsService,
} from './insights/index.ts';
import type { SyncLease } from './knowledge/index.ts';
import { createKnowledgeService } from './knowledge/knowledge-service.ts';
import { createLogger } from './logging/create-logger.ts';
import {
  countChatModelErrors,
  createActiveModelGauge,
  createAskMetrics,
  timeRetrieval,
} from './metrics/answer-metrics.ts';
import { createResolutionGauges } from './metrics/resolution-gauges.ts';
import {
  type ChatModel,
  type Clock,
  type Embedder,
  type FineTuner,
  type Logger,
  type Metrics,
  type Store,
  systemClock,
} from './ports/index.ts';
import { search, type SearchOptions, type SearchResult } from './retrieval/index.ts';
import { storeStartingOnFirstUse } from './store-start-up.ts';
import { createThreadMemory } from './threads/thread-memory.ts';
import { createTrainingService } from './training/index.ts';
import { createTrainingSchedule } from './training/training-schedule.ts';

export type { Core } from './core.ts';

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
  const component = (name: string) => logger.child({ component: name });
  const bareStore = options.store ?? openStore(config, logger);
  const metrics = options.metrics ?? createPrometheusMetrics();
  const showActiveModel = createActiveModelGauge(metrics);
  const embedder = options.embedder ?? openEmbedder(config, logger);
  const answerMode = chooseAnswerMode(config, Boolean(options.chatModel));
  const { chatModel, fineTuner } = lazyOpenAi(config, logger, options);
  const localModel = answerMode === 'local' ? openLocalModel(config, logger) : undefined;
  const localName = localModel ? localModelName(localModel.modelPath) : '';
  const countedChatModel = () => countChatModelErrors(localModel ?? chatModel(), metrics);
  // Every part but a rebuild uses the store that opens itself on first use.
  const space = { embedderId: embedder.id, dimensions: embedder.dimensions };
  const { store, ready } = storeStartingOnFirstUse(bareStore, space);
  const searchDependencies = { store, embedder, settings: config.retrieval };
  const searchKnowledge = (query: string, options: SearchOptions): Promise<SearchResult> =>
    search(query, options, searchDependencies);

  const verified = createVerifiedAnswerService({
    ...{ config, store, embedder, clock, logger: component('verified-answers') },
    // Conversations that cited a verified answer which changed are stale like those citing a changed page.
    documentsChanged: (docIds) => review.flagStale(docIds),
  });
  const curation = { config, store: bareStore, clock, logger: component('curation') };
  const review = createReviewService({ ...curation, verifiedAnswers: verified });
  // Hand-written examples get their numbered sources the way ask() does.
  const datasets = createDatasetsService({ ...curation, search: searchKnowledge });
  const training = createTrainingService({
    ...{ config, store: bareStore, fineTuner, chatModel, embedder, clock, datasets },
    logger: component('training'),
    // training.guard.qaSets' questions get their prompts from retrieval as ask() builds them.
    search: searchKnowledge,
  });
  const answering = createAnsweringService({
    config,
    store,
    search: (query, searchOptions) => timeRetrieval(metrics, () => searchKnowledge(query, searchOptions)),
    // Everything answering embeds is waited on by a person: ahead of an ingest running in the same process.
    embed: (texts) => embedder.embed(texts, { priority: 'interactive' }),
    chatModel: localModel || answerMode === 'openai' ? countedChatModel : undefined,
    judge: sufficiencyJudge(config.answering.sufficiency.enabled, answerMode, () => ({
      model: countedChatModel(),
      name: localModel ? localName : config.openai.chatModel,
    })),
    ...(localModel ? { generation: config.answering.local } : {}),
    offlineModel: createExtractiveChatModel({
      ...{ ...config.answering.extractive, embedder },
      logger: component('extractive'),
    }),
    verifiedAnswers: verified,
    activeModel: localModel ? () => Promise.resolve(localName) : () => training.activeModel(),
    logger: component('answering'),
    clock,
  });
  const coordination = createCoordinationService({
    ...{ store: bareStore, clock, metrics, logger: component('coordination') },
    claims: claimSettings(config),
  });
  const trainingSchedule = createTrainingSchedule({
    ...{ config, store: bareStore, training, clock, metrics, replicaId: coordination.replicaId },
    logger: component('training-schedule'),
  });
  const gaps = createKnowledgeGaps({
    ...{ config, store, embedder, clock, verified, search: searchKnowledge, logger: component('insights') },
    chatModel: answerMode === 'openai' ? chatModel : undefined,
  });
  const insights: InsightsService = {
    ...createInsightsService({ store, clock, activeModel: () => training.activeModel(), answerMode }),
    ...gaps,
    ...createResolutionFigures({ config, store, clock }),
    ...createDocsProposals({
      ...{ config, gaps, verified, dataDir: resolveConfigPath(config, config.dataDir) },
      chatModel: answerMode === 'openai' ? chatModel : undefined,
      logger: component('docs-proposals'),
    }),
  };
  const showResolution = createResolutionGauges(metrics, insights.resolution, logger);
  const knowledge = createKnowledgeService({
    ...{ config, store, rebuildStore: bareStore, embedder, logger, clock, metrics },
    // What cites a changed document is flagged stale; verified answers are a source the product keeps itself.
    documentsChanged: (docIds) => review.flagStale(docIds),
    productSources: [verified.source],
    // With several processes on one store, the store's leases let one of them sync a given source at a time.
    lease: options.syncLease ?? coordination.leases,
  });
  const answers = createAnswersService({
    ...{ answering, ready, conversations: store, metrics, clock },
    measureAsk: createAskMetrics(metrics, showActiveModel),
  });
  const evaluation = createEvaluationService({
    ask: (input, askOptions) => answering.ask(input, askOptions ?? {}),
    ...{ searchStore: store, embedder, retrievalSettings: config.retrieval },
    answerability: config.answering.answerability,
  });
  const retentionMs = config.threads.retentionDays * 86_400_000;
  const threads = createThreadMemory({ store, clock, metrics, retentionMs });
  const delivery = createDeliveryService({
    ...{ records: store, coordination, threads, clock, metrics, config, logger: component('delivery') },
  });
  return assembleCore(
    {
      ...{ answers, knowledge, evaluation, delivery, review, datasets, verified, training, trainingSchedule },
      ...{ insights, coordination, threads, handOff: createHandOff({ store, clock, metrics }) },
    },
    createCoreProcess({
      ...{ config, logger, answerMode, metrics, bareStore, store, embedder, chatModel, showActiveModel },
      ...(localModel ? { local: { model: localModel, name: localName } } : {}),
      activeModel: () => training.activeModel(),
      showResolution,
    }),
  );
}
