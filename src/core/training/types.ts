import type {
  EvaluationRecord,
  ModelRecord,
  TrainingEvent,
  TrainingJobRecord,
  TrainingJobStatus,
} from '../ports/index.ts';
import type { AnswerScores, ScoreMeans, Verdict } from './evaluation-scoring.ts';

export type { AnswerScores, ScoreMeans, Verdict };

export interface StartTrainingProgress {
  stage: 'validating' | 'uploading-train' | 'uploading-validation' | 'creating-job';
  message: string;
}

export interface StartTrainingInput {
  /** `name@version` (or `name` for the newest version). */
  dataset: string;
  /** Default `training.baseModel`. */
  baseModel?: string;
  /** Default `training.epochs`. */
  epochs?: number | 'auto';
  /** Part of the fine-tuned model's name; default the dataset name. */
  suffix?: string;
  /** Default a number derived from the dataset version, so a retry of the same version trains the same way. */
  seed?: number;
  onProgress?: (progress: StartTrainingProgress) => void;
}

export interface LossPoint {
  step: number | null;
  trainLoss: number | null;
  validLoss: number | null;
}

export interface TrainingUpdate {
  job: TrainingJobRecord;
  /** Events not seen before this update, oldest first. */
  newEvents: TrainingEvent[];
  /** The newest losses reported so far. */
  latestLoss: LossPoint | null;
  /** The model registered as a candidate when the job has just succeeded. */
  candidate: ModelRecord | null;
}

export interface WatchOptions {
  /** Between polls; default `training.pollSeconds`. */
  intervalMs?: number;
  signal?: AbortSignal;
  onUpdate?: (update: TrainingUpdate) => void;
}

export interface RetrainInput {
  dataset?: string;
  createdBy: string;
  baseModel?: string;
  epochs?: number | 'auto';
  suffix?: string;
  onProgress?: (progress: StartTrainingProgress) => void;
}

export interface RetrainDecision {
  started: boolean;
  /** Why a job was or was not started, for a person or a scheduler's log. */
  reason: string;
  dataset: string;
  newExamples: number;
  threshold: number;
  lastTrainedVersion: string | null;
  /** The version snapshotted for the new job. */
  snapshot: string | null;
  job: TrainingJobRecord | null;
}

export interface EvaluationProgress {
  stage: 'answering' | 'scoring' | 'judging';
  done: number;
  total: number;
}

export interface EvaluateCandidateInput {
  candidate: string;
  /** Default the active model. */
  baseline?: string;
  /** Default the dataset version the candidate was trained on. */
  dataset?: string;
  /** At most this many validation examples. */
  limit?: number;
  onProgress?: (progress: EvaluationProgress) => void;
}

export interface EvaluateShadowInput {
  /** The shadow model whose stored answers are compared with the answers users saw. */
  model: string;
  /** Only conversations asked at or after this ISO-8601 time. */
  since?: string;
  /** At most this many conversations, newest first; default 200. */
  limit?: number;
  onProgress?: (progress: EvaluationProgress) => void;
}

/** One row of the side-by-side table. */
export type EvaluationRow = {
  /** Example id (candidate evaluation) or conversation id (shadow evaluation). */
  id: string;
  question: string;
  reference: string | null;
  candidateAnswer: string;
  baselineAnswer: string;
  candidate: AnswerScores;
  baseline: AnswerScores;
  /** Cosine similarity of the two answers to each other. */
  agreement: number;
  judge: Verdict | null;
  winner: Verdict;
};

export interface EvaluationResult extends EvaluationRecord {
  kind: 'candidate' | 'shadow';
  rows: EvaluationRow[];
  datasetVersion: string | null;
  judgeModel: string | null;
  wins: { candidate: number; baseline: number; tie: number };
}

export interface PromoteInput {
  model: string;
  /** Promote even when the latest evaluation lost. */
  force?: boolean;
  by?: string;
}

export interface PromotionResult {
  active: ModelRecord;
  /** The model that was active before, now retired (null: the base model answered). */
  previous: string | null;
  /** False when the model was already active. */
  changed: boolean;
  warnings: string[];
}

export interface RollbackResult {
  from: string;
  /** The model now answering; the base model when nothing was active before. */
  to: string;
}

export interface ModelListing {
  models: ModelRecord[];
  /** The model answers come from now. */
  active: string;
  /** The configured base chat model, used when no fine-tuned model is active. */
  baseModel: string;
}

export const terminalStatuses: readonly TrainingJobStatus[] = ['succeeded', 'failed', 'cancelled'];
