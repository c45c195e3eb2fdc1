/**
 * A documentation website: robots.txt first (our user agent, crawl-delay, Sitemap lines), then the sitemaps, then
 * same-origin links under the start URL's path. Each page is fetched at most once per run, conditionally when a copy
 * is stored (If-None-Match / If-Modified-Since), and not at all when its sitemap `lastmod` is the one last seen.
 */
import { parseHTML } from 'linkedom';
import { InputError } from '../../../errors/index.ts';
import { hideUrlCredentials } from '../../../logging/redact-secrets.ts';
import type { KnowledgeSource, SourceItem, SourceScanContext } from '../knowledge-source.ts';
import { SourceUnavailableError } from '../knowledge-source.ts';
import { type CrawlScope, createCrawlScope, normalizeUrl } from './crawl-scope.ts';
import { decodeText, decodeWindows1252 } from '../folder/source-file-reading.ts';
import { pdfText } from './pdf-text.ts';
import { createPoliteFetcher, type FetchOutcome } from './polite-fetcher.ts';
import { loadRobotsRules } from './robots-rules.ts';
import { readSitemaps } from './sitemaps.ts';

export interface WebsiteSettings {
  maxPages: number;
  maxDepth: number;
  concurrency: number;
  delayMs: number;
  /** The longest crawl-delay honoured; a site asking for more is crawled at this pace, with a note. */
  maxCrawlDelayMs: number;
  timeoutMs: number;
  maxPageBytes: number;
  maxRedirects: number;
  followQueryStrings: boolean;
}

export interface WebsiteSourceOptions {
  url: string;
  include?: readonly string[];
  exclude?: readonly string[];
  tags?: string[];
  settings: WebsiteSettings;
  userAgent: string;
}

/** What a page's change token remembers: its validators, its sitemap lastmod, whether the sitemap listed it. */
interface PageToken {
  etag?: string;
  lastModified?: string;
  lastmod?: string;
  inSitemap?: boolean;
  /** The page's links on the site (paths): a page answered with 304, or skipped for its lastmod, still leads to them. */
  links?: string[];
}

/** Media types read as documents; the format the pipeline chooses a loader by. */
const documentTypes = new Map([
  ['text/html', 'text/html'],
  ['application/xhtml+xml', 'text/html'],
  ['text/markdown', 'text/markdown'],
  ['text/x-markdown', 'text/markdown'],
  ['text/plain', 'text/plain'],
  ['application/pdf', 'application/pdf'],
]);

/** Links kept per page in its change token: a sidebar's worth, not a site map's. */
const rememberedLinksPerPage = 500;

const javascriptNote =
  'the page shows no text without JavaScript; answerloop reads pages as served and runs no scripts';

export function createWebsiteSource(options: WebsiteSourceOptions): KnowledgeSource {
  const start = normalizeUrl(options.url);
  if (!start)
    throw new InputError(
      `${hideUrlCredentials(options.url)} is not an http(s) URL: give the start page of the site, e.g. https://docs.example.com/guide/.`,
    );
  const scopeFrom = (from: URL) =>
    createCrawlScope(from, {
      include: options.include ?? [],
      exclude: options.exclude ?? [],
      followQueryStrings: options.settings.followQueryStrings,
    });
  return {
    kind: 'website',
    key: `website:${start.href}`,
    label: start.href,
    ...(options.tags ? { tags: options.tags } : {}),
    scan: (context) => crawl(start, scopeFrom, options, context),
  };
}

function parseToken(raw: string | undefined): PageToken {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as PageToken;
  } catch {
    return {};
  }
}

