import robotsParserModule from 'robots-parser';
import { SourceUnavailableError } from '../knowledge-source.ts';
import type { PoliteFetcher } from './polite-fetcher.ts';

interface ParsedRobots {
  isAllowed(url: string, userAgent?: string): boolean | undefined;
  getCrawlDelay(userAgent?: string): number | undefined;
  getSitemaps(): string[];
}
// The package is CommonJS with a default export declared; at run time the module itself is the function.
const robotsParser = ((robotsParserModule as unknown as { default?: unknown }).default ??
  robotsParserModule) as (url: string, text: string) => ParsedRobots;

export interface RobotsRules {
  isAllowed(url: URL): boolean;
  /** Seconds the site asks between requests, if it says. */
  crawlDelaySeconds?: number;
  /** `Sitemap:` lines. */
  sitemaps: string[];
}

/**
 * Reads the site's robots.txt for our user agent (RFC 9309): a missing file (4xx) allows everything; a server error
 * means "do not crawl now", so the run stops without touching what is stored.
 */
export async function loadRobotsRules(
  origin: string,
  fetcher: PoliteFetcher,
  userAgent: string,
): Promise<RobotsRules> {
  const location = `${origin}/robots.txt`;
  const response = await fetcher.fetch(location, { maxRedirects: 5, acceptAnyType: true });
  if (response.kind !== 'response')
    throw new SourceUnavailableError(location, response.reason, { isRetryable: true });
  if (response.status >= 500) {
    throw new SourceUnavailableError(
      location,
      `robots.txt answered HTTP ${response.status}, which means do not crawl now; try again later`,
      { isRetryable: true },
    );
  }
  if (response.status !== 200) return { isAllowed: () => true, sitemaps: [] };
  const robots = robotsParser(location, new TextDecoder().decode(response.body));
  const agent = userAgent.split('/')[0]!;
  const delay = robots.getCrawlDelay(agent);
  return {
    isAllowed: (url) => robots.isAllowed(url.href, agent) !== false,
    ...(delay !== undefined && Number.isFinite(delay) ? { crawlDelaySeconds: delay } : {}),
    sitemaps: robots.getSitemaps(),
  };
}
