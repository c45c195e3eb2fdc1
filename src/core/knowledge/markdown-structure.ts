/**
 * A small block-level reader of Markdown: just enough structure for chunking. It finds headings (ATX and setext),
 * fenced and indented code, GFM tables, lists and paragraphs, so that a `#` comment inside a code block is never
 * taken for a heading and a table or code block is never cut in half.
 */

export type BlockKind = 'prose' | 'list' | 'code' | 'table';

export interface MarkdownBlock {
  kind: BlockKind;
  /** The block's Markdown, without surrounding blank lines. */
  text: string;
}

export interface HeadingEntry {
  level: number;
  text: string;
}

export interface MarkdownSection {
  /** Headings from the document root down to this section. */
  headingPath: string[];
  blocks: MarkdownBlock[];
}

export interface ParsedMarkdown {
  sections: MarkdownSection[];
  /** The heading stack at the end of the text, to carry into the next piece of a file read in pieces. */
  headings: HeadingEntry[];
  /** Text of the first level-1 heading, a document's title when nothing better names it. */
  firstTopHeading?: string;
}

const atxHeading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const setextUnderline = /^ {0,3}(=+|-+)[ \t]*$/;
const thematicBreak = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
// Fences are found at any indentation, so a code block inside a list item is recognised too.
const fenceOpening = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const listItem = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)/;
const tableDelimiterRow = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const indentedCode = /^(?: {4}|\t)/;

