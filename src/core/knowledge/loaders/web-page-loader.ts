/**
 * Web pages as a docs site serves them: navigation, headers, footers, cookie banners and "edit this page" links are
 * chrome, not knowledge. Main content is found by Mozilla's Readability over a linkedom DOM, then converted to
 * Markdown by the same converter as HTML files, keeping headings for the chunker and their anchors for citations.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { chunkMarkdownPiece } from '../chunker.ts';
import type { DocumentLoader, LoadedDocument } from './document-loader.ts';
import { createTurndown, htmlTitle } from './html-loader.ts';
import { cleanHeadingText } from '../markdown-structure.ts';

/** Elements that are page furniture on every docs site we know, by tag or ARIA role. */
const chromeSelectors = [
  'nav',
  'header',
  'footer',
  'aside',
  '[role="navigation"]',
  '[role="banner"]',
  '[role="contentinfo"]',
  '[role="complementary"]',
  '[role="search"]',
  '[aria-hidden="true"]',
  'script',
  'style',
  'noscript',
  'template',
  'form',
];
/** Ids and classes that name cookie banners, consent dialogs and page tools. */
const chromeNames =
  /(?:^|[-_\s])(?:cookie|cookies|consent|gdpr|banner|breadcrumbs?|toc|sidebar|edit-?this-?page|feedback|pagination)(?:$|[-_\s])/i;
const editLinkText =
  /^\s*(?:edit (?:this page|on github|on gitlab|page)|improve this page|suggest an edit)\s*$/i;
/** What a heading's own permalink shows instead of words. */
const permalinkText = /^\s*(?:#|¶|§|🔗|link|permalink)?\s*$/i;

interface HeadingAnchor {
  key: string;
  id: string;
}

type Element = ReturnType<typeof parseHTML>['document']['body'];

/** Reads one page into Markdown, title and heading anchors. Exported for tests of extraction itself. */
export function extractMainContent(html: string): {
  title?: string;
  markdown: string;
  anchors: HeadingAnchor[];
} {
  const { document } = parseHTML(html);
  const anchors = collectHeadingAnchors(
    document.querySelectorAll('h1, h2, h3, h4, h5, h6') as unknown as Element[],
  );
  for (const selector of chromeSelectors)
    for (const element of [...document.querySelectorAll(selector)]) element.remove();
  for (const element of [...document.querySelectorAll('[id], [class]')]) {
    const names = `${element.getAttribute('id') ?? ''} ${element.getAttribute('class') ?? ''}`;
    if (chromeNames.test(names) && !/^(?:main|article|body|html)$/i.test(element.tagName)) element.remove();
  }
  for (const link of [...document.querySelectorAll('a')])
    if (editLinkText.test(link.textContent ?? '')) link.remove();

  const semantic = document.querySelector('main, [role="main"], article');
  const semanticHtml = semantic?.innerHTML;
  // Readability changes the DOM it reads: it gets its own copy.
  const article = new Readability(parseHTML(document.toString()).document as unknown as Document, {
    charThreshold: 200,
    keepClasses: false,
  }).parse();
  const readabilityText = (article?.textContent ?? '').trim();
  const semanticText = (semantic?.textContent ?? '').trim();
  // Readability trims what it judges boilerplate; on a short docs page it can trim too much, and <main> says more.
  const content =
    article?.content && readabilityText.length >= semanticText.length * 0.6
      ? article.content
      : (semanticHtml ?? article?.content ?? document.body?.innerHTML ?? '');
  const title = htmlTitle(html) ?? (article?.title || undefined);
  let markdown = createTurndown().turndown(content);
  // Readability lifts the page's first heading out as the article title; put it back as the top of the outline.
  const topHeading = (semantic ?? document.body)
    ?.querySelector('h1')
    ?.textContent?.replace(/\s+/g, ' ')
    .trim();
  if (
    topHeading &&
    !/^#\s/m.test(markdown.split('\n').find((line) => line.trim().length > 0) ?? '') &&
    !markdown.includes(`# ${topHeading}`)
  ) {
    markdown = `# ${topHeading}\n\n${markdown}`;
  }
  return { title, markdown, anchors };
}

/** Heading text -> the id a link to that section uses, from the heading, a permalink inside it, or its section. */
function collectHeadingAnchors(headings: Element[]): HeadingAnchor[] {
  const anchors: HeadingAnchor[] = [];
  for (const heading of headings) {
    let id = heading.getAttribute('id') ?? undefined;
    for (const link of [...heading.querySelectorAll('a')]) {
      const href = link.getAttribute('href') ?? '';
      id ??=
        link.getAttribute('id') ??
        link.getAttribute('name') ??
        (href.startsWith('#') && href.length > 1 ? decodeURIComponent(href.slice(1)) : undefined);
      // The permalink's "#" or "¶" is not part of the heading.
      if (href.startsWith('#') && permalinkText.test(link.textContent ?? '')) link.remove();
    }
    const parent = heading.parentElement;
    if (!id && parent && parent.firstElementChild === heading && /^(?:section|div)$/i.test(parent.tagName))
      id = parent.getAttribute('id') ?? undefined;
    const key = headingKey(heading.textContent ?? '');
    if (id && key) anchors.push({ key, id });
  }
  return anchors;
}

function headingKey(text: string): string {
  return cleanHeadingText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** HTML served by a website: main content only, headings kept, each passage linked to its section. */
export const webPageLoader: DocumentLoader = {
  extensions: [],
  mediaTypes: ['text/html', 'application/xhtml+xml'],
  createReader(settings) {
    let html = '';
    return {
      addPiece(piece) {
        html += piece;
      },
      finish(): LoadedDocument {
        const extracted = extractMainContent(html);
        const chunked = chunkMarkdownPiece(extracted.markdown, settings);
        const byKey = new Map<string, string>();
        for (const anchor of extracted.anchors) if (!byKey.has(anchor.key)) byKey.set(anchor.key, anchor.id);
        const anchors = chunked.chunks.map((chunk) => {
          for (let depth = chunk.headingPath.length - 1; depth >= 0; depth -= 1) {
            const id = byKey.get(headingKey(chunk.headingPath[depth]!));
            if (id) return id;
          }
          return undefined;
        });
        return {
          title: extracted.title ?? chunked.firstTopHeading,
          tags: [],
          chunks: chunked.chunks,
          ...(anchors.some(Boolean) ? { anchors } : {}),
        };
      },
    };
  },
};
