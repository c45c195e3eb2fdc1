// The public surface of core: faces (bots, dashboard, CLI) import from here and nowhere else.
export { createCore, type CreateCoreOptions } from './create-core.ts';
export type { Core, CoreParts, CoreProcess, CoreShortcuts } from './core.ts';
export type { BackgroundService, RunningBackground, ServedFace } from './background-service.ts';
export type { AnswersService } from './answering/answers-service.ts';
export type { KnowledgeService } from './knowledge/knowledge-service.ts';
export type { EvaluationService } from './evaluation/evaluation-service.ts';
export type {
  ClaimedDelivery,
  ClaimOptions,
  DeliveryService,
  TakenOverDelivery,
  UnaskedAnswer,
} from './coordination/delivery.ts';
export * from './config/index.ts';
export * from './errors/index.ts';
export type * from './ports/index.ts';
export { silentLogger, systemClock } from './ports/index.ts';
export type * from './answering/types.ts';
// Faces hash platform user ids the same way ask() does, so feedback and questions share one key.
export { hashUserId } from './answering/ask.ts';
export type { SearchHit, SearchMode, SearchOptions, SearchResult } from './retrieval/index.ts';
export {
  parseQaSet,
  type ModeEvaluation,
  type QaItem,
  type QuestionOutcome,
  type RetrievalEvaluation,
  type RetrievalEvaluationOptions,
} from './retrieval/retrieval-evaluation.ts';
export { qaKinds, type QaKind } from './retrieval/retrieval-evaluation.ts';
export type { AnswerOutcome, AnswerQualityEvaluation, KindSummary } from './evaluation/answer-quality.ts';
export type { CalibrationRow, RefusalCalibration } from './evaluation/refusal-calibration.ts';
export {
  answerabilityFeatureNames,
  type AnswerabilityFeatures,
  type AnswerabilityModel,
} from './answering/answerability.ts';
export type { IngestOptions, IngestProgress, IngestReport } from './knowledge/index.ts';
export type {
  CurationService,
  VerifiedAnswerFilter,
  VerifiedAnswerRecord,
  VerifiedAnswerResult,
  VerifiedAnswerService,
  VerifiedAnswerSource,
} from './curation/index.ts';
export type {
  HeldLease,
  SourceChoices,
  SourceKind,
  SourceStatus,
  SourceSync,
  SourceSyncResult,
  SyncLease,
  SyncRecord,
} from './knowledge/index.ts';
export { sourceKindOf } from './knowledge/index.ts';
export type * from './curation/types.ts';
export {
  conversationOutcome,
  conversationOutcomes,
  outcomeFilter,
  type ConversationOutcome,
} from './curation/index.ts';
export type { TrainingService } from './training/index.ts';
export type * from './training/types.ts';
export type {
  ScheduledEvaluationRecord,
  ScheduledRetrainRecord,
  TrainingSchedule,
  TrainingScheduleStatus,
  WatchRunResult,
} from './training/training-schedule.ts';
export type {
  DocsProposal,
  DocsProposalInput,
  GapOptions,
  GapPassage,
  GapQuestion,
  GapReason,
  GapReport,
  GapVerifiedAnswer,
  InsightsService,
  KnowledgeGap,
  OverviewFigures,
  ResolutionCounts,
  ResolutionReport,
  ResolutionRow,
  TrainingJobInFlight,
} from './insights/index.ts';
export type * from './coordination/index.ts';
export type { ReceivedMessage, ThreadMemory, ThreadPlace } from './threads/thread-memory.ts';
export type { HandOff, HandOffStart } from './handoff/hand-off.ts';
export { hideUrlCredentials, redactSecrets } from './logging/redact-secrets.ts';
export { createLogger } from './logging/create-logger.ts';
