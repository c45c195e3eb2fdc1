/**
 * Why each question an evaluation run got wrong was missed: the first cause that explains it, from retrieval to the
 * answer. Answerable questions: the relevant page is in the top k of neither leg (BM25, vector), or of one leg but
 * not of the fusion, or it was found and the answerability score refused anyway, or the answer cited another page.
 * Unanswerable questions: answered. Read with the answers and the rankings of the same run.
 */
import type { AnswerOutcome } from '../src/core/evaluation/answer-quality.ts';

export const missCauses = [
  'neither leg finds the page',
  'fusion loses the page',
  'refused though found',
  'cited another page',
  'unanswerable answered',
] as const;
export type MissCause = (typeof missCauses)[number];

/** 1-based rank of the first relevant page per question, null when not found; by question text. */
export type FirstRelevantRanks = ReadonlyMap<string, number | null>;

export interface MissedQuestion {
  question: string;
  kind: AnswerOutcome['kind'];
  cause: MissCause;
  confidence: number;
  /** Rank of the first relevant page in the hybrid ranking, and in each leg's (null: not found). */
  ranks: { hybrid: number | null; bm25: number | null; vector: number | null };
}

export interface MissedByCause {
  answerable: number;
  unanswerable: number;
  counts: Record<MissCause, number>;
  questions: MissedQuestion[];
}

export function missedByCause(
  answers: readonly AnswerOutcome[],
  ranks: { hybrid: FirstRelevantRanks; bm25: FirstRelevantRanks; vector: FirstRelevantRanks },
  k: number,
): MissedByCause {
  const counts = Object.fromEntries(missCauses.map((cause) => [cause, 0])) as Record<MissCause, number>;
  const questions: MissedQuestion[] = [];
  const within = (rank: number | null | undefined) => rank !== null && rank !== undefined && rank <= k;
  for (const outcome of answers) {
    const found = {
      hybrid: ranks.hybrid.get(outcome.question) ?? null,
      bm25: ranks.bm25.get(outcome.question) ?? null,
      vector: ranks.vector.get(outcome.question) ?? null,
    };
    let cause: MissCause | undefined;
    if (outcome.kind === 'unanswerable') {
      if (!outcome.refused) cause = 'unanswerable answered';
    } else if (!outcome.refused && outcome.citedRelevant.length > 0) {
      continue;
    } else if (!within(found.hybrid)) {
      cause =
        within(found.bm25) || within(found.vector) ? 'fusion loses the page' : 'neither leg finds the page';
    } else cause = outcome.refused ? 'refused though found' : 'cited another page';
    if (!cause) continue;
    counts[cause] += 1;
    questions.push({
      question: outcome.question,
      kind: outcome.kind,
      cause,
      confidence: outcome.confidence,
      ranks: found,
    });
  }
  const unanswerable = answers.filter((outcome) => outcome.kind === 'unanswerable').length;
  return { answerable: answers.length - unanswerable, unanswerable, counts, questions };
}
