// Review queue, datasets and versions, scrubbing, de-duplication, split, validation and export.
export {
  createReviewService,
  type ReviewDependencies,
  type ReviewService,
  type ReviewStore,
} from './review-service.ts';
export {
  createDatasetsService,
  type DatasetsDependencies,
  type DatasetsService,
  type DatasetsStore,
} from './datasets-service.ts';
export {
  createCurationService,
  type CurationDependencies,
  type CurationService,
} from './curation-service.ts';
export type * from './types.ts';
export {
  conversationOutcome,
  conversationOutcomes,
  outcomeFilter,
  type ConversationOutcome,
} from './conversation-outcome.ts';
export { parseDatasetReference, formatDatasetReference, type DatasetReference } from './dataset-reference.ts';
export {
  exportFormats,
  exportJsonl,
  toAlpacaLine,
  toOpenAiChatLine,
  toShareGptLine,
} from './dataset-export.ts';
export {
  countChatTokens,
  jsonlLines,
  validateDataset,
  validateLine,
  type ValidationLine,
  type ValidationRule,
  type ValidationSettings,
} from './dataset-validation.ts';
export {
  findDuplicates,
  jaccardSimilarity,
  wordTrigrams,
  type DuplicateCandidate,
  type DuplicateReport,
} from './duplicate-detection.ts';
export { scrubExamples, scrubText, type ScrubOptions } from './personal-data-scrubbing.ts';
export { assignSplits, splitFor, stableFraction } from './train-validation-split.ts';
export { diagnosisHint, retrievalQaCase, retrievalQaJsonl } from './retrieval-diagnosis.ts';
export {
  answerFromMessages,
  exampleIdForConversation,
  exampleIdForManual,
  exampleMessagesFromConversation,
  questionFromMessages,
  sourceDocIdsOf,
} from './inference-format-example.ts';
export {
  createVerifiedAnswerService,
  verifiedDocId,
  verifiedIdOf,
  verifiedTag,
  type VerifiedAnswerFilter,
  type VerifiedAnswerRecord,
  type VerifiedAnswerResult,
  type VerifiedAnswerService,
  type VerifiedAnswerSource,
} from './verified-answers.ts';
