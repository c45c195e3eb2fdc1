import picomatch from 'picomatch';

/** A URL as the crawler keys it: no fragment, no default port, host lower-cased; undefined when not http(s). */
export function normalizeUrl(raw: string, base?: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  url.username = '';
  url.password = '';
  return url;
}

export interface CrawlScopeOptions {
  include: readonly string[];
  exclude: readonly string[];
  followQueryStrings: boolean;
}

/** Same origin as the start URL and under its path; include and exclude globs match the URL's path. */
export interface CrawlScope {
  readonly start: URL;
  /** Whether a URL belongs to the site below the start path at all (what this source owns in the store). */
  owns(url: URL): boolean;
  /** Why a URL of the site is not crawled, or undefined when it is. */
  excludedBecause(url: URL): string | undefined;
}

export function createCrawlScope(start: URL, options: CrawlScopeOptions): CrawlScope {
  const folder = start.pathname.endsWith('/')
    ? start.pathname
    : start.pathname.slice(0, start.pathname.lastIndexOf('/') + 1);
  const include = options.include.length > 0 ? picomatch([...options.include], { dot: true }) : undefined;
  const exclude = options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : undefined;
  const owns = (url: URL) =>
    url.origin === start.origin && (url.pathname === start.pathname || url.pathname.startsWith(folder));
  return {
    start,
    owns,
    excludedBecause(url) {
      if (!owns(url)) return `outside ${start.origin}${folder}`;
      if (url.search && !options.followQueryStrings && url.href !== start.href)
        return 'a URL with a query string (knowledge.web.followQueryStrings is off)';
      if (exclude?.(url.pathname)) return 'matches an exclude pattern';
      if (include && url.href !== start.href && !include(url.pathname)) return 'matches no include pattern';
      return undefined;
    },
  };
}
