import type { TrainingEvent, TrainingJobStatus } from './model-registry.ts';

export interface FineTuneJobState {
  id: string;
  status: TrainingJobStatus;
  fineTunedModel: string | null;
  error: string | null;
  trainedTokens?: number | null;
}

export interface FineTuner {
  /** Uploads a JSONL file with purpose `fine-tune`; returns the file id. */
  uploadFile(fileName: string, jsonl: string): Promise<string>;
  createJob(request: {
    baseModel: string;
    trainingFileId: string;
    validationFileId: string | null;
    suffix: string | null;
    seed?: number;
    hyperparameters: {
      nEpochs?: number | 'auto';
      batchSize?: number | 'auto';
      learningRateMultiplier?: number | 'auto';
    };
  }): Promise<FineTuneJobState>;
  getJob(id: string): Promise<FineTuneJobState>;
  cancelJob(id: string): Promise<FineTuneJobState>;
  /** Events oldest first, only those after `afterId` when given. */
  listEvents(id: string, afterId?: string): Promise<TrainingEvent[]>;
}
