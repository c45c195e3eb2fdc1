import { parseAnswerPrompt } from '../../answering/prompt.ts';
import { splitSentences } from '../../knowledge/split-sentences.ts';
import type { ChatModel } from '../../ports/index.ts';
import { fillerWords } from '../../retrieval/filler-words.ts';

function terms(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
      .filter((word) => word.length > 1 && !fillerWords.has(word))
      .map((word) => word.replace(/(ing|ed|es|s)$/, '')),
  );
}

/** Whole prose sentences of a passage: code, tables and Markdown markers left out, fragments dropped. */
function sentencesOf(text: string): string[] {
  const prose = text
    .replace(/```[\s\S]*?```/g, '\n\n')
    .split(/\n{2,}/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .filter((line) => !/^\s*\|/.test(line))
        .map((line) => line.replace(/^\s*(#{1,6}|>|[-*+]|\d+[.)])\s+/, ''))
        .join(' '),
    );
  return prose
    .flatMap((paragraph) => splitSentences(paragraph))
    .filter((sentence) => sentence.split(/\s+/).length >= 4 && /^[\p{Lu}\p{N}`"(]/u.test(sentence) && !/:$/.test(sentence));
}

/**
 * The offline answerer: no language model, just the sentences of the given sources that share the most
 * words with the question, each cited with its source number. It reads the same prompt a chat model gets,
 * so ask() has one path for both.
 */
export function createExtractiveChatModel(options: { maxSentences?: number } = {}): ChatModel {
  const maxSentences = options.maxSentences ?? 3;
  return {
    async complete(request) {
      const started = performance.now();
      const user = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
      const { question, sources } = parseAnswerPrompt(user);
      const questionTerms = terms(question);
      const candidates = sources.flatMap((source, sourceIndex) =>
        sentencesOf(source.text).map((sentence, sentenceIndex) => ({
          sentence: sentence.replace(/\s+/g, ' '),
          terms: terms(sentence),
          number: source.number,
          // Better-ranked sources and earlier sentences win ties.
          order: sourceIndex * 1000 + sentenceIndex,
        })),
      );
      // A question word that few sentences share says more about the answer than one most of them share.
      const weight = (term: string) => {
        const containing = candidates.filter((candidate) => candidate.terms.has(term)).length;
        return containing === 0 ? 0 : Math.log(1 + candidates.length / containing);
      };
      const weights = new Map([...questionTerms].map((term) => [term, weight(term)]));
      const scored = candidates.map((candidate) => {
        let overlap = 0;
        for (const [term, termWeight] of weights) if (candidate.terms.has(term)) overlap += termWeight;
        return { ...candidate, overlap };
      });
      let chosen = scored.filter((item) => item.overlap > 0).sort((a, b) => b.overlap - a.overlap || a.order - b.order);
      // Retrieval already judged the sources relevant: when no words are shared (a paraphrase), lead with the best source.
      if (chosen.length === 0) chosen = scored.filter((item) => item.number === sources[0]?.number);
      const picked = chosen.slice(0, maxSentences).sort((a, b) => a.order - b.order);
      const text =
        picked.length === 0
          ? "I don't know."
          : picked.map((item) => `${/[.!?]$/.test(item.sentence) ? item.sentence : `${item.sentence}.`} [${item.number}]`).join(' ');
      request.onDelta?.(text);
      return { text, model: 'extractive', usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 }, modelMs: performance.now() - started };
    },
  };
}
