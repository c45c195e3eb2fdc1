import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import type { PoliteFetcher } from './polite-fetcher.ts';

export interface SitemapEntry {
  url: string;
  lastmod?: string;
}

export interface SitemapResult {
  entries: SitemapEntry[];
  /** True when at least one sitemap was read: a page missing from it was dropped from the sitemap. */
  found: boolean;
  /** Sitemaps that could not be read, with the reason. */
  problems: Array<{ url: string; reason: string }>;
}

/** Sitemap indexes are followed this deep, and at most this many sitemaps are read, so a loop cannot run away. */
const maxIndexDepth = 3;
const maxSitemaps = 50;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
});

/** Reads sitemaps and sitemap indexes, plain or gzip, into page URLs with their `lastmod`. */
export async function readSitemaps(
  locations: string[],
  fetcher: PoliteFetcher,
  explicit: boolean,
): Promise<SitemapResult> {
  const result: SitemapResult = { entries: [], found: false, problems: [] };
  const seen = new Set<string>();
  const visit = async (location: string, depth: number, required: boolean): Promise<void> => {
    if (seen.has(location) || seen.size >= maxSitemaps) return;
    seen.add(location);
    const response = await fetcher.fetch(location, { maxRedirects: 5, acceptAnyType: true });
    if (response.kind !== 'response') {
      result.problems.push({ url: location, reason: response.reason });
      return;
    }
    if (response.status !== 200) {
      if (required || response.status !== 404)
        result.problems.push({ url: location, reason: `HTTP ${response.status}` });
      return;
    }
    let xml: string;
    try {
      const bytes =
        response.body[0] === 0x1f && response.body[1] === 0x8b ? gunzipSync(response.body) : response.body;
      xml = new TextDecoder().decode(bytes);
    } catch (error) {
      result.problems.push({
        url: location,
        reason: `not a readable gzip file (${(error as Error).message})`,
      });
      return;
    }
    let parsed: {
      urlset?: { url?: Array<{ loc?: unknown; lastmod?: unknown }> };
      sitemapindex?: { sitemap?: Array<{ loc?: unknown }> };
    };
    try {
      parsed = parser.parse(xml) as typeof parsed;
    } catch (error) {
      result.problems.push({ url: location, reason: `not valid sitemap XML (${(error as Error).message})` });
      return;
    }
    if (parsed.urlset) {
      result.found = true;
      for (const entry of parsed.urlset.url ?? []) {
        if (typeof entry.loc !== 'string') continue;
        result.entries.push({
          url: entry.loc.trim(),
          ...(entry.lastmod !== undefined ? { lastmod: String(entry.lastmod).trim() } : {}),
        });
      }
    } else if (parsed.sitemapindex) {
      if (depth >= maxIndexDepth) {
        result.problems.push({
          url: location,
          reason: `sitemap indexes nested deeper than ${maxIndexDepth}`,
        });
        return;
      }
      for (const child of parsed.sitemapindex.sitemap ?? []) {
        if (typeof child.loc === 'string')
          await visit(new URL(child.loc.trim(), location).href, depth + 1, true);
      }
    } else if (required) {
      result.problems.push({ url: location, reason: 'neither a <urlset> nor a <sitemapindex>' });
    }
  };
  for (const location of locations) await visit(location, 0, explicit);
  return result;
}
