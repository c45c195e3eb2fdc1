export interface PreparedQuestion {
  /** The question without platform mentions and surplus whitespace, cut to the allowed length. */
  text: string;
  /** True when nothing is left to answer (empty, whitespace or only a mention). */
  empty: boolean;
  /** Set when the question was shortened. */
  notice?: string;
}

/** Slack `<@U123>`, `<!here>`; Discord `<@123>`, `<@!123>`, `<@&123>`. */
const mentionPattern = /<[@!#][!&]?[A-Za-z0-9|._-]*>/g;

export function prepareQuestion(raw: string, maxChars: number): PreparedQuestion {
  const text = raw.replace(mentionPattern, ' ').replace(/\s+/g, ' ').trim();
  if (!/[\p{L}\p{N}]/u.test(text)) return { text: '', empty: true };
  if (text.length <= maxChars) return { text, empty: false };
  const cut = text.slice(0, maxChars);
  const atWord = cut.slice(0, Math.max(cut.lastIndexOf(' '), Math.floor(maxChars * 0.8)));
  return {
    text: atWord,
    empty: false,
    notice: `Your question was long, so only its first ${atWord.length} characters were used.`,
  };
}

export const helpReply =
  'Ask me a question about the documentation, for example: "How do I reset my password?" ' +
  'I answer from the docs and show the sources I used.';
