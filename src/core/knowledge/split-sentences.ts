// ICU's sentence rules know that "e.g. run" or "v1.2.3" do not end a sentence, which a regex gets wrong.
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * Splits prose into sentences, trimmed. Single line breaks are soft wraps in Markdown, so they are read as
 * spaces first; otherwise every wrapped line would count as a sentence of its own.
 */
export function splitSentences(prose: string): string[] {
  const unwrapped = prose.replace(/[ \t]*\n[ \t]*/g, ' ');
  const sentences: string[] = [];
  for (const { segment } of sentenceSegmenter.segment(unwrapped)) {
    const sentence = segment.trim();
    if (sentence.length > 0) sentences.push(sentence);
  }
  return sentences;
}

/** Words, for a sentence too long to keep whole. */
export function splitWords(sentence: string): string[] {
  return sentence.split(/\s+/).filter((word) => word.length > 0);
}
