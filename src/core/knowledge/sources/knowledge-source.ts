/**
 * Where documents come from. A source (a folder, a website, a git repository, the verified answers) turns its location into items: each
 * document with a stable id, the link a citation shows and a change token, plus what it could not read and what is
 * gone. The one ingest pipeline does the rest (load, hash, chunk, embed, write, delete) the same way for every source.
 */
import { AnswerloopError } from '../../errors/index.ts';
import type { Clock, DocumentSummary, Logger } from '../../ports/index.ts';

export type SourceKind = 'folder' | 'website' | 'git' | 'verified';

/** The text or the file of a document, and the format its loader is chosen by. */
export type SourceContent =
  /** A file on disk, read (in pieces when large) and hashed byte for byte by the pipeline. */
  | { file: string }
  /** Text already fetched; its hash is taken over what the loader makes of it, so page chrome changes nothing. */
  | { text: string }
  /**
   * Markdown the product itself keeps (a verified answer): chunked as it stands, with no loader, front matter or
   * title of its own (the title is `fallbackTitle`).
   */
  | { markdown: string };

export interface SourceDocument {
  kind: 'document';
  /** Stable across runs: a path relative to the project, a page URL, a repository file. */
  docId: string;
  /** The citation's link (a path or URL); a heading's anchor is added per passage when the loader knows it. */
  source: string;
  /** Chooses the loader: a file extension (`.md`) or a media type (`text/html`). */
  format: string;
  content: SourceContent;
  /** Opaque: what the source needs next run to tell this document unchanged without reading it (ETag, blob id). */
  changeToken?: string;
  /** Added to the tags the document itself declares. */
  tags?: string[];
  /** Used when the document names no title of its own. */
  fallbackTitle?: string;
  /** Said in the report next to an empty document (e.g. a page that needs JavaScript). */
  emptyNote?: string;
}

export type SourceItem =
  | SourceDocument
  /** Known unchanged without reading (a 304, the same git blob): no loading, no embedding, no write. */
  | { kind: 'unchanged'; docId: string; changeToken?: string }
  /** Removed at the source (404/410, dropped from the sitemap, deleted file): its passages are deleted. */
  | { kind: 'gone'; docId: string; reason: string }
  /** Not ingested, on purpose (binary, unsupported type, robots.txt); a `docId` keeps a stored copy as it is. */
  | { kind: 'skipped'; location: string; reason: string; docId?: string }
  /** Could not be read now (timeout, 5xx); the stored copy, if any, stays and the next run tries again. */
  | { kind: 'failed'; location: string; reason: string; docId?: string };

export interface SourceScanContext {
  /** Every document the store holds (any source); a source only ever reports its own as gone. */
  stored: ReadonlyMap<string, DocumentSummary>;
  /** Change tokens saved after the last complete write of each document of this source. */
  previousTokens: ReadonlyMap<string, string>;
  /** The source's own state saved after its last run (a git commit), if any. */
  previousState?: string;
  logger: Logger;
  clock: Clock;
  /** Reports discovery progress (pages fetched, files listed). */
  onProgress?: (done: number, total: number, current?: string) => void;
  signal?: AbortSignal;
}

export interface SourceScan {
  items: AsyncIterable<SourceItem>;
  /** How progress is reported: files listed up front are read; pages are fetched as they are discovered. */
  phase: 'read' | 'fetch';
  /** Items known so far (all of them for a folder; discovered pages for a site). */
  total(): number;
  /** Read once the items are consumed: the state to keep for the next run (e.g. the commit synced). */
  finalState(): string | undefined;
  /** A line for the report once the items are consumed, e.g. `commit 1a2b3c4 (was 9f8e7d6)`. */
  summary?(): string | undefined;
}

export interface KnowledgeSource {
  readonly kind: SourceKind;
  /** Stable key of the source's saved state: its location as given, without credentials. */
  readonly key: string;
  /** For messages. */
  readonly label: string;
  /** Tags the source adds to every document (`--tag`, a source's `tags`): changing them writes its documents again. */
  readonly tags?: readonly string[];
  /** Throws an InputError when the location itself is wrong (a missing folder); other faults become items. */
  scan(context: SourceScanContext): Promise<SourceScan>;
  /**
   * For a source whose documents have ids of their own (`verified/<id>`): whether a stored document is one of
   * them. No other source reports such a document gone, and a rebuild leaves it to this source to write again.
   */
  owns?(docId: string): boolean;
}

/** Raised by a source when nothing can be read at all (host unreachable, robots.txt forbids all, bad git URL). */
export class SourceUnavailableError extends AnswerloopError {
  constructor(
    readonly location: string,
    readonly reason: string,
    options: { cause?: unknown; isRetryable?: boolean } = {},
  ) {
    super('upstream_failed', `${location}: ${reason}`, { ...options, details: { location } });
    this.name = 'SourceUnavailableError';
  }
}
