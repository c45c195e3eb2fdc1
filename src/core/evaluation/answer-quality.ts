import type { AnswerabilityFeatures } from '../answering/answerability.ts';
import { cosineSimilarity } from '../math/vector-math.ts';
import type { AskInput, AskOptions, AskResult } from '../answering/types.ts';
import { InputError } from '../errors/index.ts';
import type { Embedder } from '../ports/index.ts';
import { matchRelevant, mean, type QaItem, type QaKind, qaKinds } from '../retrieval/retrieval-evaluation.ts';

export interface AnswerOutcome {
  question: string;
  kind: QaKind;
  relevant: string[];
  answer: string;
  refused: boolean;
  confidence: number;
  /** The answer said it may not answer the question (`answering.uncertainBelow`). */
  uncertain: boolean;
  /** Relevant paths among the sources the answer cites. */
  citedRelevant: string[];
  /** Documents the answer cites. */
  cited: string[];
  /** Cosine similarity of the answer to the reference answer; null when refused or without a reference. */
  similarity: number | null;
  features?: AnswerabilityFeatures;
}

export interface KindSummary {
  kind: QaKind;
  questions: number;
  /** Share refused: the right outcome for unanswerable questions, the wrong one for the others. */
  refused: number;
  /** Share whose answer cites a relevant page (answerable kinds; refused answers count as not citing). */
  citesRelevant: number;
  /** Mean similarity to the reference answer over the answers given with a reference. */
  similarity: number | null;
}

export interface AnswerQualityEvaluation {
  questionCount: number;
  model: string;
  byKind: KindSummary[];
  /** Figures over all answerable questions, and the refusal share of the unanswerable ones. */
  overall: {
    unanswerableRefused: number | null;
    answerableRefused: number;
    citesRelevant: number;
    similarity: number | null;
    /**
     * Of the answers given (not refused), the share that said the documentation may not answer the question: to
     * unanswerable questions (the more the better: a wrong answer that says so) and to answerable ones (the fewer
     * the better). Null when no such answer was given.
     */
    uncertain: { unanswerable: number | null; answerable: number | null };
  };
  questions: AnswerOutcome[];
}

export interface AnswerQualityDependencies {
  ask(input: AskInput, options?: AskOptions): Promise<AskResult>;
  embedder: Embedder;
}

/** The answer as a reader sees it: citation markers and Markdown link targets removed. */
export function plainAnswer(text: string): string {
  return text
    .replace(/\s*\[\d+\]/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .trim();
}

function summarise(kind: QaKind, outcomes: readonly AnswerOutcome[]): KindSummary {
  const similarities = outcomes.flatMap((outcome) =>
    outcome.similarity === null ? [] : [outcome.similarity],
  );
  return {
    kind,
    questions: outcomes.length,
    refused: mean(outcomes.map((outcome) => (outcome.refused ? 1 : 0))),
    citesRelevant:
      kind === 'unanswerable'
        ? 0
        : mean(outcomes.map((outcome) => (outcome.citedRelevant.length > 0 ? 1 : 0))),
    similarity: similarities.length === 0 ? null : mean(similarities),
  };
}

/**
 * Runs ask() for every question of a QA set, without logging conversations, and scores what a user would get:
 * refusals of unanswerable and answerable questions, answers citing a relevant page, and the answer's
 * similarity to the reference answer (the embedder's cosine). Questions run one after another.
 */
export async function evaluateAnswers(
  qa: readonly QaItem[],
  dependencies: AnswerQualityDependencies,
): Promise<AnswerQualityEvaluation> {
  if (qa.length === 0) throw new InputError('The QA set holds no questions.');
  const outcomes: AnswerOutcome[] = [];
  let model = 'none';
  for (const item of qa) {
    const result = await dependencies.ask(
      { question: item.question, context: { platform: 'cli' } },
      { stream: false, record: false },
    );
    if (!result.refused && result.model !== 'none') model = result.model;
    const citedSources = result.citations
      .map((number) => result.sources[number - 1])
      .filter((source) => source !== undefined);
    const cited = [...new Set(citedSources.map((source) => source.docId))];
    const citedRelevant = [
      ...new Set(citedSources.flatMap((source) => matchRelevant(source, item.relevant) ?? [])),
    ];
    let similarity: number | null = null;
    if (!result.refused && item.answer) {
      const [answerVector, referenceVector] = await dependencies.embedder.embed([
        plainAnswer(result.answer),
        item.answer,
      ]);
      similarity = cosineSimilarity(answerVector!, referenceVector!);
    }
    outcomes.push({
      question: item.question,
      kind: item.kind,
      relevant: item.relevant,
      answer: result.answer,
      refused: result.refused,
      confidence: result.confidence,
      uncertain: result.uncertain === true,
      citedRelevant,
      cited,
      similarity,
      ...(result.answerability ? { features: result.answerability } : {}),
    });
  }
  const byKind = qaKinds
    .map((kind) =>
      summarise(
        kind,
        outcomes.filter((outcome) => outcome.kind === kind),
      ),
    )
    .filter((summary) => summary.questions > 0);
  const answerable = outcomes.filter((outcome) => outcome.kind !== 'unanswerable');
  const unanswerable = outcomes.filter((outcome) => outcome.kind === 'unanswerable');
  const all = summarise('keyword', answerable);
  const uncertainShare = (list: readonly AnswerOutcome[]) => {
    const answered = list.filter((outcome) => !outcome.refused);
    return answered.length === 0 ? null : mean(answered.map((outcome) => (outcome.uncertain ? 1 : 0)));
  };
  return {
    questionCount: outcomes.length,
    model,
    byKind,
    overall: {
      unanswerableRefused:
        unanswerable.length === 0 ? null : mean(unanswerable.map((outcome) => (outcome.refused ? 1 : 0))),
      answerableRefused: answerable.length === 0 ? 0 : all.refused,
      citesRelevant: answerable.length === 0 ? 0 : all.citesRelevant,
      similarity: all.similarity,
      uncertain: { unanswerable: uncertainShare(unanswerable), answerable: uncertainShare(answerable) },
    },
    questions: outcomes,
  };
}
