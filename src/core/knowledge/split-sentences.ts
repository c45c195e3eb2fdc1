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
    if (sentence.length === 0) continue;
    const previous = sentences.at(-1);
    // A question or exclamation quoted inside a sentence ("Can I pay with PayPal?" finds the billing page) ends no
    // sentence: ICU breaks after its closing quote whatever follows, so a lower-case word goes on with it.
    if (previous !== undefined && quotedStop.test(previous) && /^\p{Ll}/u.test(sentence))
      sentences[sentences.length - 1] = `${previous} ${sentence}`;
    else sentences.push(sentence);
  }
  return sentences;
}

/** A question or exclamation mark closed by a quotation mark or bracket, at the end of a segment. */
const quotedStop = /[?!]["'\u201d\u2019)\]]+$/u;

/** Words, for a sentence too long to keep whole. */
export function splitWords(sentence: string): string[] {
  return sentence.split(/\s+/).filter((word) => word.length > 0);
}
