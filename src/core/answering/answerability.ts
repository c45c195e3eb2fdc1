import type { SearchHit, SearchResult } from '../retrieval/index.ts';
import { cosineSimilarity } from '../math/vector-math.ts';
import type { StoredSentence } from '../ports/index.ts';
import { fillerWords } from '../retrieval/filler-words.ts';

/**
 * Cheap facts about a retrieval that tell a question the documentation answers from one it does not. Every
 * feature is scale-free (a cosine, a share, a ratio), so Elasticsearch's and FTS5's BM25 scales give the same
 * values and one fitted model serves both stores.
 */
export interface AnswerabilityFeatures {
  /** Best cosine similarity of the vector leg (-1..1). */
  topCosine: number;
  /** Best cosine minus the mean of the next nine: how far the best passage stands out. */
  cosineMargin: number;
  /** 1 - mean of the BM25 leg's top ten / its best: how peaked the keyword evidence is (0 when flat or absent). */
  bm25Peak: number;
  /** Share of the question's content words, weighted by rarity, that the top passages contain. */
  coverage: number;
  /** Share of the question's content words, weighted by rarity, that no passage of the knowledge base contains. */
  unknownShare: number;
  /** 1 when both legs put the same document first. */
  legsAgree: number;
  /**
   * Best cosine between the question and a single sentence of the top passages: a passage about the right topic
   * scores well as a whole, but only a sentence that says the answer scores well alone. 0 when not computed; the
   * passage's `topCosine` when the top passages hold no quotable sentence.
   */
  sentenceCosine: number;
}

export const answerabilityFeatureNames = [
  'topCosine',
  'cosineMargin',
  'bm25Peak',
  'coverage',
  'unknownShare',
  'legsAgree',
  'sentenceCosine',
] as const;

export type AnswerabilityFeatureName = (typeof answerabilityFeatureNames)[number];

/** A logistic model: P(answerable) = 1 / (1 + exp(-(intercept + sum of weight * feature))). */
export interface AnswerabilityModel {
  intercept: number;
  weights: Record<AnswerabilityFeatureName, number>;
}

/** Passages whose words count as covering the question. */
const coveringPassages = 3;

/** Lower-case content words with a light English suffix folding, so "reconciling" and "reconcile" meet. */
export function contentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((word) => word.length > 1 && !fillerWords.has(word)))];
}

