import TurndownService from 'turndown';
import { type ChunkDraft, chunkMarkdownPiece } from '../chunker.ts';
import type { DocumentLoader } from './document-loader.ts';
import type { HeadingEntry } from '../markdown-structure.ts';

/** The little of the DOM that the table and <pre> rules read (turndown hands us its parser's elements). */
interface ElementLike {
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<ElementLike>;
}

// Page furniture and code that is not content.
const droppedElements = new Set([
  'SCRIPT',
  'STYLE',
  'NAV',
  'NOSCRIPT',
  'TEMPLATE',
  'TITLE',
  'HEAD',
  'IFRAME',
  'SVG',
  'CANVAS',
  'OBJECT',
  'BUTTON',
]);

/** An element that says it is navigation (Sphinx: `<div role="navigation">` holds the pager and breadcrumbs) is a `<nav>`. */
const droppedRoles = new Set(['navigation', 'search']);

interface RoleHolder {
  getAttribute?: (name: string) => string | null;
}

function childElements(element: ElementLike): ElementLike[] {
  return Array.from(element.childNodes).filter(
    (child) => /^[A-Z]/i.test(child.nodeName) && !child.nodeName.startsWith('#'),
  );
}

function cellText(cell: ElementLike): string {
  return (cell.textContent ?? '').replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

/** Rows of a table, looking through thead/tbody/tfoot but not into nested tables. */
function tableRows(table: ElementLike): string[][] {
  const rows: string[][] = [];
  const visit = (element: ElementLike) => {
    for (const child of childElements(element)) {
      const name = child.nodeName.toUpperCase();
      if (name === 'TR')
        rows.push(
          childElements(child)
            .filter((cell) => /^T[HD]$/i.test(cell.nodeName))
            .map(cellText),
        );
      else if (name === 'THEAD' || name === 'TBODY' || name === 'TFOOT') visit(child);
    }
  };
  visit(table);
  return rows.filter((row) => row.length > 0);
}

/** An HTML table as a GFM pipe table, so the chunker keeps it whole like any Markdown table. */
function tableToMarkdown(table: ElementLike): string {
  const rows = tableRows(table);
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((row) => row.length));
  const line = (cells: string[]) =>
    `| ${Array.from({ length: width }, (_, index) => cells[index] ?? '').join(' | ')} |`;
  const [header, ...body] = rows;
  return `\n\n${[line(header!), `|${' --- |'.repeat(width)}`, ...body.map(line)].join('\n')}\n\n`;
}

/**
 * Turndown escapes every Markdown character in text; inline escapes (`max\_file\_bytes`) would end up in quoted
 * passages, so only what would change the block structure at the start of a line is escaped.
 */
function escapeLineStarts(text: string): string {
  return text
    .replace(/^(\s*)(#{1,6}\s)/gm, '$1\\$2')
    .replace(/^(\s*)>/gm, '$1\\>')
    .replace(/^(\s*)([-+*])(\s)/gm, '$1\\$2$3')
    .replace(/^(\s*)(\d+)([.)])(\s)/gm, '$1$2\\$3$4')
    .replace(/^(\s*)(=+|-{3,})\s*$/gm, '$1\\$2')
    .replace(/^(\s*)(`{3,}|~{3,})/gm, '$1\\$2');
}

/** The one HTML-to-Markdown converter, for HTML files and web pages alike. */
export function createTurndown(): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
    hr: '---',
  });
  service.escape = escapeLineStarts;
  service.remove(
    (node) =>
      droppedElements.has((node as unknown as ElementLike).nodeName.toUpperCase()) ||
      droppedRoles.has((node as unknown as RoleHolder).getAttribute?.('role')?.trim().toLowerCase() ?? ''),
  );
  service.addRule('table', {
    filter: (node) => (node as unknown as ElementLike).nodeName.toUpperCase() === 'TABLE',
    replacement: (_content, node) => tableToMarkdown(node as unknown as ElementLike),
  });
  service.addRule('preformatted-text', {
    filter: (node) => {
      const element = node as unknown as ElementLike;
      return (
        element.nodeName.toUpperCase() === 'PRE' &&
        !childElements(element).some((child) => child.nodeName.toUpperCase() === 'CODE')
      );
    },
    replacement: (_content, node) =>
      `\n\n\`\`\`\n${((node as unknown as ElementLike).textContent ?? '').replace(/\n$/, '')}\n\`\`\`\n\n`,
  });
  return service;
}

const namedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return namedEntities[entity.toLowerCase()] ?? whole;
  });
}

/** The text of the page's <title>, if it has a non-empty one. */
export function htmlTitle(html: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  const title = match
    ? decodeEntities(match[1]!.replace(/<[^>]*>/g, ''))
        .replace(/\s+/g, ' ')
        .trim()
    : '';
  return title.length > 0 ? title : undefined;
}

/** Converts HTML to Markdown: page furniture dropped, tables as pipe tables, code as fenced blocks. */
export function htmlToMarkdown(html: string): string {
  return createTurndown().turndown(html);
}

/** HTML becomes Markdown first, then goes through the same chunker as Markdown files. */
export const htmlLoader: DocumentLoader = {
  extensions: ['.html', '.htm'],
  createReader(settings) {
    const turndown = createTurndown();
    const chunks: ChunkDraft[] = [];
    let headings: HeadingEntry[] = [];
    let title: string | undefined;
    let firstPiece = true;
    let firstTopHeading: string | undefined;
    return {
      addPiece(piece) {
        if (firstPiece) title = htmlTitle(piece);
        firstPiece = false;
        const chunked = chunkMarkdownPiece(turndown.turndown(piece), settings, headings);
        chunks.push(...chunked.chunks);
        headings = chunked.headings;
        firstTopHeading ??= chunked.firstTopHeading;
      },
      finish: () => ({ title: title ?? firstTopHeading, tags: [], chunks }),
    };
  },
};
