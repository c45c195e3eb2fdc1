/**
 * What a face holds: Core, a few domain parts, each a service of its own file (answering/answers-service.ts,
 * knowledge/knowledge-service.ts, evaluation/evaluation-service.ts, coordination/delivery.ts, curation/,
 * training/, insights/, threads/), plus the process's own checks. create-core.ts wires them.
 */
import type { AnswersService } from './answering/answers-service.ts';
import { type BackgroundService, createBackgroundService } from './background-service.ts';
import type { Config } from './config/index.ts';
import type { CoordinationService } from './coordination/index.ts';
import type { DeliveryService } from './coordination/delivery.ts';
import type { CurationService, DatasetsService, ReviewService } from './curation/index.ts';
import type { VerifiedAnswerService } from './curation/verified-answers.ts';
import type { EvaluationService } from './evaluation/evaluation-service.ts';
import type { HandOff } from './handoff/hand-off.ts';
import type { InsightsService } from './insights/index.ts';
import type { KnowledgeService } from './knowledge/knowledge-service.ts';
import type { Logger, Metrics, StoreHealth } from './ports/index.ts';
import type { ThreadMemory } from './threads/thread-memory.ts';
import type { TrainingService } from './training/index.ts';
import type { TrainingSchedule } from './training/training-schedule.ts';

/** The domain parts. */
export interface CoreParts {
  /** Asking, the conversations asked, feedback and suggested corrections. */
  readonly answers: AnswersService;
  /** Ingesting, the configured sources, search and counts. */
  readonly knowledge: KnowledgeService;
  /** Search and answers scored on QA sets; the refusal threshold fitted. */
  readonly evaluation: EvaluationService;
  /** Which platform events this process handles (exactly once), and the app's installations. */
  readonly delivery: DeliveryService;
  /** The review queue: approve, correct, reject, diagnose; staleness after a document changed. */
  readonly review: ReviewService;
  /** The training datasets: examples, immutable versions, validation and export. */
  readonly datasets: DatasetsService;
  /** Answers the support team verified: published from reviews, found like passages, given as they stand. */
  readonly verified: VerifiedAnswerService;
  readonly training: TrainingService;
  /** The learning loop as background work: watching jobs, the retraining policy, scheduled evaluation. */
  readonly trainingSchedule: TrainingSchedule;
  /** Figures for the operator dashboard's Overview, and the knowledge gaps. */
  readonly insights: InsightsService;
  /** Claims on deliveries and leases on background work, shared by every replica on the store. */
  readonly coordination: CoordinationService;
  /** The messages of the bot's threads, kept so follow-ups need no history read; people following up. */
  readonly threads: ThreadMemory;
  /** Handing a question to a person (the answer's button), once per conversation. */
  readonly handOff: HandOff;
  /** Every background job of the process (sources' refresh, clean-up, learning loop, claim sweeps): one start. */
  readonly background: BackgroundService;
}

/** The process: configuration, logs, figures, health, start and stop. */
export interface CoreProcess {
  readonly config: Config;
  readonly logger: Logger;
  /** 'openai' or 'local' when answers come from a chat model, 'offline' for extractive answers. */
  readonly answerMode: 'openai' | 'local' | 'offline';
  /** Operational figures (Prometheus) that faces add to and the ops server exposes. */
  readonly metrics: Metrics;
  storeHealth(): Promise<StoreHealth>;
  /** A one-token live call to the active chat model (costs a fraction of a cent). */
  checkOpenAi(): Promise<{ model: string; ms: number }>;
  /** answering.mode local: loads the runtime and the model, generates a few tokens, says how fast. */
  checkLocalModel(): Promise<{ model: string; ms: number; threads: number }>;
  /**
   * The Prometheus text of `metrics`, with the active model read from the store first when answers come from
   * OpenAI: a promotion or rollback in any process shows within seconds, before the next question.
   */
  renderMetrics(): Promise<{ contentType: string; text: string }>;
  /** Opens the store with everything it keeps created and ready to serve: a process about to take traffic calls it. */
  prepareToServe(): Promise<void>;
  close(): Promise<void>;
}

/** The members faces called before the parts; each is one of the parts' methods under its earlier name. */
export interface CoreShortcuts {
  /** Same as `knowledge.ingest`. */
  ingest: KnowledgeService['ingest'];
  /** Same as `knowledge.sources`. */
  readonly sources: KnowledgeService['sources'];
  /** Same as `knowledge.search`. */
  search: KnowledgeService['search'];
  /** Same as `knowledge.counts`. */
  knowledgeCounts: KnowledgeService['counts'];
  /** Same as `knowledge.checkEmbedder`. */
  checkEmbedder: KnowledgeService['checkEmbedder'];
  /** Same as `evaluation.retrieval`. */
  evaluateRetrieval: EvaluationService['retrieval'];
  /** Same as `evaluation.answers`. */
  evaluateAnswers: EvaluationService['answers'];
  /** Same as `evaluation.calibrateRefusal`. */
  calibrateRefusal: EvaluationService['calibrateRefusal'];
  /** Same as `answers.ask`. */
  ask: AnswersService['ask'];
  /** Same as `answers.idle`. */
  idle: AnswersService['idle'];
  /** Same as `answers.recordFeedback`. */
  recordFeedback: AnswersService['recordFeedback'];
  /** Same as `answers.suggestCorrection`. */
  suggestCorrection: AnswersService['suggestCorrection'];
  /** Same as `answers.getConversation`. */
  getConversation: AnswersService['getConversation'];
  /** Same as `answers.listConversations`. */
  listConversations: AnswersService['listConversations'];
  /** Same as `delivery.installations`. */
  readonly installations: DeliveryService['installations'];
  /** Same as `review` and `datasets` together. */
  readonly curation: CurationService;
}

export type Core = CoreParts & CoreProcess & CoreShortcuts;

/** Core from its parts and the process: the shortcuts are the parts' own methods; the background jobs use the parts. */
export function assembleCore(parts: Omit<CoreParts, 'background'>, process: CoreProcess): Core {
  const { answers, knowledge, evaluation, delivery, review, datasets } = parts;
  const { config, logger } = process;
  const { coordination, threads, trainingSchedule } = parts;
  const background = createBackgroundService({
    ...{ config, logger, coordination, delivery, sources: knowledge.sources, threads, trainingSchedule },
  });
  return {
    ...process,
    ...parts,
    background,
    ingest: knowledge.ingest,
    sources: knowledge.sources,
    search: knowledge.search,
    knowledgeCounts: knowledge.counts,
    checkEmbedder: knowledge.checkEmbedder,
    evaluateRetrieval: evaluation.retrieval,
    evaluateAnswers: evaluation.answers,
    calibrateRefusal: evaluation.calibrateRefusal,
    ask: answers.ask,
    idle: answers.idle,
    recordFeedback: answers.recordFeedback,
    suggestCorrection: answers.suggestCorrection,
    getConversation: answers.getConversation,
    listConversations: answers.listConversations,
    installations: delivery.installations,
    curation: { ...review, ...datasets },
  };
}
