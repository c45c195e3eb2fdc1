import { createHash } from 'node:crypto';
import type { Embedder } from '../../src/core/ports/index.ts';

/**
 * Common English endings, longest first, so 'passwords' and 'password', 'resetting' and 'reset',
 * 'databases' and 'database' share a feature. One ending is stripped at most.
 */
const suffixes = ['ings', 'ing', 'ies', 'es', 'ed', 'ly', 's', 'e'];

/** A crude stemmer: enough for tests to see plural and verb forms meet, never meant to be linguistics. */
export function stemWord(word: string): string {
  for (const suffix of suffixes) {
    if (word.length - suffix.length >= 3 && word.endsWith(suffix)) {
      const stem = word.slice(0, -suffix.length);
      if (suffix === 'ies') return `${stem}y`;
      // 'resetting' -> 'resett' -> 'reset': undo the doubled consonant of a stripped 'ing'/'ed'.
      if ((suffix === 'ing' || suffix === 'ed') && stem.length >= 4 && stem.at(-1) === stem.at(-2))
        return stem.slice(0, -1);
      return stem;
    }
  }
  return word;
}

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(stemWord);
}

/** Feature hashing: a stable bucket and sign per word, so different words rarely cancel or collide. */
function bucketOf(word: string, dimensions: number): { index: number; sign: number } {
  const digest = createHash('sha1').update(word).digest();
  return { index: digest.readUInt32BE(0) % dimensions, sign: digest[4]! & 1 ? -1 : 1 };
}

/**
 * An Embedder for tests: a hashed bag of words, unit-normalised. Texts sharing words get high cosine,
 * texts sharing none get about zero, and the same text always gets the same vector. No model, no I/O.
 * A text without words maps to a fixed unit vector so every output has unit length.
 */
export function createDeterministicEmbedder(dimensions = 64): Embedder & { calls: string[][] } {
  const cache = new Map<string, { index: number; sign: number }>();
  const calls: string[][] = [];
  const embedOne = (text: string): number[] => {
    const vector = new Array<number>(dimensions).fill(0);
    for (const word of tokenize(text)) {
      let bucket = cache.get(word);
      if (!bucket) {
        bucket = bucketOf(word, dimensions);
        cache.set(word, bucket);
      }
      vector[bucket.index]! += bucket.sign;
    }
    let sumOfSquares = 0;
    for (const value of vector) sumOfSquares += value * value;
    const norm = Math.sqrt(sumOfSquares);
    if (norm === 0) {
      vector[0] = 1;
      return vector;
    }
    return vector.map((value) => value / norm);
  };
  return {
    id: `test-hash-${dimensions}`,
    dimensions,
    calls,
    async embed(texts, options) {
      calls.push([...texts]);
      const vectors: number[][] = [];
      for (const text of texts) {
        vectors.push(embedOne(text));
        options?.onProgress?.(vectors.length, texts.length);
      }
      return vectors;
    },
  };
}

/**
 * The answerability model for stores filled by this embedder, as environment settings. The shipped model reads
 * cosines of a real sentence model; hashed word vectors give cosines with no meaning (any two texts of a tiny
 * corpus look alike), so suites that use this embedder score answerability on word coverage alone.
 */
export const hashedVectorAnswerabilityEnv: Record<string, string> = {
  ANSWERLOOP_ANSWERING__ANSWERABILITY__INTERCEPT: '0',
  ANSWERLOOP_ANSWERING__ANSWERABILITY__WEIGHTS__TOP_COSINE: '0',
  ANSWERLOOP_ANSWERING__ANSWERABILITY__WEIGHTS__COSINE_MARGIN: '0',
  ANSWERLOOP_ANSWERING__ANSWERABILITY__WEIGHTS__BM25_PEAK: '0',
  ANSWERLOOP_ANSWERING__ANSWERABILITY__WEIGHTS__COVERAGE: '3',
  ANSWERLOOP_ANSWERING__ANSWERABILITY__WEIGHTS__UNKNOWN_SHARE: '-3',
  ANSWERLOOP_ANSWERING__ANSWERABILITY__WEIGHTS__LEGS_AGREE: '0',
  ANSWERLOOP_ANSWERING__ANSWERABILITY__WEIGHTS__SENTENCE_COSINE: '0',
};
