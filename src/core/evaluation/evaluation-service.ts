/**
 * The evaluation part of Core: search scored on a QA set, answers scored on a QA set, and the refusal threshold
 * fitted from the answers' retrieval facts. Nothing it runs is logged as a conversation.
 */
import type { AnswerabilityModel } from '../answering/answerability.ts';
import type { AskInput, AskOptions, AskResult } from '../answering/types.ts';
import type { ChunkStore, Embedder } from '../ports/index.ts';
import type { RetrievalSettings } from '../retrieval/hybrid-search.ts';
import {
  evaluateRetrieval,
  type QaItem,
  type RetrievalEvaluation,
  type RetrievalEvaluationOptions,
} from '../retrieval/retrieval-evaluation.ts';
import { type AnswerQualityEvaluation, evaluateAnswers } from './answer-quality.ts';
import { calibrateRefusal, type RefusalCalibration } from './refusal-calibration.ts';

export interface EvaluationService {
  /** Scores search on a QA set (Recall@k, MRR, nDCG@k per mode), against the knowledge base as it is. */
  retrieval(qa: QaItem[], options: RetrievalEvaluationOptions): Promise<RetrievalEvaluation>;
  /** Runs ask() on every question of a QA set (no conversation logged) and scores refusals, citations and answers. */
  answers(qa: QaItem[]): Promise<AnswerQualityEvaluation>;
  /**
   * Fits the refusal threshold (and with `fit`, the answerability model) for a target share of answerable
   * questions kept, from the answers' retrieval facts on QA sets.
   */
  calibrateRefusal(
    qa: QaItem[],
    options: { targetKept: number; fit?: boolean },
  ): Promise<{ calibration: RefusalCalibration; evaluation: AnswerQualityEvaluation }>;
}

export interface EvaluationDependencies {
  /** Answers without logging a conversation. */
  ask: (input: AskInput, options?: AskOptions) => Promise<AskResult>;
  /** Waits for its own start-up. */
  searchStore: ChunkStore;
  embedder: Embedder;
  retrievalSettings: RetrievalSettings;
  answerability: AnswerabilityModel;
}

export function createEvaluationService(dependencies: EvaluationDependencies): EvaluationService {
  const { ask, embedder } = dependencies;
  const answerQuality = (qa: QaItem[]) => evaluateAnswers(qa, { ask, embedder });
  return {
    async retrieval(qa, options) {
      return evaluateRetrieval(qa, options, {
        store: dependencies.searchStore,
        embedder,
        settings: dependencies.retrievalSettings,
      });
    },
    async answers(qa) {
      return answerQuality(qa);
    },
    async calibrateRefusal(qa, calibrationOptions) {
      const evaluation = await answerQuality(qa);
      const examples = evaluation.questions.flatMap((outcome) =>
        outcome.features ? [{ features: outcome.features, answerable: outcome.kind !== 'unanswerable' }] : [],
      );
      const calibration = calibrateRefusal(examples, {
        ...calibrationOptions,
        model: dependencies.answerability,
      });
      return { calibration, evaluation };
    },
  };
}
