/**
 * Documents that are not files: text the product itself keeps as knowledge (verified answers). They go
 * through the same chunker, embedder and atomic write as a file, and live under a reserved id prefix that a
 * file ingest never prunes, nor counts as dropped after a rebuild (their owner writes them again).
 */
import type { ChunkingSettings } from './chunker.ts';
import { chunkMarkdown } from './chunker.ts';
import type { IngestDependencies } from './types.ts';
import { embedDocuments, type PreparedDocument, toChunks } from './ingest-pipeline.ts';
import { sha256 } from './content-hash.ts';
import { isTextDocumentId, textDocumentPrefixes } from './text-document-ids.ts';

export interface TextDocument {
  /** Starts with one of `textDocumentPrefixes` (text-document-ids.ts). */
  docId: string;
  /** The citation shown for it. */
  source: string;
  title: string;
  tags: string[];
  /** The body, as Markdown. */
  markdown: string;
}

/** Chunks, embeds and writes one text document whole, replacing any earlier version of it. */
export async function ingestTextDocument(
  document: TextDocument,
  dependencies: Omit<IngestDependencies, 'rootDir'>,
): Promise<{ chunks: number }> {
  if (!isTextDocumentId(document.docId)) {
    throw new RangeError(
      `a text document id starts with ${textDocumentPrefixes.join(' or ')}; got ${document.docId}`,
    );
  }
  const { store, embedder, settings, clock } = dependencies;
  const chunking: ChunkingSettings = {
    chunkTokens: settings.chunkTokens,
    chunkOverlapTokens: settings.chunkOverlapTokens,
  };
  const prepared: PreparedDocument = {
    docId: document.docId,
    source: document.source,
    title: document.title,
    tags: document.tags,
    documentHash: sha256(`${document.title}\u0000${document.markdown}`),
    drafts: chunkMarkdown(document.markdown, chunking),
  };
  if (prepared.drafts.length === 0) throw new RangeError(`the text document ${document.docId} is empty`);
  const vectors = (await embedDocuments([prepared], embedder, () => {})).get(document.docId);
  if (!vectors || vectors instanceof Error) throw vectors ?? new Error(`no vectors for ${document.docId}`);
  await store.replaceDocument(document.docId, toChunks(prepared, vectors, clock.now().toISOString()));
  return { chunks: prepared.drafts.length };
}