async function crawl(
  given: URL,
  scopeFrom: (start: URL) => CrawlScope,
  options: WebsiteSourceOptions,
  context: SourceScanContext,
) {
  const { settings } = options;
  const fetcher = createPoliteFetcher({
    userAgent: options.userAgent,
    concurrency: settings.concurrency,
    delayMs: settings.delayMs,
    timeoutMs: settings.timeoutMs,
    maxBytes: settings.maxPageBytes,
    signal: context.signal,
  });
  const notes: string[] = [];

  // robots.txt: a site that cannot be reached, or forbids us, stops the run here with nothing changed.
  const robots = await loadRobotsRules(given.origin, fetcher, options.userAgent);
  if (!robots.isAllowed(given)) {
    throw new SourceUnavailableError(
      given.href,
      `robots.txt disallows it for ${options.userAgent.split('/')[0]}; nothing was crawled (the site owner decides this)`,
    );
  }
  if (robots.crawlDelaySeconds !== undefined) {
    const asked = robots.crawlDelaySeconds * 1000;
    fetcher.slowDownTo(Math.min(asked, settings.maxCrawlDelayMs));
    notes.push(
      asked > settings.maxCrawlDelayMs
        ? `robots.txt asks for a crawl-delay of ${robots.crawlDelaySeconds} s; crawled at one request per ${settings.maxCrawlDelayMs / 1000} s (knowledge.web.maxCrawlDelayMs)`
        : `crawl-delay ${robots.crawlDelaySeconds} s (robots.txt)`,
    );
  }

  // `https://docs.example.com/guide` is mostly the folder /guide/ without its slash: when the server redirects it
  // there, the crawl stays under /guide/ instead of taking in the whole site.
  let start = given;
  if (!start.pathname.endsWith('/') && !/\.\w+$/.test(start.pathname)) {
    const probe = await fetcher.fetch(start.href, {
      maxRedirects: settings.maxRedirects,
      acceptsType: () => false,
      refuseRedirect: (target) =>
        target.origin === given.origin && robots.isAllowed(target) ? undefined : 'not followed',
    });
    const landed = probe.kind === 'response' ? normalizeUrl(probe.url) : undefined;
    if (landed && landed.origin === given.origin && landed.pathname === `${given.pathname}/`) start = landed;
  }
  const scope = scopeFrom(start);

  // Sitemaps: the robots.txt Sitemap lines, else /sitemap.xml.
  const sitemapLocations = robots.sitemaps.length > 0 ? robots.sitemaps : [`${start.origin}/sitemap.xml`];
  const sitemap = await readSitemaps(sitemapLocations, fetcher, robots.sitemaps.length > 0);
  const problems: SourceItem[] = sitemap.problems.map((problem) => ({
    kind: 'failed',
    location: problem.url,
    reason: `sitemap not read: ${problem.reason}`,
  }));
  const inSitemap = new Map<string, string | undefined>();
  for (const entry of sitemap.entries) {
    const url = normalizeUrl(entry.url);
    if (url && !scope.excludedBecause(url) && robots.isAllowed(url)) inSitemap.set(url.href, entry.lastmod);
  }
  // A page "dropped from the sitemap" only counts when every sitemap was read.
  const sitemapComplete = sitemap.found && sitemap.problems.length === 0;

  const state = { discovered: 1 + inSitemap.size };
  return {
    phase: 'fetch' as const,
    total: () => state.discovered,
    finalState: () => undefined,
    summary: () => [`${fetcher.requests} requests`, ...notes].join(' · '),
    items: pages(),
  };

  async function* pages(): AsyncGenerator<SourceItem> {
    yield* problems;
    const visited = new Set<string>();
    const queued = new Set<string>([start.href]);
    const queue: Array<{ url: URL; depth: number }> = [{ url: start, depth: 0 }];
    for (const href of inSitemap.keys()) {
      if (queued.has(href)) continue;
      queued.add(href);
      queue.push({ url: new URL(href), depth: 0 });
    }
    const tooDeep: string[] = [];
    let pagesVisited = 0;
    let notModified = 0;
    let sitemapUnchanged = 0;

    const visitPage = async (
      url: URL,
      followLinks: boolean,
    ): Promise<{ items: SourceItem[]; links: URL[] }> => {
      visited.add(url.href);
      const docId = url.href;
      const stored = context.stored.has(docId);
      const token = parseToken(context.previousTokens.get(docId));
      const lastmod = inSitemap.get(docId);
      const listed = inSitemap.has(docId);
      const nextToken = (update: PageToken) =>
        JSON.stringify({
          ...update,
          ...(lastmod ? { lastmod } : {}),
          ...(listed ? { inSitemap: true } : {}),
        });
      const rememberedLinks = () =>
        followLinks ? (token.links ?? []).flatMap((link) => normalizeUrl(link, start.origin) ?? []) : [];
      if (stored && lastmod && token.lastmod === lastmod) {
        sitemapUnchanged += 1;
        return {
          items: [{ kind: 'unchanged', docId, changeToken: nextToken(token) }],
          links: rememberedLinks(),
        };
      }
      const headers: Record<string, string> = {};
      if (stored && token.etag) headers['if-none-match'] = token.etag;
      if (stored && token.lastModified) headers['if-modified-since'] = token.lastModified;
      const outcome = await fetcher.fetch(url.href, {
        headers,
        maxRedirects: settings.maxRedirects,
        acceptsType: (type) => documentTypes.has(type),
        refuseRedirect: (target) => {
          const normalized = normalizeUrl(target.href);
          if (!normalized || !scope.owns(normalized)) return `outside ${scope.start.href}; not followed`;
          if (!robots.isAllowed(normalized)) return 'which robots.txt disallows';
          return undefined;
        },
      });
      if (outcome.kind === 'response' && outcome.status === 304) {
        notModified += 1;
        return {
          items: [
            {
              kind: 'unchanged',
              docId,
              changeToken: nextToken({ ...token, ...validators(outcome.headers) }),
            },
          ],
          links: rememberedLinks(),
        };
      }
      return pageItems(url, docId, followLinks, outcome, stored, nextToken);
    };

    const pageItems = async (
      url: URL,
      docId: string,
      followLinks: boolean,
      outcome: FetchOutcome,
      stored: boolean,
      nextToken: (update: PageToken) => string,
    ): Promise<{ items: SourceItem[]; links: URL[] }> => {
      const keep = stored ? { docId } : {};
      if (outcome.kind === 'error')
        return {
          items: [{ kind: 'failed', location: url.href, reason: outcome.reason, ...keep }],
          links: [],
        };
      if (outcome.kind === 'refused')
        return {
          items: [{ kind: 'skipped', location: url.href, reason: outcome.reason, ...keep }],
          links: [],
        };
      if (outcome.status === 404 || outcome.status === 410) {
        // A start page that is not there, with no sitemap page under it, leaves nothing to crawl: a wrong URL.
        if (url.href === start.href && !stored && ![...inSitemap.keys()].some((href) => href !== start.href))
          return {
            items: [
              {
                kind: 'failed',
                location: url.href,
                reason: `the start page answered HTTP ${outcome.status} and no sitemap lists a page under it, so there is nothing to crawl: check the URL`,
              },
            ],
            links: [],
          };
        const reason = `HTTP ${outcome.status}: the page is gone`;
        return {
          items: [
            stored
              ? { kind: 'gone', docId, reason }
              : { kind: 'skipped', location: url.href, reason: `HTTP ${outcome.status} (a broken link)` },
          ],
          links: [],
        };
      }
      if (outcome.status !== 200)
        return {
          items: [{ kind: 'failed', location: url.href, reason: `HTTP ${outcome.status}`, ...keep }],
          links: [],
        };
      if (outcome.bodySkipped) {
        const reason = `content type ${outcome.mediaType || '(none)'} is not a document answerloop reads`;
        return {
          items: [stored ? { kind: 'gone', docId, reason } : { kind: 'skipped', location: url.href, reason }],
          links: [],
        };
      }

      // After redirects the page's own URL is its id, or its canonical link when that stays on the site.
      const landed = normalizeUrl(outcome.url) ?? url;
      const pageId = landed.href;
      const moved: SourceItem[] =
        stored && landed.href !== docId ? [{ kind: 'gone', docId, reason: `moved to ${landed.href}` }] : [];
      // Two URLs that redirect to one page: it is read once.
      if (landed.href !== docId && visited.has(landed.href)) return { items: moved, links: [] };
      visited.add(pageId);
      const format = documentTypes.get(outcome.mediaType) ?? outcome.mediaType;
      const links: URL[] = [];
      let text: string;
      let fallbackTitle: string | undefined;
      let emptyNote: string | undefined;
      if (format === 'application/pdf') {
        try {
          const pdf = await pdfText(outcome.body);
          text = pdf.text;
          fallbackTitle = pdf.title ?? decodeURIComponent(landed.pathname.split('/').pop() ?? landed.href);
        } catch (error) {
          return {
            items: [
              {
                kind: 'skipped',
                location: url.href,
                reason: `PDF text could not be read (${(error as Error).message})`,
                ...keep,
              },
            ],
            links: [],
          };
        }
      } else {
        text = decodeBody(outcome.body, outcome.headers.get('content-type'));
      }
      if (format === 'text/html') {
        const page = readPage(text, landed);
        if (page.noindex)
          return {
            items: [
              {
                kind: 'skipped',
                location: landed.href,
                reason: 'the page asks not to be indexed (meta robots noindex)',
                ...keep,
              },
            ],
            links: [],
          };
        if (page.canonical && page.canonical.href !== pageId && scope.owns(page.canonical)) {
          // A copy of another page (a print view, a second path): the canonical page is read instead, once.
          const copy: SourceItem[] = stored
            ? [{ kind: 'gone', docId, reason: `a copy of ${page.canonical.href} (its canonical link)` }]
            : [];
          return { items: [...moved, ...copy], links: [page.canonical] };
        }
        if (!page.nofollow) links.push(...page.links);
        if (/<script\b/i.test(text)) emptyNote = javascriptNote;
      }
      // The page's links on the site are remembered with it, so a 304 next time still leads to them.
      const onSite = [
        ...new Set(links.filter((link) => scope.owns(link)).map((link) => `${link.pathname}${link.search}`)),
      ].slice(0, rememberedLinksPerPage);
      const token = nextToken({
        ...validators(outcome.headers),
        ...(onSite.length > 0 ? { links: onSite } : {}),
      });
      const items: SourceItem[] = [...moved];
      // A stored page that now lives at another URL is replaced by it.
      if (pageId !== docId && stored && moved.length === 0)
        items.push({ kind: 'gone', docId, reason: `moved to ${pageId}` });
      items.push({
        kind: 'document',
        docId: pageId,
        source: pageId,
        format: format === 'application/pdf' ? 'text/plain' : format,
        content: { text },
        changeToken: pageId === docId ? token : undefined,
        ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
        ...(fallbackTitle ? { fallbackTitle } : {}),
        ...(emptyNote ? { emptyNote } : {}),
      });
      return { items, links: followLinks ? links : [] };
    };

    // Breadth first, a few pages at a time; the fetcher spaces the requests.
    while (queue.length > 0) {
      if (context.signal?.aborted) throw new Error('stopped');
      if (pagesVisited >= settings.maxPages) break;
      const wave = queue
        .splice(0, Math.min(settings.concurrency, settings.maxPages - pagesVisited))
        .filter((entry) => !visited.has(entry.url.href));
      pagesVisited += wave.length;
      const results = await Promise.all(wave.map((entry) => visitPage(entry.url, true)));
      for (const [index, result] of results.entries()) {
        const depth = wave[index]!.depth;
        for (const link of result.links) {
          if (queued.has(link.href) || visited.has(link.href)) continue;
          queued.add(link.href);
          if (scope.excludedBecause(link) || !robots.isAllowed(link)) continue;
          if (depth + 1 > settings.maxDepth) {
            tooDeep.push(link.href);
            continue;
          }
          queue.push({ url: link, depth: depth + 1 });
          state.discovered += 1;
        }
        context.onProgress?.(visited.size, state.discovered, wave[index]!.url.href);
        yield* result.items;
      }
    }

    if (tooDeep.length > 0) {
      yield {
        kind: 'skipped',
        location: tooDeep[0]!,
        reason: `more than knowledge.web.maxDepth (${settings.maxDepth}) links from the start page; ${tooDeep.length} such link${tooDeep.length === 1 ? ' was' : 's were'} not followed (an endless link space such as a calendar stops here)`,
      };
    }
    const unvisited = queue.filter((entry) => !visited.has(entry.url.href));
    if (unvisited.length > 0) {
      // Not every page was seen, so none is called gone on the strength of not being seen.
      yield {
        kind: 'skipped',
        location: unvisited[0]!.url.href,
        reason: `the page limit knowledge.web.maxPages (${settings.maxPages}) was reached; ${unvisited.length} more page${unvisited.length === 1 ? ' was' : 's were'} not fetched (raise it, or narrow the crawl with include/exclude)`,
      };
      return;
    }

    // Stored pages this crawl did not reach: dropped from the sitemap, excluded now, or checked one by one.
    for (const docId of context.stored.keys()) {
      const url = normalizeUrl(docId);
      if (!url || url.href !== docId || visited.has(docId) || !scope.owns(url)) continue;
      const token = parseToken(context.previousTokens.get(docId));
      const excluded = scope.excludedBecause(url);
      if (excluded) yield { kind: 'gone', docId, reason: `${excluded} now` };
      else if (!robots.isAllowed(url)) yield { kind: 'gone', docId, reason: 'robots.txt disallows it now' };
      else if (token.inSitemap && sitemapComplete && !inSitemap.has(docId))
        yield { kind: 'gone', docId, reason: 'dropped from the sitemap' };
      else {
        const result = await visitPage(url, false);
        yield* result.items;
      }
    }
    if (notModified > 0) notes.push(`${notModified} not modified (304)`);
    if (sitemapUnchanged > 0) notes.push(`${sitemapUnchanged} unchanged by sitemap lastmod`);
  }
}

