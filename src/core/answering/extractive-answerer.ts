import { parseAnswerPrompt } from './prompt.ts';
import { toAnswerloopError } from '../errors/index.ts';
import { answerSentences, maxSentenceWords } from '../knowledge/passage-sentences.ts';
import { dotProduct } from '../math/vector-math.ts';
import type { ChatModel, ChatRequest, Embedder, Logger } from '../ports/index.ts';
import { fillerWords } from '../retrieval/filler-words.ts';

export interface ExtractiveChatModelOptions {
  /** Scores candidate sentences by meaning; without it (or when it fails) shared words alone decide. */
  embedder?: Embedder;
  /** Told when the embedder fails and the answer falls back to shared words. */
  logger?: Logger;
  /** Sentences in an answer, at most. */
  maxSentences?: number;
  /** Candidate sentences embedded per question: the best by shared words and position. */
  maxCandidates?: number;
  /** Share of a sentence's score that comes from its meaning (0..1); the rest from shared rare words. */
  semanticWeight?: number;
  /** Score taken off per rank of the source a sentence comes from: better-ranked sources win close calls. */
  sourcePenalty?: number;
  /** A further sentence joins the answer when it scores within this of the best one (twice this for the next sentence). */
  companionMargin?: number;
  /** Longer sentences are never quoted: they make a long answer, and are often run-on lists. */
  maxSentenceWords?: number;
}

export const extractiveDefaults = {
  maxSentences: 3,
  maxCandidates: 40,
  semanticWeight: 0.7,
  sourcePenalty: 0.03,
  companionMargin: 0.15,
  maxSentenceWords,
} as const;

function terms(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
      .filter((word) => word.length > 1 && !fillerWords.has(word))
      .map((word) => word.replace(/(ing|ed|es|s)$/, '')),
  );
}

interface Candidate {
  sentence: string;
  number: number;
  sourceIndex: number;
  sentenceIndex: number;
  terms: Set<string>;
  /** Shared question words weighted by rarity, as a share of all the question's weight (0..1). */
  overlap: number;
  score: number;
}

/**
 * The offline answerer: no language model. It quotes the one to three whole sentences of the given sources that
 * best answer the question, each cited with its source number. A sentence's score joins its meaning (the
 * embedder's cosine to the question) with the question's rare words it shares, less a little per rank of its
 * source. It reads the same prompt a chat model gets, so ask() has one path for both.
 */
export { answerSentences, plainText } from '../knowledge/passage-sentences.ts';

