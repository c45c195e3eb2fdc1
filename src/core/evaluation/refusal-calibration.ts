import {
  type AnswerabilityModel,
  answerabilityScore,
  fitAnswerabilityModel,
  type LabelledFeatures,
} from '../answering/answerability.ts';
import { InputError } from '../errors/index.ts';

export interface CalibrationRow {
  threshold: number;
  /** Share of answerable questions answered (score at or above the threshold). */
  answerableKept: number;
  /** Share of unanswerable questions refused (score below the threshold). */
  unanswerableRefused: number | null;
}

export interface RefusalCalibration {
  /** The highest threshold that keeps at least the target share of answerable questions. */
  threshold: number;
  model: AnswerabilityModel;
  /** True when the model was fitted on these questions rather than taken from the configuration. */
  fitted: boolean;
  targetKept: number;
  answerable: number;
  unanswerable: number;
  chosen: CalibrationRow;
  table: CalibrationRow[];
}

function rowAt(
  threshold: number,
  answerableScores: readonly number[],
  unanswerableScores: readonly number[],
): CalibrationRow {
  return {
    threshold,
    answerableKept:
      answerableScores.filter((score) => score >= threshold).length / Math.max(1, answerableScores.length),
    unanswerableRefused:
      unanswerableScores.length === 0
        ? null
        : unanswerableScores.filter((score) => score < threshold).length / unanswerableScores.length,
  };
}

/**
 * Chooses the refusal threshold for a target share of answerable questions kept, and prints the trade-off:
 * every threshold from 0.05 to 0.95 with the shares kept and refused. With `fit`, the answerability model itself
 * is refitted on the same questions first (they must include unanswerable ones).
 */
export function calibrateRefusal(
  examples: readonly LabelledFeatures[],
  options: { model: AnswerabilityModel; targetKept: number; fit?: boolean },
): RefusalCalibration {
  const answerable = examples.filter((example) => example.answerable);
  const unanswerable = examples.filter((example) => !example.answerable);
  if (answerable.length === 0)
    throw new InputError('Calibration needs answerable questions (with relevant pages) in the QA sets.');
  if (options.fit && unanswerable.length === 0)
    throw new InputError(
      'Fitting the answerability model needs unanswerable questions too ("kind": "unanswerable").',
    );
  if (!(options.targetKept > 0 && options.targetKept <= 1))
    throw new InputError(`The target share kept must be in (0, 1], not ${options.targetKept}.`);
  const model = options.fit ? fitAnswerabilityModel(examples) : options.model;
  const scoresOf = (list: readonly LabelledFeatures[]) =>
    list.map((example) => answerabilityScore(example.features, model)).sort((a, b) => a - b);
  const answerableScores = scoresOf(answerable);
  const unanswerableScores = scoresOf(unanswerable);
  // Keep ceil(target * n) answerable questions: the threshold is the score of the weakest one kept, rounded down.
  const keep = Math.ceil(options.targetKept * answerableScores.length);
  const weakestKept = answerableScores[answerableScores.length - keep] ?? 0;
  const threshold = Math.floor(weakestKept * 1000) / 1000;
  const table: CalibrationRow[] = [];
  for (let step = 1; step <= 19; step += 1)
    table.push(rowAt(step / 20, answerableScores, unanswerableScores));
  return {
    threshold,
    model,
    fitted: options.fit === true,
    targetKept: options.targetKept,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    chosen: rowAt(threshold, answerableScores, unanswerableScores),
    table,
  };
}
