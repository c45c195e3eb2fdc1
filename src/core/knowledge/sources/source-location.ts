import { createRequire } from 'node:module';
import path from 'node:path';
import { createFolderSource } from './folder/folder-source.ts';
import { createGitSource, parseGitLocation } from './git-source.ts';
import type { KnowledgeSource, SourceKind } from './knowledge-source.ts';
import { createWebsiteSource, type WebsiteSettings } from './website/website-source.ts';

/** What every source is built from: project paths and the knowledge.web / knowledge.git settings. */
export interface SourceSettings {
  rootDir: string;
  /** The data folder, absolute: git checkouts live under it. */
  dataDir: string;
  extensions: readonly string[];
  web: WebsiteSettings;
  git: { timeoutMs: number; urlTemplate: string };
  /** Stored documents of the sources the product keeps itself (verified answers): no folder prunes them. */
  ownedElsewhere?: (docId: string) => boolean;
}

/** Per source: what `knowledge.sources` entries and `answerloop ingest` options can set. */
export interface SourceChoices {
  tags?: string[];
  include?: readonly string[];
  exclude?: readonly string[];
  maxPages?: number;
  maxDepth?: number;
  urlTemplate?: string;
}

const version = (createRequire(import.meta.url)('../../../../package.json') as { version: string }).version;
/** Sent with every request; robots.txt rules for `answerloop` apply to it. */
export const crawlerUserAgent = `answerloop/${version}`;

/** A location as `answerloop ingest` takes it: `git+<url>`, an http(s) URL, or else a file or folder. */
export function sourceKindOf(location: string): SourceKind {
  if (location.startsWith('git+')) return 'git';
  if (/^https?:\/\//i.test(location)) return 'website';
  return 'folder';
}

/** One source for a website or repository location, or for a group of files and folders. */
export function createSource(
  locations: string[],
  choices: SourceChoices,
  settings: SourceSettings,
): KnowledgeSource {
  const kind = sourceKindOf(locations[0] ?? '');
  const tags = choices.tags && choices.tags.length > 0 ? choices.tags : undefined;
  if (kind === 'website') {
    return createWebsiteSource({
      url: locations[0]!,
      include: choices.include,
      exclude: choices.exclude,
      tags,
      settings: {
        ...settings.web,
        maxPages: choices.maxPages ?? settings.web.maxPages,
        maxDepth: choices.maxDepth ?? settings.web.maxDepth,
      },
      userAgent: crawlerUserAgent,
    });
  }
  if (kind === 'git') {
    return createGitSource({
      location: parseGitLocation(locations[0]!),
      checkoutRoot: path.join(settings.dataDir, 'sources', 'git'),
      urlTemplate: choices.urlTemplate ?? settings.git.urlTemplate,
      timeoutMs: settings.git.timeoutMs,
      tags,
    });
  }
  return createFolderSource({
    paths: locations,
    rootDir: settings.rootDir,
    extensions: settings.extensions,
    tags,
    include: choices.include,
    exclude: choices.exclude,
    ownedElsewhere: settings.ownedElsewhere,
  });
}

/** Files and folders go together into one source; each website and repository is a source of its own. */
export function groupLocations(locations: string[]): string[][] {
  const folders = locations.filter((location) => sourceKindOf(location) === 'folder');
  const others = locations
    .filter((location) => sourceKindOf(location) !== 'folder')
    .map((location) => [location]);
  return [...(folders.length > 0 ? [folders] : []), ...others];
}
