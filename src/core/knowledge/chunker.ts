/**
 * The chunker: Markdown (or plain text) in, passages of about `chunkTokens` tokens out. Pure: no I/O, no clock.
 *
 * Sections follow the heading structure; inside a section, paragraphs are packed whole while they fit, with a few
 * trailing sentences of one chunk repeated at the start of the next so that an answer spanning the boundary is
 * still found. Navigation (link lists, "Edit this page" and share links) is dropped: it is not knowledge. Code blocks and tables are never cut unless one is more than twice the budget on its own.
 */
import {
  type HeadingEntry,
  type MarkdownBlock,
  normalizeLineEndings,
  parseMarkdownSections,
  stripFrontMatter,
} from './markdown-structure.ts';
import { withoutNavigation } from './navigation-blocks.ts';
import { splitSentences, splitWords } from './split-sentences.ts';
import { countTokens, splitByTokens } from './token-counter.ts';

export interface ChunkingSettings {
  /** Target size of a chunk in tokens. */
  chunkTokens: number;
  /** Tokens of trailing sentences repeated at the start of the next chunk of the same section. */
  chunkOverlapTokens: number;
}

export interface ChunkDraft {
  /** Headings from the document root down to the chunk's section. */
  headingPath: string[];
  /** The passage, as Markdown; no title or heading is prefixed. */
  text: string;
  tokenCount: number;
}

export interface ChunkedPiece {
  chunks: ChunkDraft[];
  /** Heading stack at the end of the piece, for the next piece of the same file. */
  headings: HeadingEntry[];
  /** The first level-1 heading of the piece, if any. */
  firstTopHeading?: string;
}

type UnitKind = 'prose' | 'list' | 'code' | 'table';

/** The smallest thing the packer places: a paragraph, a sentence, a list item, a code block or a piece of one. */
interface Unit {
  text: string;
  kind: UnitKind;
  /** Units of one Markdown block share a block id; units of one run of sentences or items share a group id. */
  block: number;
  group: number;
  /** Separator between two neighbouring units of the same group. */
  join: ' ' | '\n';
  /** Over budget but under twice the budget: a chunk of its own, never cut. */
  alone: boolean;
}

class IdSequence {
  private last = 0;
  next(): number {
    this.last += 1;
    return this.last;
  }
}

/** Chunks a whole Markdown document; front matter, if any is left, is dropped. */
export function chunkMarkdown(markdown: string, settings: ChunkingSettings): ChunkDraft[] {
  return chunkMarkdownPiece(stripFrontMatter(normalizeLineEndings(markdown)), settings).chunks;
}

/** Chunks one piece of a Markdown file read in pieces, continuing the heading stack of the piece before it. */
export function chunkMarkdownPiece(
  markdown: string,
  settings: ChunkingSettings,
  startHeadings: HeadingEntry[] = [],
): ChunkedPiece {
  validateSettings(settings);
  const parsed = parseMarkdownSections(markdown, startHeadings);
  const ids = new IdSequence();
  const chunks = parsed.sections.flatMap((section) =>
    packSection(
      withoutNavigation(section.blocks).flatMap((block) => blockUnits(block, settings.chunkTokens, ids)),
      section.headingPath,
      settings,
    ),
  );
  return { chunks, headings: parsed.headings, firstTopHeading: parsed.firstTopHeading };
}

/** Chunks plain text: paragraphs are separated by blank lines, and line breaks are kept. */
export function chunkPlainText(text: string, settings: ChunkingSettings): ChunkDraft[] {
  validateSettings(settings);
  const ids = new IdSequence();
  const paragraphs = normalizeLineEndings(text)
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
  const units = paragraphs.flatMap((paragraph) =>
    proseUnits(paragraph, 'prose', settings.chunkTokens, ids.next(), ids, plainTextLines(paragraph)),
  );
  return packSection(units, [], settings);
}

function validateSettings(settings: ChunkingSettings): void {
  if (
    !(settings.chunkTokens > 0) ||
    settings.chunkOverlapTokens < 0 ||
    settings.chunkOverlapTokens >= settings.chunkTokens
  ) {
    throw new RangeError(
      `chunk settings need 0 <= chunkOverlapTokens < chunkTokens (got ${settings.chunkOverlapTokens} and ${settings.chunkTokens})`,
    );
  }
}

function blockUnits(block: MarkdownBlock, budget: number, ids: IdSequence): Unit[] {
  const blockId = ids.next();
  switch (block.kind) {
    case 'code':
      return atomicUnits(block.text, 'code', budget, blockId, ids);
    case 'table':
      return atomicUnits(block.text, 'table', budget, blockId, ids);
    case 'list':
      return listUnits(block.text, budget, blockId, ids);
    case 'prose':
      return proseUnits(block.text, 'prose', budget, blockId, ids);
  }
}

/**
 * A paragraph whole when it fits; else its logical lines (when `continues` says which physical lines only wrap the
 * line before), then sentences, then words, then raw token runs. Markdown paragraphs have no meaningful lines.
 */
