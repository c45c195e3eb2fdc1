import { parseAnswerPrompt } from './prompt.ts';
import { toAnswerloopError } from '../errors/index.ts';
import { dotProduct } from '../math/vector-math.ts';
import { splitSentences } from '../knowledge/split-sentences.ts';
import type { ChatModel, Embedder, Logger } from '../ports/index.ts';
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
  maxSentenceWords: 60,
} as const;

const minWords = 5;

function terms(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
      .filter((word) => word.length > 1 && !fillerWords.has(word))
      .map((word) => word.replace(/(ing|ed|es|s)$/, '')),
  );
}

const entities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};

/** A line as a reader sees it: links as their text, images, HTML tags, emphasis markers and escapes gone. */
export function plainText(line: string): string {
  return (
    line
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      // [text](target "title"), with one level of parentheses allowed in the target.
      .replace(/\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g, '$1')
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
      .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
      .replace(htmlTag, '')
      .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, name: string) => entities[name] ?? '')
      .replace(/\*\*([^*]+)\*\*/g, '$1')
      .replace(/__([^_]+)__/g, '$1')
      .replace(/(^|[\s(])\*([^*\s][^*]*?)\*(?=[\s).,;:!?]|$)/g, '$1$2')
      .replace(/(^|[\s(])_([^_\s][^_]*?)_(?=[\s).,;:!?]|$)/g, '$1$2')
      .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, '$1')
      // Footnotes and bracketed numbers would read as citations.
      .replace(/\[\^?\d+\]/g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s+([.,;:!?)])/g, '$1')
      .trim()
  );
}

// Only real HTML tags: a placeholder such as <symbol> in the text is kept.
const htmlTag =
  /<\/?(?:a|abbr|b|br|cite|code|dd|del|details|div|dl|dt|em|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre|q|s|samp|small|span|strong|sub|summary|sup|table|tbody|td|th|thead|tr|u|ul|var)\b[^>]*>/gi;

const listMarker = /^\s*(?:[-*+]|\d+[.)])\s+/;

/** Prose blocks of a passage: one per paragraph or list item; code, tables, headings and rules left out. */
function proseBlocks(text: string): Array<{ text: string; listItem: boolean }> {
  const blocks: Array<{ text: string; listItem: boolean }> = [];
  for (const paragraph of text.replace(/```[\s\S]*?(?:```|$)/g, '\n\n').split(/\n\s*\n/)) {
    const lines = paragraph.split('\n');
    // An indented paragraph that is not a list item's continuation is code.
    if (/^( {4}|\t)/.test(lines[0] ?? '') && !listMarker.test(lines[0] ?? '')) continue;
    let current: { lines: string[]; listItem: boolean } | undefined;
    const flush = () => {
      if (current) blocks.push({ text: current.lines.join(' '), listItem: current.listItem });
      current = undefined;
    };
    lines.forEach((line, index) => {
      const next = lines[index + 1] ?? '';
      if (
        /^\s*\|/.test(line) ||
        /^\s*([-=*_]\s*){3,}$/.test(line) ||
        /^\s*#{1,6}\s/.test(line) ||
        /^\s*([=-])\1{2,}\s*$/.test(next)
      ) {
        flush();
        return;
      }
      if (listMarker.test(line)) {
        flush();
        current = { lines: [line.replace(listMarker, '')], listItem: true };
        return;
      }
      const content = line.replace(/^\s*>\s?/, '');
      if (current) current.lines.push(content);
      else current = { lines: [content], listItem: false };
    });
    flush();
  }
  return blocks;
}

/** Whole prose sentences of a passage, as plain text: never a heading, a fragment, a code or table line. */
export function answerSentences(
  text: string,
  maxWords: number = extractiveDefaults.maxSentenceWords,
): string[] {
  const sentences: string[] = [];
  for (const block of proseBlocks(text)) {
    // Rendered before splitting, so a link's title or a bold span cannot be cut in two.
    const parts = splitSentences(plainText(block.text));
    parts.forEach((part, index) => {
      let sentence = part.replace(/\*\*|__/g, '');
      const words = sentence.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word));
      if (words.length < minWords || words.length > maxWords) return;
      if (!/^[\p{Lu}\p{N}`"'“(]/u.test(sentence) || /:$/.test(sentence)) return;
      // A section number ("4.3.1. Account Register") starts a heading or a table of contents entry.
      if (/^\d+(\.\d+)+\.?\s/.test(sentence)) return;
      const letters = (sentence.match(/[\p{L}\s]/gu) ?? []).length;
      if (letters / sentence.length < 0.75) return;
      if (!/[.!?]["'”’)]*$/.test(sentence)) {
        // A list item may be a whole instruction without a full stop; anything else unfinished is a fragment.
        if (!(block.listItem && index === parts.length - 1 && words.length >= 6)) return;
        sentence = `${sentence}.`;
      }
      sentences.push(sentence);
    });
  }
  return sentences;
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
export function createExtractiveChatModel(options: ExtractiveChatModelOptions = {}): ChatModel {
  const maxSentences = options.maxSentences ?? extractiveDefaults.maxSentences;
  const maxCandidates = options.maxCandidates ?? extractiveDefaults.maxCandidates;
  const semanticWeight = options.semanticWeight ?? extractiveDefaults.semanticWeight;
  const sourcePenalty = options.sourcePenalty ?? extractiveDefaults.sourcePenalty;
  const companionMargin = options.companionMargin ?? extractiveDefaults.companionMargin;
  const maxSentenceWords = options.maxSentenceWords ?? extractiveDefaults.maxSentenceWords;
  const { embedder, logger } = options;

  async function meanings(question: string, candidates: Candidate[]): Promise<number[] | undefined> {
    if (!embedder || semanticWeight === 0 || candidates.length === 0) return undefined;
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

      const cosines = await meanings(question, candidates);
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
