import { parseAnswerPrompt } from '../../answering/prompt.ts';
import { splitSentences } from '../../knowledge/split-sentences.ts';
import type { ChatModel } from '../../ports/index.ts';

const stopWords = new Set(
  'a an and are as at be by can do does for from how i if in is it my of on or so that the this to was what when where which who why will with you your'.split(' '),
);

function terms(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
      .filter((word) => word.length > 1 && !stopWords.has(word))
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
      const scored = sources.flatMap((source, sourceIndex) =>
        sentencesOf(source.text).map((sentence, sentenceIndex) => {
          const sentenceTerms = terms(sentence);
          let overlap = 0;
          for (const term of questionTerms) if (sentenceTerms.has(term)) overlap += 1;
          // Prefer better-ranked sources and earlier sentences when overlap ties.
          return { sentence: sentence.replace(/\s+/g, ' '), number: source.number, overlap, order: sourceIndex * 1000 + sentenceIndex };
        }),
      );
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