export function createExtractiveChatModel(options: ExtractiveChatModelOptions = {}): ChatModel {
  const maxSentences = options.maxSentences ?? extractiveDefaults.maxSentences;
  const maxCandidates = options.maxCandidates ?? extractiveDefaults.maxCandidates;
  const semanticWeight = options.semanticWeight ?? extractiveDefaults.semanticWeight;
  const sourcePenalty = options.sourcePenalty ?? extractiveDefaults.sourcePenalty;
  const companionMargin = options.companionMargin ?? extractiveDefaults.companionMargin;
  const maxSentenceWords = options.maxSentenceWords ?? extractiveDefaults.maxSentenceWords;
  const { embedder, logger } = options;

  async function meanings(
    question: string,
    candidates: Candidate[],
    known: ChatRequest['sentenceVectors'],
  ): Promise<number[] | undefined> {
    if (semanticWeight === 0 || candidates.length === 0) return undefined;
    if (known) {
      // Vectors stored at ingestion: only a sentence the store has none for (a source cut short) is embedded.
      const missing = [...new Set(candidates.map((candidate) => candidate.sentence))].filter(
        (sentence) => !known.sentences.has(sentence),
      );
      const fresh = new Map<string, number[]>();
      if (missing.length > 0 && embedder) {
        try {
          (await embedder.embed(missing, { priority: 'interactive' })).forEach((vector, index) =>
            fresh.set(missing[index]!, vector),
          );
        } catch (error) {
          logger?.warn(
            { err: toAnswerloopError(error) },
            'embedder failed; sentences without stored vectors count by shared words alone',
          );
        }
      }
      return candidates.map((candidate) => {
        const vector = known.sentences.get(candidate.sentence) ?? fresh.get(candidate.sentence);
        return vector ? dotProduct(known.question, vector) : 0;
      });
    }
    if (!embedder) return undefined;
    try {
      const [questionVector, ...vectors] = await embedder.embed(
        [question, ...candidates.map((candidate) => candidate.sentence)],
        { priority: 'interactive' },
      );
      if (!questionVector || vectors.length !== candidates.length)
        throw new Error(
          `the embedder returned ${vectors.length + 1} vectors for ${candidates.length + 1} texts`,
        );
      return vectors.map((vector) => dotProduct(questionVector, vector));
    } catch (error) {
      logger?.warn(
        { err: toAnswerloopError(error) },
        'embedder failed; choosing extractive sentences by shared words alone',
      );
      return undefined;
    }
  }

  return {
    async complete(request) {
      const started = performance.now();
      const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
      const { question, sources } = parseAnswerPrompt(user);
      const questionTerms = terms(question);
      const all: Candidate[] = sources.flatMap((source, sourceIndex) =>
        answerSentences(source.text, maxSentenceWords).map((sentence, sentenceIndex) => ({
          sentence,
          number: source.number,
          sourceIndex,
          sentenceIndex,
          terms: terms(sentence),
          overlap: 0,
          score: 0,
        })),
      );
      // A question word that few sentences share says more about the answer than one most of them share. A word
      // no sentence has counts as the rarest: sharing one word of a question the passages put in other words is
      // weak evidence, and meaning decides.
      const weights = [...questionTerms].map((term) => {
        const containing = all.filter((candidate) => candidate.terms.has(term)).length;
        return { term, weight: Math.log(1 + all.length / Math.max(containing, 1)) };
      });
      const totalWeight = weights.reduce((sum, { weight }) => sum + weight, 0);
      const present = weights.filter(({ term }) => all.some((candidate) => candidate.terms.has(term)));
      const topWeight = Math.max(0, ...present.map(({ weight }) => weight));
      const rareTerms = present.filter(({ weight }) => weight >= 0.75 * topWeight).map(({ term }) => term);
      for (const candidate of all) {
        let shared = 0;
        for (const { term, weight } of weights) if (candidate.terms.has(term)) shared += weight;
        candidate.overlap = totalWeight === 0 ? 0 : shared / totalWeight;
      }
      // Only the likeliest sentences are embedded: the best by shared words, earlier sources and sentences first.
      const position = (candidate: Candidate) => candidate.sourceIndex * 1000 + candidate.sentenceIndex;
      const prior = (candidate: Candidate) =>
        candidate.overlap - 0.1 * candidate.sourceIndex - 0.01 * Math.min(candidate.sentenceIndex, 10);
      const candidates = [...all]
        .sort((a, b) => prior(b) - prior(a) || position(a) - position(b))
        .slice(0, maxCandidates);

      const cosines = await meanings(question, candidates, request.sentenceVectors);
      let ranked: Candidate[];
      if (cosines) {
        candidates.forEach((candidate, index) => {
          candidate.score =
            semanticWeight * cosines[index]! +
            (1 - semanticWeight) * candidate.overlap -
            sourcePenalty * candidate.sourceIndex;
        });
        ranked = [...candidates].sort((a, b) => b.score - a.score || position(a) - position(b));
      } else {
        candidates.forEach(
          (candidate) => (candidate.score = candidate.overlap - sourcePenalty * candidate.sourceIndex),
        );
        ranked = candidates
          .filter((candidate) => candidate.overlap > 0)
          .sort((a, b) => b.overlap - a.overlap || position(a) - position(b));
        // Retrieval already judged the sources relevant: when no words are shared (a paraphrase), lead with the best source.
        if (ranked.length === 0)
          ranked = all
            .filter((candidate) => candidate.sourceIndex === 0)
            .sort((a, b) => position(a) - position(b));
      }

      const best = ranked[0];
      const picked = best ? [best] : [];
      for (const candidate of ranked.slice(1)) {
        if (picked.length >= maxSentences) break;
        if (picked.some((chosen) => chosen.sentence === candidate.sentence)) continue;
        if (cosines) {
          // The sentence after the best one often goes on with its answer: it may trail a little further. So may
          // one that answers another part of the question: it has a rare question word no chosen sentence has.
          const follows =
            candidate.number === best!.number && candidate.sentenceIndex === best!.sentenceIndex + 1;
          const coversMore = rareTerms.some(
            (term) => candidate.terms.has(term) && !picked.some((chosen) => chosen.terms.has(term)),
          );
          const margin = companionMargin * (coversMore ? 3 : follows ? 2 : 1);
          if (candidate.score < best!.score - margin) continue;
        }
        picked.push(candidate);
      }
      // Read in the documents' order, so sentences of one passage keep their sense.
      picked.sort((a, b) => position(a) - position(b));
      const text =
        picked.length === 0
          ? "I don't know."
          : picked.map((item) => `${item.sentence} [${item.number}]`).join(' ');
      request.onDelta?.(text);
      return {
        text,
        model: 'extractive',
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
        modelMs: performance.now() - started,
      };
    },
  };
}
