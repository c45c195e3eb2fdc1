// Fine-tune jobs, model registry, evaluation, promotion and rollback.
import type { Config } from '../config/index.ts';
import type { ChatModel, Clock, Embedder, FineTuner, Logger } from '../ports/index.ts';
import type { SearchOptions, SearchResult } from '../retrieval/index.ts';
import {
  createAnswerEvaluation,
  type AnswerEvaluation,
  type AnswerEvaluationStore,
} from './answer-evaluation.ts';
import { createModelPromotion, type ModelPromotion, type ModelPromotionStore } from './model-promotion.ts';
import {
  createTrainingJobs,
  type TrainingDatasets,
  type TrainingJobs,
  type TrainingJobsStore,
} from './training-jobs.ts';

export type * from './types.ts';
export { terminalStatuses } from './types.ts';
export { activeModelCacheMs } from './model-promotion.ts';
export { latestLoss } from './training-jobs.ts';
export * from './evaluation-scoring.ts';

/** The store ports training uses: the model registry, and the conversations a shadow model answered. */
export type TrainingStore = TrainingJobsStore & AnswerEvaluationStore & ModelPromotionStore;

export interface TrainingDependencies {
  config: Config;
  store: TrainingStore;
  /** Throws a clear error when OpenAI is not configured. */
  fineTuner: () => FineTuner;
  /** The OpenAI chat model (throws a clear error when OpenAI is not configured), for evaluation. */
  chatModel: () => ChatModel;
  embedder: Embedder;
  logger: Logger;
  clock: Clock;
  /** The dataset versions to train and evaluate on. */
  datasets: TrainingDatasets;
  /** Retrieval as ask() runs it: training.guard.qaSets' questions get their prompts from it in evaluation. */
  search?: (query: string, options: SearchOptions) => Promise<SearchResult>;
}

/** Jobs (start, watch, cancel, retrain policy), evaluation, and the model registry (promote, rollback, active model). */
export interface TrainingService extends TrainingJobs, AnswerEvaluation, ModelPromotion {}

export function createTrainingService(dependencies: TrainingDependencies): TrainingService {
  const models = createModelPromotion(dependencies);
  const jobs = createTrainingJobs(dependencies);
  const evaluation = createAnswerEvaluation({ ...dependencies, models });
  return { ...jobs, ...evaluation, ...models };
}
