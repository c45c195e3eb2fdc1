export type ModelStatus = 'candidate' | 'active' | 'retired' | 'failed';

export interface ModelRecord {
  /** The OpenAI model id, e.g. `ft:gpt-4o-mini-2024-07-18:acme:support:abc123`. */
  name: string;
  baseModel: string;
  jobId: string | null;
  /** `name@version` of the dataset it was trained on. */
  datasetVersion: string | null;
  status: ModelStatus;
  /** Latest evaluation summary against the model that was active then. */
  evaluation: EvaluationSummary | null;
  promotedAt: string | null;
  /** The model that was active before this one was promoted: what rollback returns to. */
  previousActive: string | null;
  createdAt: string;
}

export interface EvaluationSummary {
  id: string;
  candidate: string;
  baseline: string;
  winRate: number;
  /** Per-model means of each score. */
  scores: Record<
    string,
    { similarity: number; citationValidity: number; refusalAccuracy: number; judgeWins?: number }
  >;
  examples: number;
  createdAt: string;
}

export type TrainingJobStatus =
  'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TrainingEvent {
  id: string;
  createdAt: string;
  level: string;
  message: string;
  step?: number;
  trainLoss?: number;
  validLoss?: number;
}

export interface TrainingJobRecord {
  /** The OpenAI fine-tuning job id. */
  id: string;
  datasetVersion: string;
  baseModel: string;
  suffix: string | null;
  hyperparameters: Record<string, unknown>;
  trainingFileId: string;
  validationFileId: string | null;
  status: TrainingJobStatus;
  fineTunedModel: string | null;
  error: string | null;
  events: TrainingEvent[];
  createdAt: string;
  updatedAt: string;
}

export interface EvaluationRecord extends EvaluationSummary {
  /** Per-example rows for the side-by-side table. */
  rows: Array<Record<string, unknown>>;
}

export interface ModelRegistry {
  saveModel(model: ModelRecord): Promise<void>;
  getModel(name: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;
  saveTrainingJob(job: TrainingJobRecord): Promise<void>;
  getTrainingJob(id: string): Promise<TrainingJobRecord | undefined>;
  /** Newest first. */
  listTrainingJobs(): Promise<TrainingJobRecord[]>;
  saveEvaluation(evaluation: EvaluationRecord): Promise<void>;
  listEvaluations(candidate?: string): Promise<EvaluationRecord[]>;
}
