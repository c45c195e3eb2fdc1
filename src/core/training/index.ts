// Fine-tune jobs, model registry, evaluation, promotion and rollback.
import type { Config } from '../config/index.ts';
import { createCurationService, type CurationService } from '../curation/index.ts';
import type { ChatModel, Clock, Embedder, FineTuner, Logger, Store } from '../ports/index.ts';
import type { SearchOptions, SearchResult } from '../retrieval/index.ts';
import { createAnswerEvaluation, type AnswerEvaluation } from './answer-evaluation.ts';
import { createModelPromotion, type ModelPromotion } from './model-promotion.ts';
import { createTrainingJobs, type TrainingJobs } from './training-jobs.ts';

export type * from './types.ts';
export { terminalStatuses } from './types.ts';
export { activeModelCacheMs } from './model-promotion.ts';
export { latestLoss } from './training-jobs.ts';
export * from './evaluation-scoring.ts';

export interface TrainingDependencies {
  config: Config;
  store: Store;
  /** Throws a clear error when OpenAI is not configured. */
  fineTuner: () => FineTuner;
  /** The OpenAI chat model (throws a clear error when OpenAI is not configured), for evaluation. */
  chatModel: () => ChatModel;
  embedder: Embedder;
  logger: Logger;
  clock: Clock;
  /** Datasets come from curation; one is made from the same dependencies when not given. */
  curation?: CurationService;
  /** Retrieval as ask() runs it: training.guard.qaSets' questions get their prompts from it in evaluation. */
  search?: (query: string, options: SearchOptions) => Promise<SearchResult>;
}

/** Jobs (start, watch, cancel, retrain policy), evaluation, and the model registry (promote, rollback, active model). */
export interface TrainingService extends TrainingJobs, AnswerEvaluation, ModelPromotion {}

export function createTrainingService(dependencies: TrainingDependencies): TrainingService {
  const curation =
    dependencies.curation ??
    createCurationService({
      config: dependencies.config,
      store: dependencies.store,
      embedder: dependencies.embedder,
      logger: dependencies.logger,
      clock: dependencies.clock,
    });
  const models = createModelPromotion(dependencies);
  const jobs = createTrainingJobs({ ...dependencies, curation });
  const evaluation = createAnswerEvaluation({ ...dependencies, curation, models });
  return { ...jobs, ...evaluation, ...models };
}