function validators(headers: Headers): PageToken {
  const etag = headers.get('etag') ?? undefined;
  const lastModified = headers.get('last-modified') ?? undefined;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/**
 * A page's text in the charset its Content-Type names, else the one its `<meta charset>` (or http-equiv) names in
 * its first 1024 bytes, as browsers read it; without either, UTF-8 or, for legacy 8-bit bytes, Windows-1252.
 */
function decodeBody(bytes: Uint8Array, contentType: string | null): string {
  const charset =
    /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1] ??
    (/html/i.test(contentType ?? '')
      ? /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(
          new TextDecoder('latin1').decode(bytes.subarray(0, 1024)),
        )?.[1]
      : undefined);
  if (!charset || /^utf-?8$/i.test(charset)) return decodeText(bytes);
  if (/^(?:iso-?8859-1|iso_8859-1|latin-?1|l1|windows-1252|cp1252|us-ascii|ascii)$/i.test(charset))
    return decodeWindows1252(bytes);
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return decodeText(bytes);
  }
}

/** Links, canonical URL and robots meta of an HTML page. */
function readPage(
  html: string,
  pageUrl: URL,
): { links: URL[]; canonical?: URL; noindex: boolean; nofollow: boolean } {
  const { document } = parseHTML(html);
  const base =
    normalizeUrl(document.querySelector('base[href]')?.getAttribute('href') ?? '', pageUrl.href) ?? pageUrl;
  const robotsMeta = [...document.querySelectorAll('meta[name="robots" i], meta[name="answerloop" i]')]
    .map((meta) => (meta.getAttribute('content') ?? '').toLowerCase())
    .join(',');
  const canonicalHref = document.querySelector('link[rel~="canonical"][href]')?.getAttribute('href');
  const canonical = canonicalHref ? normalizeUrl(canonicalHref, base.href) : undefined;
  const links: URL[] = [];
  for (const anchor of document.querySelectorAll('a[href]')) {
    if (/\bnofollow\b/i.test(anchor.getAttribute('rel') ?? '')) continue;
    const link = normalizeUrl(anchor.getAttribute('href') ?? '', base.href);
    if (link) links.push(link);
  }
  return {
    links,
    ...(canonical ? { canonical } : {}),
    noindex: /\b(?:noindex|none)\b/.test(robotsMeta),
    nofollow: /\b(?:nofollow|none)\b/.test(robotsMeta),
  };
}
