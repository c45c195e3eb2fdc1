import { createHash } from 'node:crypto';
import type { Chunk } from '../src/core/index.ts';

/**
 * A deterministic synthetic knowledge base for the benchmarks: the same seed gives the same documents, texts,
 * vectors and queries on every machine, so figures from two runs compare. Texts draw words from a Zipf-like
 * vocabulary mixed with a topic's words and a few rare words of the chunk; vectors are unit vectors near their
 * topic's centre. Every query is written for one target chunk, so retrieval quality is measurable too.
 */

export const dimensions = 384;
const vocabularySize = 20_000;
const topicCount = 200;
const wordsPerTopic = 40;
const zipfExponent = 1.07;
/** The most frequent ranks play the part of stop words (see queryFillerWord). */
const stopWordRanks = 100;
/**
 * Real sentence vectors of one corpus are far from independent: they vary along a few directions. Chunks here
 * vary along this many shared directions (plus a little noise of their own), so near neighbours exist and a
 * loosely phrased query lands nearer to other chunks than to its answer, as with a real model.
 */
const sharedDirections = 16;

/** mulberry32: a small, fast, well-mixed 32-bit generator; plenty for test data. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function seedOf(...parts: Array<string | number>): number {
  return createHash('sha1').update(parts.join(':')).digest().readUInt32BE(0);
}

/** A standard normal sample (Box-Muller). */
function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function unit(vector: Float64Array | number[]): number[] {
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  const norm = Math.sqrt(sumOfSquares) || 1;
  return Array.from(vector, (value) => value / norm);
}

const syllables = [
  'ka',
  'lo',
  'mi',
  'ra',
  'te',
  'su',
  'no',
  'vi',
  'da',
  'pe',
  'zo',
  'ri',
  'ba',
  'gu',
  'fe',
  'hi',
  'ju',
  'wo',
  'xe',
  'qua',
  'tor',
  'lin',
  'sam',
  'dex',
];

/** Pronounceable, distinct words: the n-th word spells n in base 24 syllables, so no two collide. */
function wordFor(index: number): string {
  let word = '';
  let rest = index + syllables.length;
  while (rest > 0) {
    word = syllables[rest % syllables.length]! + word;
    rest = Math.floor(rest / syllables.length);
  }
  return word;
}

interface Model {
  vocabulary: string[];
  /** Cumulative Zipf weights, for sampling a background word by binary search. */
  cumulative: Float64Array;
  topicWords: string[][];
  topicCentres: number[][];
  directions: number[][];
}

let model: Model | undefined;

function corpusModel(): Model {
  if (model) return model;
  const vocabulary = Array.from({ length: vocabularySize }, (_, index) => wordFor(index));
  const cumulative = new Float64Array(vocabularySize);
  let total = 0;
  for (let rank = 0; rank < vocabularySize; rank += 1) {
    total += 1 / (rank + 1) ** zipfExponent;
    cumulative[rank] = total;
  }
  for (let rank = 0; rank < vocabularySize; rank += 1) cumulative[rank]! /= total;
  const random = createRandom(seedOf('topics'));
  const topicWords: string[][] = [];
  const topicCentres: number[][] = [];
  for (let topic = 0; topic < topicCount; topic += 1) {
    // Topic words come from the middle of the frequency range: not stop-word common, not unique.
    topicWords.push(
      Array.from({ length: wordsPerTopic }, () => vocabulary[200 + Math.floor(random() * 8000)]!),
    );
    topicCentres.push(unit(Array.from({ length: dimensions }, () => gaussian(random))));
  }
  const directions = Array.from({ length: sharedDirections }, () =>
    unit(Array.from({ length: dimensions }, () => gaussian(random))),
  );
  model = { vocabulary, cumulative, topicWords, topicCentres, directions };
  return model;
}