/** Line endings of every platform become `\n`; a byte-order mark is dropped. */
export function normalizeLineEndings(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** A YAML front-matter block at the very start is metadata, never passage text. */
export function stripFrontMatter(markdown: string): string {
  const match = /^---[ \t]*\n(?:[\s\S]*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(markdown);
  return match ? markdown.slice(match[0].length) : markdown;
}

/** Heading text as a reader sees it: links, emphasis and code marks removed. */
export function cleanHeadingText(raw: string): string {
  return (
    raw
      .replace(/[ \t]+#+[ \t]*$/, '')
      // A permalink mark (Sphinx's ¶, often a link of its own) is no part of the heading.
      .replace(/\[¶\]\([^)]*\)|¶/g, '')
      .replace(/^#+$/, '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/(\*{1,3}|_{2,3})(\S(?:.*?\S)?)\1/g, '$2')
      .replace(/`+([^`]+)`+/g, '$1')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function isTableRow(line: string): boolean {
  return line.includes('|') && line.trim().length > 0;
}

function isTableStart(line: string, next: string | undefined): boolean {
  if (next === undefined || !isTableRow(line) || !tableDelimiterRow.test(next)) return false;
  // A lone `---` under a line is a setext heading, not a table: a delimiter row needs a pipe somewhere.
  return next.includes('|') || line.trim().startsWith('|');
}

function fenceCloses(line: string, fenceCharacter: string, fenceLength: number): boolean {
  const match = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
  return match !== null && match[1]!.startsWith(fenceCharacter) && match[1]!.length >= fenceLength;
}

/**
 * Reads Markdown (front matter already removed) into sections by heading, each holding its blocks.
 * `startHeadings` continues the heading stack of an earlier piece of the same file.
 */
export function parseMarkdownSections(markdown: string, startHeadings: HeadingEntry[] = []): ParsedMarkdown {
  const lines = normalizeLineEndings(markdown).split('\n');
  const headings = [...startHeadings];
  const sections: MarkdownSection[] = [];
  let section: MarkdownSection = { headingPath: headingPathOf(headings), blocks: [] };
  let buffer: string[] = [];
  let bufferKind: 'prose' | 'list' = 'prose';
  let previousBlockKind: BlockKind | undefined;
  let firstTopHeading: string | undefined;

  const pushBlock = (kind: BlockKind, text: string) => {
    if (text.trim().length === 0) return;
    section.blocks.push({ kind, text });
    previousBlockKind = kind;
  };
  const flush = () => {
    if (buffer.length > 0) pushBlock(bufferKind, buffer.join('\n').trim());
    buffer = [];
  };
  const startSection = (level: number, text: string) => {
    flush();
    sections.push(section);
    while (headings.length > 0 && headings[headings.length - 1]!.level >= level) headings.pop();
    const cleaned = cleanHeadingText(text);
    if (level === 1 && firstTopHeading === undefined && cleaned.length > 0) firstTopHeading = cleaned;
    headings.push({ level, text: cleaned });
    section = { headingPath: headingPathOf(headings), blocks: [] };
    previousBlockKind = undefined;
  };

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;

    const fence = fenceOpening.exec(line);
    if (fence && !(fence[2]!.startsWith('`') && fence[3]!.includes('`'))) {
      flush();
      const fenceCharacter = fence[2]![0]!;
      const fenceLength = fence[2]!.length;
      const codeLines = [line];
      let closed = false;
      while (index + 1 < lines.length) {
        index += 1;
        codeLines.push(lines[index]!);
        if (fenceCloses(lines[index]!, fenceCharacter, fenceLength)) {
          closed = true;
          break;
        }
      }
      // An unclosed fence runs to the end of the document, as in CommonMark; close it so the chunk stays valid.
      if (!closed) codeLines.push(fence[1]! + fence[2]!);
      pushBlock('code', codeLines.join('\n'));
      continue;
    }

    if (line.trim().length === 0) {
      flush();
      continue;
    }

    const atx = atxHeading.exec(line);
    if (atx) {
      startSection(atx[1]!.length, atx[2] ?? '');
      continue;
    }

    if (buffer.length > 0 && bufferKind === 'prose' && setextUnderline.test(line)) {
      const text = buffer.join(' ');
      buffer = [];
      startSection(line.trim().startsWith('=') ? 1 : 2, text);
      continue;
    }

    if (thematicBreak.test(line)) {
      flush();
      continue;
    }

    if (isTableStart(line, lines[index + 1])) {
      flush();
      const tableLines = [line, lines[index + 1]!];
      index += 1;
      while (index + 1 < lines.length && isTableRow(lines[index + 1]!)) {
        index += 1;
        tableLines.push(lines[index]!);
      }
      pushBlock('table', tableLines.map((tableLine) => tableLine.trim()).join('\n'));
      continue;
    }

    if (buffer.length === 0 && line.trimStart().startsWith('<!--')) {
      // Comments are notes for editors, not for readers; an unclosed one is kept as text.
      let end = index;
      while (end < lines.length && !lines[end]!.includes('-->')) end += 1;
      if (end < lines.length) {
        index = end;
        continue;
      }
    }

    if (buffer.length === 0 && indentedCode.test(line) && previousBlockKind !== 'list') {
      const codeLines = [line];
      while (
        index + 1 < lines.length &&
        (indentedCode.test(lines[index + 1]!) || lines[index + 1]!.trim() === '')
      ) {
        index += 1;
        codeLines.push(lines[index]!);
      }
      while (codeLines.length > 0 && codeLines[codeLines.length - 1]!.trim() === '') codeLines.pop();
      pushBlock('code', codeLines.join('\n'));
      continue;
    }

    if (listItem.test(line)) {
      if (buffer.length > 0 && bufferKind === 'prose') flush();
      if (buffer.length === 0) bufferKind = 'list';
      buffer.push(line);
      continue;
    }

    if (buffer.length === 0) {
      // An indented paragraph right after a list continues that list's item.
      bufferKind = indentedCode.test(line) && previousBlockKind === 'list' ? 'list' : 'prose';
    }
    buffer.push(line);
  }
  flush();
  sections.push(section);

  return { sections: sections.filter((candidate) => candidate.blocks.length > 0), headings, firstTopHeading };
}

function headingPathOf(headings: HeadingEntry[]): string[] {
  return headings.map((heading) => heading.text).filter((text) => text.length > 0);
}
