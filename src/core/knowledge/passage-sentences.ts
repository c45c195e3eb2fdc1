/**
 * The quotable sentences of a passage: whole prose sentences as a reader sees them (in paragraphs, list items and
 * table cells), never a heading, a fragment or a line of code. The offline answer quotes them; ingestion stores a vector for each, so answering a question
 * embeds only the question.
 */
import { splitSentences } from './split-sentences.ts';

/** Longer sentences are never quoted: they make a long answer, and are often run-on lists. */
export const maxSentenceWords = 60;

const minWords = 5;

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

const tableRow = /^\s*\|/;
const tableSeparator = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** The cells of a Markdown table row; an escaped pipe stays in its cell. */
function tableCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim())
    .filter(Boolean);
}

/**
 * Prose blocks of a passage: one per paragraph, list item or table cell (a cell of a body row; the header row and
 * the separator are left out), so a sentence inside a table, such as a tip or a note a documentation tool renders
 * as one, can be quoted like any other. Code, headings and rules are left out.
 */
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
      if (tableRow.test(line)) {
        flush();
        if (!tableSeparator.test(line) && !tableSeparator.test(next))
          for (const cell of tableCells(line)) blocks.push({ text: cell, listItem: false });
        return;
      }
      if (
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

/** Whole prose sentences of a passage, as plain text: never a heading, a fragment or a line of code. */
export function answerSentences(text: string, maxWords: number = maxSentenceWords): string[] {
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

/** Sentences stored with a passage, at most: bounds the work of a long passage of short sentences. */
export const maxStoredSentences = 40;

/** The sentences ingestion stores a vector for: the ones the offline answer can quote. */
export function passageSentences(text: string): string[] {
  return [...new Set(answerSentences(text))].slice(0, maxStoredSentences);
}
