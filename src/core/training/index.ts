// Fine-tuning jobs, model registry, evaluation, promotion and rollback. (Being built.)
import type { Config } from '../config/index.ts';
import type { ChatModel, Clock, Embedder, FineTuner, Logger, Store } from '../ports/index.ts';

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
}

export interface TrainingService {
  /** The model answers come from: the promoted fine-tuned model, else the configured base model. */
  activeModel(): Promise<string>;
}

export function createTrainingService(dependencies: TrainingDependencies): TrainingService {
  return {
    activeModel: async () =>
      (await dependencies.store.listModels()).find((model) => model.status === 'active')?.name ?? dependencies.config.openai.chatModel,
  };
}