function proseUnits(
  text: string,
  kind: UnitKind,
  budget: number,
  blockId: number,
  ids: IdSequence,
  continues?: (line: string) => boolean,
): Unit[] {
  const group = ids.next();
  if (countTokens(text) <= budget) return [{ text, kind, block: blockId, group, join: ' ', alone: false }];
  const lines = continues ? logicalLines(text, continues) : [text];
  if (lines.length > 1) {
    return lines.flatMap((line) =>
      countTokens(line) <= budget
        ? [{ text: line, kind, block: blockId, group, join: '\n' as const, alone: false }]
        : sentenceUnits(line, kind, budget, blockId, ids),
    );
  }
  return sentenceUnits(text, kind, budget, blockId, ids);
}

/** Physical lines grouped into logical ones: a line that `continues` the one before is joined to it. */
function logicalLines(text: string, continues: (line: string) => boolean): string[] {
  const lines: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    if (lines.length > 0 && continues(line)) lines[lines.length - 1]!.push(line);
    else lines.push([line]);
  }
  return lines.map((parts) => parts.join('\n'));
}

/**
 * Plain text has two kinds of paragraph: hard-wrapped prose, whose lines are pieces of sentences, and line-oriented
 * text (logs, lists, addresses), whose lines stand alone. Wrapped prose gives itself away by lines that start in
 * lower case; in wrapped prose every line continues the one before, so the paragraph is cut by sentences instead.
 */
function plainTextLines(paragraph: string): (line: string) => boolean {
  const lines = paragraph.split('\n').filter((line) => line.trim().length > 0);
  const lowerCaseStarts = lines.slice(1).filter((line) => /^\s*\p{Ll}/u.test(line)).length;
  const wrappedProse = lines.length > 1 && lowerCaseStarts >= 0.3 * (lines.length - 1);
  return () => wrappedProse;
}

/** Inside a list item, only a line that starts a nested item begins a new logical line. */
function continuesListItem(line: string): boolean {
  return !listMarker.test(line);
}

const listMarker = /^\s*(?:[-+*]|\d{1,9}[.)])(?:\s|$)/;

function sentenceUnits(
  text: string,
  kind: UnitKind,
  budget: number,
  blockId: number,
  ids: IdSequence,
): Unit[] {
  const group = ids.next();
  return splitSentences(text).flatMap((sentence) =>
    (countTokens(sentence) <= budget ? [sentence] : wordRuns(sentence, budget)).map((piece) => ({
      text: piece,
      kind,
      block: blockId,
      group,
      join: ' ' as const,
      alone: false,
    })),
  );
}

/** A sentence longer than the budget (rare: logs, generated text) is cut between words. */
function wordRuns(sentence: string, budget: number): string[] {
  const words = splitWords(sentence).flatMap((word) =>
    countTokens(word) <= budget ? [word] : splitByTokens(word, budget),
  );
  return packGreedily(words, ' ', (candidate) => countTokens(candidate) <= budget);
}

/** A list is kept whole when it fits; else it is cut between top-level items, and an oversized item between lines. */
function listUnits(text: string, budget: number, blockId: number, ids: IdSequence): Unit[] {
  const group = ids.next();
  if (countTokens(text) <= budget)
    return [{ text, kind: 'list', block: blockId, group, join: '\n', alone: false }];
  return topLevelItems(text).flatMap((item) =>
    countTokens(item) <= budget
      ? [{ text: item, kind: 'list' as const, block: blockId, group, join: '\n' as const, alone: false }]
      : proseUnits(item, 'list', budget, blockId, ids, continuesListItem),
  );
}

function topLevelItems(list: string): string[] {
  const lines = list.split('\n');
  const baseIndent = indentationOf(lines[0] ?? '');
  const items: string[][] = [];
  for (const line of lines) {
    const startsItem = listMarker.test(line) && indentationOf(line) <= baseIndent;
    if (startsItem || items.length === 0) items.push([line]);
    else items[items.length - 1]!.push(line);
  }
  return items.map((item) => item.join('\n'));
}

function indentationOf(line: string): number {
  return /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
}

/**
 * Code and tables stay whole: one that fits is packed like a paragraph, one up to twice the budget becomes a chunk
 * of its own, and only a larger one is cut, at line boundaries, each piece re-opened with the fence or table header
 * so it still reads as code or a table.
 */
