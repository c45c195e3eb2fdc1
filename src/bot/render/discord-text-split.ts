/**
 * Splits Markdown into pieces no longer than a limit, cutting where a reader would pause and never
 * leaving Markdown broken: paragraph breaks first, then line breaks, then sentence ends, then spaces,
 * and a hard cut only when a single word is longer than the limit. A cut inside a fenced code block
 * closes the fence and reopens it (with its language) in the next piece; cuts inside inline code,
 * bold, strike-through, spoilers or a link are avoided.
 */

/** Pieces below this share of the limit are too small to be worth a cut at a weaker boundary. */
const minimumFill = 0.5;
const fencePattern = /^ {0,3}(`{3,}|~{3,})(.*)$/;

interface Cut {
  /** The piece is text[0, end) (trimmed at the end). */
  end: number;
  /** The next piece starts at text[next]. */
  next: number;
}

/** Calls `visit` for each line with whether it is code (inside a fence, or a fence line itself); returns the fence open at the end. */
function walkFences(
  text: string,
  openFence: string | null,
  visit: (line: string, isCode: boolean) => void = () => {},
): string | null {
  let open = openFence;
  for (const line of text.split('\n')) {
    const match = fencePattern.exec(line);
    if (match && open === null) {
      open = line.trim();
      visit(line, true);
    } else if (match && isClosingFence(match, open!)) {
      open = null;
      visit(line, true);
    } else {
      visit(line, open !== null);
    }
  }
  return open;
}

/** CommonMark: a closing fence uses the opening's character, at least as many times, and no info string. */
function isClosingFence(match: RegExpExecArray, openFence: string): boolean {
  const opening = fencePattern.exec(openFence)?.[1] ?? '```';
  const marker = match[1]!;
  return marker[0] === opening[0] && marker.length >= opening.length && match[2]!.trim() === '';
}

/** The opening fence line in effect at the end of `text`, or null outside a code block. */
export function openFenceAtEnd(text: string, openFence: string | null = null): string | null {
  return walkFences(text, openFence);
}

/** Text outside fenced code blocks, where inline Markdown is interpreted. */
function proseOutsideFences(text: string, openFence: string | null): string {
  const prose: string[] = [];
  walkFences(text, openFence, (line, isCode) => {
    if (!isCode) prose.push(line);
  });
  return prose.join('\n');
}

/** True when no inline construct (code span, bold, strike, spoiler, link) is left open at the end of `text`. */
export function inlineMarkdownBalanced(text: string, openFence: string | null = null): boolean {
  const prose = proseOutsideFences(text, openFence);
  const withoutCode = prose.replace(/`[^`\n]*`/g, '');
  if (withoutCode.includes('`')) return false;
  for (const marker of ['**', '~~', '||', '__']) {
    if (withoutCode.split(marker).length % 2 === 0) return false;
  }
  // An opening bracket with no closing one, or a link target not yet closed.
  if (/\[[^\]]*$/.test(withoutCode) || /\]\([^)]*$/.test(withoutCode)) return false;
  return true;
}

/** Candidate cuts of `window`, strongest boundary first, latest first within a boundary. */
function candidateCuts(window: string): Cut[][] {
  const collect = (pattern: RegExp, endOffset: (match: RegExpExecArray) => number): Cut[] => {
    const cuts: Cut[] = [];
    for (const match of window.matchAll(pattern)) {
      const end = match.index + endOffset(match as RegExpExecArray);
      cuts.push({ end, next: match.index + match[0].length });
    }
    return cuts.reverse();
  };
  return [
    collect(/\n[ \t]*\n\s*/g, () => 0),
    collect(/\n/g, () => 0),
    // After the punctuation and any closing quote, bracket or emphasis; before the space.
    collect(/[.!?…:;][)"'\]*_~]*\s+/g, (match) => match[0].trimEnd().length),
    collect(/\s+/g, () => 0),
  ];
}

function closingFence(openFence: string): string {
  const marker = fencePattern.exec(openFence)?.[1] ?? '```';
  return `\n${marker}`;
}

/** Moves a hard cut off the middle of a surrogate pair, so no emoji is cut in two. */
function safeHardCut(text: string, position: number): number {
  const code = text.charCodeAt(position - 1);
  return code >= 0xd800 && code <= 0xdbff ? position - 1 : position;
}

interface ChosenCut {
  cut: Cut;
  /** The fence left open at the cut, to close in this piece and reopen in the next. */
  fence: string | null;
}

/** The first cut, strongest boundary first, that leaves at least `minimumEnd` characters and no Markdown open. */
function pickCut(
  rest: string,
  levels: Cut[][],
  budget: number,
  reopen: string | null,
  minimumEnd: number,
): ChosenCut | undefined {
  for (const level of levels) {
    for (const cut of level) {
      if (cut.end < minimumEnd) break;
      const piece = rest.slice(0, cut.end);
      const fence = openFenceAtEnd(piece, reopen);
      if (cut.end + (fence === null ? 0 : closingFence(fence).length) > budget) continue;
      if (inlineMarkdownBalanced(piece, reopen)) return { cut, fence };
    }
  }
  return undefined;
}

/** One unbreakable run longer than the limit (a huge URL or token): cut it at the limit. */
function hardCut(rest: string, window: string, budget: number, reopen: string | null): ChosenCut {
  const provisional = openFenceAtEnd(window, reopen);
  const end = Math.max(
    1,
    safeHardCut(rest, budget - (provisional === null ? 0 : closingFence(provisional).length)),
  );
  return { cut: { end, next: end }, fence: openFenceAtEnd(rest.slice(0, end), reopen) };
}

/**
 * Splits `text` into pieces of at most `limit` characters (UTF-16 code units, which is never fewer than
 * Discord counts). Whitespace at cuts is dropped; empty input gives no pieces.
 */
export function splitMarkdown(text: string, limit: number): string[] {
  if (limit < 16) throw new RangeError(`splitMarkdown needs a limit of at least 16 characters, got ${limit}`);
  const pieces: string[] = [];
  let rest = text.trim();
  let reopen: string | null = null;
  while (rest.length > 0) {
    // A long fence line (language and attributes) is shortened so the reopened fence leaves room for code.
    if (reopen !== null && reopen.length > limit / 4) reopen = fencePattern.exec(reopen)?.[1] ?? '```';
    const prefix: string = reopen === null ? '' : `${reopen}\n`;
    if (prefix.length + rest.length <= limit) {
      pieces.push(prefix + rest);
      break;
    }
    const budget: number = limit - prefix.length;
    const window = rest.slice(0, budget);
    const levels = candidateCuts(window);
    // A well-filled piece at a weak boundary beats a short one at a strong boundary; a short piece beats broken Markdown.
    const chosen: ChosenCut =
      pickCut(rest, levels, budget, reopen, budget * minimumFill) ??
      pickCut(rest, levels, budget, reopen, 1) ??
      hardCut(rest, window, budget, reopen);
    const body = rest.slice(0, chosen.cut.end).trimEnd();
    pieces.push(prefix + body + (chosen.fence === null ? '' : closingFence(chosen.fence)));
    reopen = chosen.fence;
    rest = rest.slice(chosen.cut.next).trimStart();
  }
  return pieces;
}

/** Cuts text to at most `limit` characters at a word boundary, with an ellipsis when shortened. */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const room = limit - 1;
  const slice = text.slice(0, safeHardCut(text, room));
  const lastSpace = slice.lastIndexOf(' ');
  return `${(lastSpace > room * 0.6 ? slice.slice(0, lastSpace) : slice).trimEnd()}…`;
}
