import { decode, encode } from 'gpt-tokenizer/encoding/cl100k_base';

// cl100k_base is the tokenizer of OpenAI's embedding models; for the local model it is a close, stable proxy.
// Special-token markers such as `<|endoftext|>` in a document are ordinary text here, never a reason to fail.
const asPlainText = { disallowedSpecial: new Set<string>() };

export function countTokens(text: string): number {
  return text.length === 0 ? 0 : encode(text, asPlainText).length;
}

/** Cuts text into pieces of at most `maxTokens` tokens: the last resort for a run of text with no better boundary. */
export function splitByTokens(text: string, maxTokens: number): string[] {
  const tokens = encode(text, asPlainText);
  const pieces: string[] = [];
  for (let start = 0; start < tokens.length; start += maxTokens) {
    const piece = decode(tokens.slice(start, start + maxTokens));
    if (piece.trim().length > 0) pieces.push(piece.trim());
  }
  return pieces;
}
