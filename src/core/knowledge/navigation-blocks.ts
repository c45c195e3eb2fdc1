/**
 * Page furniture that survives HTML-to-Markdown conversion and lives in Markdown sources too: a sidebar's or a
 * table of contents' list of links, "Edit this page" and share links, a row of "Previous | Next" links. None of it
 * is knowledge: a passage made of it matches every question that names a page title and answers none. The chunker
 * drops such blocks, so HTML files, web pages and Markdown files lose them alike.
 */
import type { MarkdownBlock } from './markdown-structure.ts';

// [text](target "title"), one level of parentheses allowed in the target, or (<target>), which may hold spaces;
// [text][ref]; <https://...>.
const inlineLink =
  /!?\[([^\]]*)\]\((?:\s*<[^<>]*>\s*|(?:[^()\s]|\([^()]*\))*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)|\[([^\]]*)\]\[[^\]]*\]|<https?:\/\/[^>\s]+>/g;
// An image inside a link's text (a logo or a badge that links somewhere): read first, so the link around it parses.
const image = /!\[([^\]]*)\]\((?:\s*<[^<>]*>\s*|(?:[^()\s]|\([^()]*\))*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
/** Stands for an image inside a link's text. */
const imageMark = '\u{1F5BC}';
const listMarker = /^\s*(?:[-+*]|\d{1,9}[.)])\s+/;

/** What a link that only serves the site, never the reader's question, says. */
const furnitureLink =
  /^\s*(?:edit(?: this| the)?(?: (?:page|file|article|doc(?:ument)?|source))?(?: on (?:github|gitlab))?|suggest (?:an )?edits?|improve this (?:page|doc(?:ument)?)|view (?:page )?source|view on github|report an? (?:issue|problem)(?: with this page)?|share(?: (?:on|via|this)\b.*)?|tweet(?: this)?|print(?: this page)?|back to top|top|previous|prev|next|home|up|permalink|copy link)\s*[.:»«›‹→←]*\s*$/i;

/** The title of a table of contents, left alone in its paragraph once the links under it are gone. */
const furnitureTitle =
  /^\s*(?:table of contents|contents|on this page|in this (?:article|section|chapter)|list of (?:figures|tables|examples))\s*:?\s*$/i;

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu) ?? [];
}

interface LinkReading {
  links: string[];
  /** The words outside every link. */
  rest: string[];
}

/** A link whose title says it leads to the previous or next page (Sphinx: "next chapter (use the right arrow)"). */
const pagerTitle = /\s["'](?:[^"']*\b)?(?:previous|next) (?:chapter|page|topic|section)\b[^"']*["']\s*\)$/i;

function readLinks(text: string): LinkReading {
  const links: string[] = [];
  const withMarks = text.replace(/\[((?:[^[\]]|!\[[^\]]*\]\([^)]*\))*)\]/g, (whole: string) =>
    whole.includes('![') ? whole.replace(image, imageMark) : whole,
  );
  const rest = withMarks.replace(inlineLink, (whole: string, inline?: string, reference?: string) => {
    // A pager link counts by what it does, whatever page it names.
    links.push(pagerTitle.test(whole) ? 'next' : (inline ?? reference ?? whole).replace(/[*_`]/g, '').trim());
    return ' ';
  });
  // Separators of a link row (|, ·, /, arrows) and emphasis are no words.
  return { links, rest: words(rest.replace(/[*_`|·•/\\>«»›‹→←]+/g, ' ')) };
}

/** A list item that is a link and at most two words around it ("- [Install](install.md)", "1. [FAQ](faq) (new)"). */
function isLinkItem(item: string): boolean {
  const { links, rest } = readLinks(item.replace(listMarker, ''));
  return links.length > 0 && rest.length <= 2;
}

/**
 * True for a block that is navigation rather than content:
 * - a list every item of which (nested items included) is a bare link, or a breadcrumb (links, then the current
 *   page's name);
 * - a paragraph of links only, when there are two or more (a "Previous | Next" row, a breadcrumb) or when its one
 *   link is an edit, share, print or navigation link, a link to the previous or next page, or an empty link;
 * - a paragraph that is only the words of such a link ("Edit this page" left over from a button).
 * A link list with a sentence about each item is content and stays.
 */
export function isNavigationBlock(block: MarkdownBlock): boolean {
  if (block.kind === 'table') return isNavigationTable(block.text);
  if (block.kind === 'list') {
    const lines = block.text.split('\n').filter((line) => line.trim().length > 0);
    if (lines.length === 0) return false;
    if (lines.every(isLinkItem)) return true;
    // A breadcrumb: links and, last, the current page's name unlinked ("Docs » Usage » borg rename").
    const linked = lines.filter(isLinkItem).length;
    const last = words(lines.at(-1)!.replace(listMarker, ''));
    return lines.length >= 3 && linked === lines.length - 1 && !isLinkItem(lines.at(-1)!) && last.length <= 3;
  }
  if (block.kind !== 'prose') return false;
  const text = block.text.trim();
  const bare = text.replace(/[*_`]/g, '');
  if (furnitureLink.test(bare) || furnitureTitle.test(bare)) return true;
  const { links, rest } = readLinks(text);
  if (links.length === 0 || rest.length > 0) return false;
  // An empty link ("[](#)") is an icon or an anchor.
  // A linked image is a logo or a badge.
  return (
    links.length >= 2 ||
    links.every((link) => link === '' || link.startsWith(imageMark) || furnitureLink.test(link))
  );
}

const pagerCell = /^(?:<+\s*)?(?:prev(?:ious)?|next|up|home)(?:\s*>+)?$/i;

/** A small table whose cells hold "Prev", "Next", "Up" or "Home": a page's navigation header or footer. */
function isNavigationTable(table: string): boolean {
  const rows = table.split('\n').filter((row) => !/^\|?\s*:?-+/.test(row));
  if (rows.length > 4) return false;
  const cells = rows.flatMap((row) =>
    row
      .replace(/^\s*\||\|\s*$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim()),
  );
  const filled = cells.filter((cell) => cell.length > 0);
  const pagers = filled.filter((cell) => pagerCell.test(cell)).length;
  return pagers > 0 && filled.length - pagers <= 2;
}

/** A paragraph that is one link and nothing else, or a numbered one ("2. [Accounts](accounts.html)"). */
function isLoneLink(block: MarkdownBlock): boolean {
  if (block.kind !== 'prose') return false;
  const { links, rest } = readLinks(block.text.trim());
  return links.length === 1 && rest.length <= 1;
}

/**
 * A section's blocks without navigation: the blocks `isNavigationBlock` names, and runs of three or more
 * paragraphs that are each a lone link (a table of contents rendered from HTML definition lists).
 */
export function withoutNavigation(blocks: readonly MarkdownBlock[]): MarkdownBlock[] {
  const kept: MarkdownBlock[] = [];
  for (let index = 0; index < blocks.length;) {
    if (isLoneLink(blocks[index]!)) {
      let end = index;
      while (end < blocks.length && isLoneLink(blocks[end]!)) end += 1;
      if (end - index < 3)
        for (const block of blocks.slice(index, end)) if (!isNavigationBlock(block)) kept.push(block);
      index = end;
      continue;
    }
    if (!isNavigationBlock(blocks[index]!)) kept.push(blocks[index]!);
    index += 1;
  }
  return kept;
}