function atomicUnits(
  text: string,
  kind: 'code' | 'table',
  budget: number,
  blockId: number,
  ids: IdSequence,
): Unit[] {
  const group = ids.next();
  const tokens = countTokens(text);
  if (tokens <= budget) return [{ text, kind, block: blockId, group, join: '\n', alone: false }];
  if (tokens <= 2 * budget) return [{ text, kind, block: blockId, group, join: '\n', alone: true }];

  const lines = text.split('\n');
  let head: string[] = [];
  let tail: string[] = [];
  let body = lines;
  if (kind === 'table') {
    head = lines.slice(0, 2);
    body = lines.slice(2);
  } else if (/^[ \t]*(`{3,}|~{3,})/.test(lines[0] ?? '')) {
    head = lines.slice(0, 1);
    tail = lines.slice(-1);
    body = lines.slice(1, -1);
  }
  const wrap = (inner: string) => [...head, inner, ...tail].join('\n');
  const frameTokens = countTokens(wrap(''));
  // A frame (fence or header) that leaves no room is dropped rather than letting every piece overflow.
  const framed = frameTokens < budget / 2;
  const innerBudget = framed ? budget - frameTokens : budget;
  const bodyLines = (framed ? body : lines).flatMap((line) =>
    countTokens(line) <= innerBudget ? [line] : splitByTokens(line, innerBudget),
  );
  const fits = (candidate: string) => countTokens(framed ? wrap(candidate) : candidate) <= budget;
  return packGreedily(bodyLines, '\n', fits).map((piece) => ({
    text: framed ? wrap(piece) : piece,
    kind,
    block: blockId,
    group,
    join: '\n' as const,
    alone: true,
  }));
}

/** Joins pieces in order while `fits` holds; a piece that fits nowhere still goes out on its own. */
function packGreedily(pieces: string[], separator: string, fits: (candidate: string) => boolean): string[] {
  const packed: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const candidate = current === '' ? piece : current + separator + piece;
    if (current === '' || fits(candidate)) {
      current = candidate;
    } else {
      packed.push(current);
      current = piece;
    }
  }
  if (current !== '') packed.push(current);
  return packed;
}

function separatorBetween(before: Unit, after: Unit): string {
  if (before.block !== after.block) return '\n\n';
  return before.group === after.group ? after.join : '\n';
}

function joinUnits(units: Unit[]): string {
  let text = '';
  units.forEach((unit, index) => {
    text = index === 0 ? unit.text : text + separatorBetween(units[index - 1]!, unit) + unit.text;
  });
  return text;
}

/** Packs one section's units into chunks, carrying an overlap of whole sentences between neighbours. */
function packSection(units: Unit[], headingPath: string[], settings: ChunkingSettings): ChunkDraft[] {
  const budget = settings.chunkTokens;
  const chunks: ChunkDraft[] = [];
  let current: Unit[] = [];
  let currentText = '';

  const emit = (parts: Unit[], text: string) => {
    if (parts.length > 0) chunks.push({ headingPath: [...headingPath], text, tokenCount: countTokens(text) });
  };

  for (const unit of units) {
    if (unit.alone) {
      emit(current, currentText);
      emit([unit], unit.text);
      current = [];
      currentText = '';
      continue;
    }
    if (current.length === 0) {
      current = [unit];
      currentText = unit.text;
      continue;
    }
    const candidate = currentText + separatorBetween(current[current.length - 1]!, unit) + unit.text;
    if (countTokens(candidate) <= budget) {
      current.push(unit);
      currentText = candidate;
      continue;
    }
    emit(current, currentText);
    const overlap = overlapUnits(current, settings.chunkOverlapTokens);
    const withOverlap = joinUnits([...overlap, unit]);
    if (overlap.length > 0 && countTokens(withOverlap) <= budget) {
      current = [...overlap, unit];
      currentText = withOverlap;
    } else {
      current = [unit];
      currentText = unit.text;
    }
  }
  emit(current, currentText);
  return chunks;
}

/**
 * The tail of a chunk repeated at the start of the next: whole sentences (or list items, or lines of text) only, never code or a
 * table, never the whole chunk, and no more than `overlapTokens` in all; when even the last sentence is longer,
 * that one sentence still counts if it is within twice the overlap, as a cut sentence would be worse.
 */
function overlapUnits(parts: Unit[], overlapTokens: number): Unit[] {
  if (overlapTokens === 0) return [];
  const pieces: Array<Unit | 'barrier'> = [];
  for (const part of parts) {
    if (part.kind === 'code' || part.kind === 'table') {
      pieces.push('barrier');
    } else if (part.kind === 'list') {
      // Whole items only: a wrapped item's second line is half a sentence.
      for (const item of topLevelItems(part.text)) pieces.push({ ...part, text: item, join: '\n' });
    } else if (part.join === '\n') {
      pieces.push(part);
    } else {
      for (const sentence of splitSentences(part.text)) pieces.push({ ...part, text: sentence, join: ' ' });
    }
  }
  const tail: Unit[] = [];
  for (let index = pieces.length - 1; index >= 1; index -= 1) {
    const piece = pieces[index]!;
    if (piece === 'barrier') break;
    const tokens = countTokens(joinUnits([piece, ...tail]));
    if (tokens > overlapTokens && !(tail.length === 0 && tokens <= 2 * overlapTokens)) break;
    tail.unshift(piece);
    if (tokens >= overlapTokens) break;
  }
  return tail;
}
