import type { ChunkDraft, ChunkingSettings } from '../chunker.ts';

/** What a loader makes of a file: its metadata and its passages. */
export interface LoadedDocument {
  /** From front matter, <title> or the first level-1 heading; undefined when the file names none. */
  title?: string;
  tags: string[];
  /** A `source` or `url` from front matter that replaces the file path as the citation link. */
  source?: string;
  chunks: ChunkDraft[];
  /** Per chunk, the anchor (`id`) of its section's heading on the page, when the page has one. */
  anchors?: Array<string | undefined>;
}

/**
 * Reads one file's text in order, in one piece or several (a file over `knowledge.maxFileBytes` is never held
 * whole). Pieces arrive cut at line boundaries; the first piece holds the start of the file.
 */
export interface DocumentReader {
  addPiece(text: string): void;
  finish(): LoadedDocument;
}

export interface DocumentLoader {
  /** Lower-case extensions with the dot, e.g. `.md`. */
  readonly extensions: readonly string[];
  /** Media types it reads when a website serves them, e.g. `text/html`. */
  readonly mediaTypes?: readonly string[];
  /** `context.path` names the file in error messages. */
  createReader(settings: ChunkingSettings, context: { path: string }): DocumentReader;
}

/** Loads a document held whole in memory. */
export function loadDocument(
  loader: DocumentLoader,
  text: string,
  settings: ChunkingSettings,
  context: { path: string },
): LoadedDocument {
  const reader = loader.createReader(settings, context);
  reader.addPiece(text);
  return reader.finish();
}

/** Front-matter `tags` may be a list or a comma-separated string; anything else is ignored. */
export function normalizeTags(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const tags = raw
    .filter((tag): tag is string | number => typeof tag === 'string' || typeof tag === 'number')
    .map((tag) => String(tag).trim());
  return [...new Set(tags.filter((tag) => tag.length > 0))];
}
