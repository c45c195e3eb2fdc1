import type {
  ChatMessage,
  ConversationRecord,
  DatasetVersionRecord,
  ExampleRecord,
  FailureKind,
  Platform,
  ReviewStatus,
} from '../ports/index.ts';
import type { ExportFormat } from './dataset-export.ts';
import type { DroppedDuplicate } from './duplicate-detection.ts';
import type { ScrubReport } from './personal-data-scrubbing.ts';
import type { DiagnosisHint, RetrievalQaCase } from './retrieval-diagnosis.ts';
import type { ValidationIssue, ValidationReport } from './dataset-validation.ts';

export type {
  DiagnosisHint,
  DroppedDuplicate,
  ExportFormat,
  RetrievalQaCase,
  ScrubReport,
  ValidationIssue,
  ValidationReport,
};

export interface ReviewQueueFilter {
  /** 'any': with feedback of either kind; 'none': without feedback; default: all conversations. */
  feedback?: 'helpful' | 'not_helpful' | 'none' | 'any';
  status?: ReviewStatus[];
  minConfidence?: number;
  maxConfidence?: number;
  refused?: boolean;
  /** true: only questions nobody asked the bot that it left to people; false: all but those. */
  silent?: boolean;
  channel?: string;
  platform?: Platform;
  /** ISO-8601 bounds on when the question was asked, inclusive. */
  since?: string;
  until?: string;
  stale?: boolean;
  /** Default 'review': not helpful first, then no feedback, then helpful; newest first within each. */
  order?: 'review' | 'newest' | 'oldest';
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

export interface ReviewQueuePage {
  items: ConversationRecord[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

export interface ReviewDetail {
  conversation: ConversationRecord;
  hint: DiagnosisHint;
  /** Examples made from this conversation, in any dataset. */
  examples: ExampleRecord[];
}

export interface ReviewActionResult {
  conversation: ConversationRecord;
  /** The example the action wrote, or null when it wrote none (reject, diagnose). */
  example: ExampleRecord | null;
  /** False when the conversation was already in the requested state: actions are idempotent. */
  changed: boolean;
  warnings: string[];
}

export interface ApproveInput {
  conversationId: string;
  reviewer: string;
  /** Dataset the example goes to; default `training.dataset`. */
  dataset?: string;
  /** Approve the correction a user or teammate suggested instead of the bot's answer. */
  acceptSuggestion?: boolean;
}

export interface CorrectInput {
  conversationId: string;
  reviewer: string;
  /** The operator's answer, which replaces the bot's in training. */
  answer: string;
  dataset?: string;
}

export interface RejectInput {
  conversationId: string;
  reviewer: string;
}

export interface DiagnoseInput {
  conversationId: string;
  reviewer: string;
  failureKind: FailureKind;
  /** Source paths (or URLs) of the pages that answer the question: a retrieval test case. */
  expectedSources?: string[];
}

export interface AddExampleInput {
  question: string;
  answer: string;
  reviewer: string;
  dataset?: string;
  /** The prompt to train on (system + user with numbered sources); default: retrieval and the answering prompt, as ask() builds it. */
  promptMessages?: ChatMessage[];
  sourceDocIds?: string[];
}

export interface AddExampleResult {
  example: ExampleRecord;
  changed: boolean;
  warnings: string[];
}

export interface DatasetSummary {
  name: string;
  description: string;
  createdAt: string | null;
  examples: number;
  staleExamples: number;
  versions: number;
  latestVersion: number | null;
}

export interface SnapshotProgress {
  stage: 'loading' | 'scrubbing' | 'deduplicating' | 'validating' | 'saving';
  done: number;
  total: number;
}

export interface SnapshotInput {
  /** Default `training.dataset`. */
  dataset?: string;
  createdBy: string;
  onProgress?: (progress: SnapshotProgress) => void;
}

/** Stored with each version: what went in, what was left out and why. */
export interface SnapshotReport {
  dataset: string;
  version: number;
  examplesConsidered: number;
  /** Stale examples left out until re-approved. */
  staleExcluded: string[];
  scrub: ScrubReport;
  duplicates: DroppedDuplicate[];
  /** Examples that failed a per-example check, left out. */
  invalid: Array<{ exampleId: string; problems: ValidationIssue[] }>;
  validation: ValidationReport;
  /** Hash of the examples' ids, splits and messages: equal hashes mean equal snapshots. */
  contentHash: string;
}

export interface SnapshotResult {
  /** `name@version`. */
  reference: string;
  version: DatasetVersionRecord;
  report: SnapshotReport;
  /** False when nothing changed since the newest version, which is returned instead of a copy. */
  created: boolean;
}

export interface DatasetVersionDetail {
  reference: string;
  version: DatasetVersionRecord;
  report: SnapshotReport | null;
  trainExamples: number;
  validationExamples: number;
}

export interface ExportInput {
  /** `name@version`, or `name` for the newest version. */
  reference: string;
  format: ExportFormat;
}

export interface ExportResult {
  reference: string;
  format: ExportFormat;
  /** JSONL text of each split, ready to write to files. */
  train: string;
  validation: string;
  counts: { train: number; validation: number };
}

export interface StaleFlagResult {
  conversations: number;
  examples: number;
  /** Verified answers withdrawn until an operator checks them again. */
  verifiedAnswers: number;
}