/** A word rank drawn from the Zipf distribution (0 is the most frequent word). */
function backgroundRank(random: () => number): number {
  const { cumulative } = corpusModel();
  const target = random();
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

function backgroundWord(random: () => number): string {
  return corpusModel().vocabulary[backgroundRank(random)]!;
}

/**
 * A background word of a query. The most frequent words of a language are its function words, which both
 * stores' analyzers drop from queries (stop words); queries here skip the vocabulary's top ranks the same way.
 */
function queryFillerWord(random: () => number): string {
  for (;;) {
    const rank = backgroundRank(random);
    if (rank >= stopWordRanks) return corpusModel().vocabulary[rank]!;
  }
}

/** Words of the long tail, rare enough to identify a chunk, as support questions name an error or a setting. */
function rareWord(random: () => number): string {
  const { vocabulary } = corpusModel();
  return vocabulary[10_000 + Math.floor(random() * (vocabularySize - 10_000))]!;
}

export interface SyntheticChunk extends Chunk {
  topic: number;
  /** The chunk's own rare words, which queries about it use. */
  rareWords: string[];
}

export interface SyntheticDocument {
  docId: string;
  chunks: SyntheticChunk[];
}

/**
 * A unit vector at `centre`, moved along the shared directions by `spread` (standard deviation per direction)
 * and by `ownNoise` (the length of a random move of its own), then normalised.
 */
function near(centre: number[], spread: number, ownNoise: number, random: () => number): number[] {
  const { directions } = corpusModel();
  const mixed = Float64Array.from(centre);
  for (const direction of directions) {
    const amount = gaussian(random) * spread;
    for (let index = 0; index < dimensions; index += 1) mixed[index]! += direction[index]! * amount;
  }
  const scale = ownNoise / Math.sqrt(dimensions);
  for (let index = 0; index < dimensions; index += 1) mixed[index]! += gaussian(random) * scale;
  return unit(mixed);
}

/** The first draws of a document's generator: its topic and its number of chunks, cheap to know ahead. */
function documentShape(random: () => number): { topic: number; chunkCount: number } {
  const topic = Math.floor(random() * topicCount);
  return { topic, chunkCount: 4 + Math.floor(random() * 13) };
}

/** The n-th document: 4 to 16 chunks (10 on average), as a manual page cut into ~100-word passages. */
export function syntheticDocument(index: number, seed = 1): SyntheticDocument {
  const { topicWords, topicCentres } = corpusModel();
  const random = createRandom(seedOf(seed, 'document', index));
  const docId = `synthetic/section-${Math.floor(index / 100)}/page-${index}.md`;
  const { topic, chunkCount } = documentShape(random);
  const title = `${topicWords[topic]![0]} ${topicWords[topic]![1]} page ${index}`;
  const documentHash = createHash('sha256').update(`${seed}:${docId}`).digest('hex');
  const chunks: SyntheticChunk[] = [];
  for (let ordinal = 0; ordinal < chunkCount; ordinal += 1) {
    // A chunk mostly stays on its page's topic, sometimes drifts to a neighbour.
    const chunkTopic = random() < 0.8 ? topic : Math.floor(random() * topicCount);
    const rareWords = Array.from({ length: 4 }, () => rareWord(random));
    const length = 80 + Math.floor(random() * 60);
    const words: string[] = [];
    for (let position = 0; position < length; position += 1) {
      const roll = random();
      if (roll < 0.25) words.push(topicWords[chunkTopic]![Math.floor(random() * wordsPerTopic)]!);
      else if (roll < 0.29) words.push(rareWords[Math.floor(random() * rareWords.length)]!);
      else words.push(backgroundWord(random));
    }
    const text = words.join(' ');
    chunks.push({
      id: `${docId}#${ordinal}`,
      docId,
      source: docId,
      title,
      headingPath: [`${topicWords[chunkTopic]![2]} ${topicWords[chunkTopic]![3]}`],
      text,
      embedding: near(topicCentres[chunkTopic]!, 0.5, 0.3, random),
      tags: [`topic-${chunkTopic % 20}`],
      updatedAt: '2026-01-01T00:00:00.000Z',
      contentHash: createHash('sha256').update(text).digest('hex'),
      documentHash,
      ordinal,
      topic: chunkTopic,
      rareWords,
    });
  }
  return { docId, chunks };
}

/** Documents from the first on, until at least `chunkTarget` chunks: sizes nest, so a bigger corpus extends a smaller one. */
export function* syntheticDocuments(
  chunkTarget: number,
  options: { from?: number; seed?: number } = {},
): Generator<SyntheticDocument & { index: number }> {
  const { documents } = corpusSize(chunkTarget, options.seed);
  for (let index = options.from ?? 0; index < documents; index += 1)
    yield { ...syntheticDocument(index, options.seed), index };
}

/** How many documents the corpus of at least `chunkTarget` chunks holds, and how many chunks exactly. */
export function corpusSize(chunkTarget: number, seed = 1): { documents: number; chunks: number } {
  let documents = 0;
  let chunks = 0;
  while (chunks < chunkTarget) {
    chunks += documentShape(createRandom(seedOf(seed, 'document', documents))).chunkCount;
    documents += 1;
  }
  return { documents, chunks };
}

export interface SyntheticQuery {
  text: string;
  vector: number[];
  /** The chunk the query was written for: the known answer. */
  targetChunkId: string;
  targetDocId: string;
}

/**
 * Queries with known answers, each aimed at a random chunk of the corpus. Like real questions they come in
 * three kinds: a third name the chunk's rare words but are loosely phrased (their vectors lie far from the
 * target's: BM25 finds them), a third paraphrase with topic words only (close vectors: the vector leg must find
 * them), and the rest have a bit of both.
 */
export function syntheticQueries(count: number, documentCount: number, seed = 1): SyntheticQuery[] {
  const { topicWords } = corpusModel();
  const random = createRandom(seedOf(seed, 'queries', documentCount, count));
  const queries: SyntheticQuery[] = [];
  for (let index = 0; index < count; index += 1) {
    const document = syntheticDocument(Math.floor(random() * documentCount), seed);
    const target = document.chunks[Math.floor(random() * document.chunks.length)]!;
    const kind = random();
    // Spread along the shared directions, against about 0.22 between two chunks of one topic after normalising.
    const [rareCount, spread] = kind < 0.35 ? [2, 0.4] : kind < 0.7 ? [0, 0.05] : [1, 0.2];
    const words: string[] = [];
    for (let word = 0; word < rareCount; word += 1)
      words.push(target.rareWords[Math.floor(random() * target.rareWords.length)]!);
    const topicCount = 2 + Math.floor(random() * 3);
    for (let word = 0; word < topicCount; word += 1)
      words.push(topicWords[target.topic]![Math.floor(random() * wordsPerTopic)]!);
    words.push(queryFillerWord(random), queryFillerWord(random));
    // Shuffle, so word order carries no hint.
    for (let position = words.length - 1; position > 0; position -= 1) {
      const other = Math.floor(random() * (position + 1));
      [words[position], words[other]] = [words[other]!, words[position]!];
    }
    queries.push({
      text: words.join(' '),
      vector: near(target.embedding, spread, 0.2, random),
      targetChunkId: target.id,
      targetDocId: target.docId,
    });
  }
  return queries;
}