export function foldWord(word: string): string {
  return word.length > 4 ? word.replace(/(ations?|ings?|ed|es|s|e)$/, '') : word;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function passageWords(hit: SearchHit): Set<string> {
  const { title, headingPath, text } = hit.chunk;
  return new Set(contentWords([title, ...headingPath, text].join(' ')).map(foldWord));
}

/**
 * Computes the features of one retrieval. `termCounts` gives, for each of `words`, how many chunks contain it
 * (the store's own analysis), and the number of chunks: the rarer a word, the more its absence says.
 */
export function answerabilityFeatures(
  result: Pick<SearchResult, 'hits' | 'evidence'>,
  words: readonly string[],
  termCounts: { chunks: number; counts: readonly number[] },
): AnswerabilityFeatures {
  const { evidence } = result;
  const vector = evidence.vector;
  const bm25 = evidence.bm25;
  const topCosine = vector[0] ?? 0;
  const cosineMargin = vector.length > 1 ? topCosine - mean(vector.slice(1, 10)) : 0;
  const bm25Peak = bm25.length > 0 && bm25[0]! > 0 ? 1 - mean(bm25.slice(0, 10)) / bm25[0]! : 0;

  const covered = new Set<string>();
  for (const hit of result.hits.slice(0, coveringPassages))
    for (const word of passageWords(hit)) covered.add(word);
  let total = 0;
  let found = 0;
  let unknown = 0;
  words.forEach((word, index) => {
    const count = termCounts.counts[index] ?? 0;
    const rarity = Math.log((termCounts.chunks + 1) / (count + 1)) + 1;
    total += rarity;
    if (covered.has(foldWord(word))) found += rarity;
    if (count === 0) unknown += rarity;
  });
  return {
    topCosine,
    cosineMargin,
    bm25Peak,
    coverage: total === 0 ? 0 : found / total,
    unknownShare: total === 0 ? 0 : unknown / total,
    legsAgree: evidence.bm25TopDoc !== undefined && evidence.bm25TopDoc === evidence.vectorTopDoc ? 1 : 0,
    sentenceCosine: 0,
  };
}

/**
 * The best cosine between the query vector and one sentence of the top passages: their quotable sentences, whose
 * vectors ingestion stored (sentence-evidence.ts). Pure: nothing is embedded here. Undefined when those passages hold
 * no quotable sentence at all (code, a table of names): that is no evidence either way, and the caller lets the
 * passage's own cosine stand in rather than count it as a sentence that matches nothing.
 */
export function bestSentenceCosine(
  queryVector: readonly number[],
  hits: readonly SearchHit[],
  sentencesOf: (chunkId: string) => readonly StoredSentence[] | undefined,
): number | undefined {
  let best = -1;
  let seen = 0;
  for (const hit of hits.slice(0, coveringPassages))
    for (const sentence of sentencesOf(hit.chunk.id) ?? []) {
      best = Math.max(best, cosineSimilarity(queryVector, sentence.vector));
      seen += 1;
    }
  return seen === 0 ? undefined : best;
}

/**
 * The probability that the documentation answers the question, in 0..1. A question none of whose content words
 * appears anywhere in the knowledge base scores 0 whatever the vectors say: no answerable question of the evaluation
 * corpora is like that, and on a small knowledge base the vector facts alone can look confident about anything.
 */
export function answerabilityScore(features: AnswerabilityFeatures, model: AnswerabilityModel): number {
  if (features.unknownShare >= 1) return 0;
  let logit = model.intercept;
  for (const name of answerabilityFeatureNames) logit += model.weights[name] * features[name];
  return 1 / (1 + Math.exp(-logit));
}

export interface LabelledFeatures {
  features: AnswerabilityFeatures;
  answerable: boolean;
}

/**
 * Fits the logistic model by gradient descent on the log loss with a small L2 penalty (not on the intercept), on
 * standardised features (the raw ones differ in scale by a factor of ten), classes weighted to count equally, so
 * a QA set with few unanswerable questions still teaches the boundary. The coefficients are returned for the raw
 * features. Deterministic: same data, same coefficients. `features` fits on a subset (the others get weight 0):
 * fewer features overfit a small QA set less.
 */
export function fitAnswerabilityModel(
  examples: readonly LabelledFeatures[],
  options: {
    l2?: number;
    iterations?: number;
    learningRate?: number;
    features?: readonly AnswerabilityFeatureName[];
  } = {},
): AnswerabilityModel {
  const l2 = options.l2 ?? 0.01;
  const iterations = options.iterations ?? 3000;
  const learningRate = options.learningRate ?? 0.5;
  const positives = examples.filter((example) => example.answerable).length;
  const negatives = examples.length - positives;
  if (positives === 0 || negatives === 0)
    throw new Error('Fitting the answerability model needs answerable and unanswerable questions.');
  const classWeight = (answerable: boolean) => examples.length / (2 * (answerable ? positives : negatives));
  const names = options.features
    ? answerabilityFeatureNames.filter((name) => options.features!.includes(name))
    : answerabilityFeatureNames;
  if (names.length === 0) throw new Error('Fitting the answerability model needs at least one feature.');
  const raw = examples.map((example) => names.map((name) => example.features[name]));
  const centre = names.map((_, index) => mean(raw.map((row) => row[index]!)));
  const spread = names.map(
    (_, index) => Math.sqrt(mean(raw.map((row) => (row[index]! - centre[index]!) ** 2))) || 1,
  );
  const rows = examples.map((example, row) => ({
    x: raw[row]!.map((value, index) => (value - centre[index]!) / spread[index]!),
    y: example.answerable ? 1 : 0,
    w: classWeight(example.answerable),
  }));
  const weights = names.map(() => 0);
  let intercept = 0;
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    const gradient = names.map(() => 0);
    let interceptGradient = 0;
    for (const row of rows) {
      let logit = intercept;
      row.x.forEach((value, index) => (logit += weights[index]! * value));
      const error = (1 / (1 + Math.exp(-logit)) - row.y) * row.w;
      interceptGradient += error;
      row.x.forEach((value, index) => (gradient[index]! += error * value));
    }
    intercept -= (learningRate * interceptGradient) / rows.length;
    weights.forEach(
      (weight, index) =>
        (weights[index] = weight - learningRate * (gradient[index]! / rows.length + l2 * weight)),
    );
  }
  // Back to raw features: w_raw = w / spread, intercept_raw = intercept - sum(w * centre / spread).
  const rawWeights = weights.map((weight, index) => weight / spread[index]!);
  const rawIntercept =
    intercept - rawWeights.reduce((sum, weight, index) => sum + weight * centre[index]!, 0);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    intercept: round(rawIntercept),
    weights: Object.fromEntries(
      answerabilityFeatureNames.map((name) => {
        const index = names.indexOf(name);
        return [name, index < 0 ? 0 : round(rawWeights[index]!)];
      }),
    ) as AnswerabilityModel['weights'],
  };
}
