/**
 * The incremental ingest pipeline: walk the given paths, hash each file, re-chunk and re-embed only what changed,
 * write each document atomically, and remove documents whose files are gone, under the given roots only.
 */
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AnswerloopError, InputError, toAnswerloopError } from '../errors/index.ts';
import type { Chunk, ChunkStore, DocumentSummary, EmbeddingSpace } from '../ports/index.ts';
import type { ChunkDraft, ChunkingSettings } from './chunker.ts';
import { type DocumentLoader, type LoadedDocument, loadDocument } from './document-loader.ts';
import { embeddingInput } from './embedding-input.ts';
import type { IngestDependencies, IngestOptions, IngestProgress, IngestReport } from './index.ts';
import { loaderForExtension } from './loader-registry.ts';
import { isTextDocumentId } from './text-documents.ts';
import { containsNulByte, decodeText, looksBinary, readTextPieces, sha256, sha256OfFile } from './source-file-reading.ts';
import { listFiles, toPosix } from './walk-files.ts';

/** Texts per embed call: small enough for any embeddings API, large enough to keep round trips few. */
export const embedBatchSize = 64;

interface IngestRoot {
  /** As the user wrote it, for messages. */
  given: string;
  absolute: string;
}

export interface PreparedDocument {
  docId: string;
  source: string;
  title: string;
  tags: string[];
  documentHash: string;
  drafts: ChunkDraft[];
}

type ReadOutcome =
  | { kind: 'binary' }
  | { kind: 'unchanged' }
  | { kind: 'loaded'; documentHash: string; document: LoadedDocument };

export async function ingestPaths(paths: string[], options: IngestOptions, dependencies: IngestDependencies): Promise<IngestReport> {
  const { store, embedder, settings, logger, clock, rootDir } = dependencies;
  const startedAt = clock.now().getTime();
  const progress = (update: IngestProgress) => options.onProgress?.(update);
  const chunking: ChunkingSettings = { chunkTokens: settings.chunkTokens, chunkOverlapTokens: settings.chunkOverlapTokens };
  const extensions = new Set(settings.extensions.map((extension) => extension.toLowerCase()));
  const report: IngestReport = {
    added: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    chunks: 0,
    skipped: [],
    empty: [],
    failed: [],
    changedDocIds: [],
    durationMs: 0,
    ...(options.rebuild ? { rebuilt: true } : {}),
  };

  const roots = await resolveRoots(paths, rootDir);
  const docIdOf = (absolute: string) => toPosix(path.relative(rootDir, absolute));

  // What the index held before this run, and what it holds now (nothing, after a rebuild).
  const space: EmbeddingSpace = { embedderId: embedder.id, dimensions: embedder.dimensions };
  let previous: Map<string, DocumentSummary>;
  let stored: Map<string, DocumentSummary>;
  if (options.rebuild) {
    previous = await documentsBeforeRebuild(store, space, logger);
    await store.resetKnowledge();
    await store.init(space);
    stored = new Map();
    logger.info({ previousDocuments: previous.size, embedderId: space.embedderId, dimensions: space.dimensions }, 'knowledge index reset for a rebuild');
  } else {
    previous = new Map((await store.listDocuments()).map((summary) => [summary.docId, summary]));
    stored = previous;
  }

  // Scan.
  const files = new Map<string, string>();
  progress({ phase: 'scan', done: 0, total: roots.length });
  for (const [index, root] of roots.entries()) {
    for (const file of await listFiles(root.absolute)) files.set(docIdOf(file), file);
    progress({ phase: 'scan', done: index + 1, total: roots.length, current: root.given });
  }
  const ordered = [...files.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));

  // Read, hash, compare, chunk.
  const prepared: PreparedDocument[] = [];
  /** Files found with a supported type: their documents are never pruned, even when they could not be read now. */
  const present = new Set<string>();
  const emptied: string[] = [];
  const skip = (docId: string, reason: string) => {
    report.skipped.push({ path: docId, reason });
    logger.warn({ path: docId, reason }, `skipped ${docId}: ${reason}`);
  };
  for (const [index, [docId, file]] of ordered.entries()) {
    progress({ phase: 'read', done: index, total: ordered.length, current: docId });
    const extension = path.extname(file).toLowerCase();
    const loader = extensions.has(extension) ? loaderForExtension(extension) : undefined;
    if (!loader) {
      skip(docId, extensions.has(extension) ? `no loader reads ${extension} files` : `unsupported file type ${extension || '(no extension)'} (see knowledge.extensions)`);
      continue;
    }
    present.add(docId);
    let outcome: ReadOutcome;
    try {
      outcome = await readSourceFile(file, docId, loader, chunking, settings.maxFileBytes, stored.get(docId)?.documentHash);
    } catch (error) {
      if (isFileSystemError(error)) skip(docId, `could not be read (${error.message})`);
      else if (error instanceof InputError) skip(docId, error.message);
      else recordFailure(report, logger, { docId, source: docId }, error, 'could not be loaded');
      continue;
    }
    if (outcome.kind === 'binary') {
      skip(docId, 'binary file (NUL bytes in its first 8 KB)');
      continue;
    }
    if (outcome.kind === 'unchanged') {
      report.unchanged += 1;
      continue;
    }
    const { document, documentHash } = outcome;
    if (document.chunks.length === 0) {
      report.empty.push(docId);
      logger.warn({ path: docId }, `empty document ${docId}: nothing to ingest`);
      if (stored.has(docId)) emptied.push(docId);
      continue;
    }
    prepared.push({
      docId,
      source: document.source ?? docId,
      title: document.title ?? titleFromFileName(file),
      tags: document.tags,
      documentHash,
      drafts: document.chunks,
    });
  }
  progress({ phase: 'read', done: ordered.length, total: ordered.length });

  // Embed in batches across documents, then write each document whole.
  const totalChunks = prepared.reduce((sum, document) => sum + document.drafts.length, 0);
  const written = new Set<string>();
  let embeddedCount = 0;
  let writtenCount = 0;
  const onEmbedded = (count: number, current: string) => {
    embeddedCount = Math.min(totalChunks, embeddedCount + count);
    progress({ phase: 'embed', done: embeddedCount, total: totalChunks, current });
  };
  if (prepared.length > 0) progress({ phase: 'embed', done: 0, total: totalChunks });
  for (const batch of batchDocuments(prepared, embedBatchSize)) {
    const vectors = await embedDocuments(batch, embedder, onEmbedded);
    // A few documents are written at once: a networked store (Elasticsearch) overlaps their round trips.
    await forEachConcurrently(batch, settings.writeConcurrency, async (document) => {
      const embeddings = vectors.get(document.docId);
      if (embeddings instanceof Error) {
        recordFailure(report, logger, document, embeddings, 'could not be embedded');
        return;
      }
      progress({ phase: 'write', done: writtenCount, total: prepared.length, current: document.docId });
      try {
        await store.replaceDocument(document.docId, toChunks(document, embeddings!, clock.now().toISOString()));
      } catch (error) {
        recordFailure(report, logger, document, error, 'could not be written');
        return;
      } finally {
        writtenCount += 1;
      }
      written.add(document.docId);
      report.chunks += document.drafts.length;
      const before = previous.get(document.docId);
      if (!before) report.added += 1;
      else if (before.documentHash === document.documentHash) report.unchanged += 1;
      else report.updated += 1;
      if (before?.documentHash !== document.documentHash) report.changedDocIds.push(document.docId);
    });
  }
  if (prepared.length > 0) progress({ phase: 'write', done: writtenCount, total: prepared.length });

  // Delete: emptied documents always; vanished files under the given roots unless pruning is off.
  if (options.rebuild) {
    const failedIds = new Set(report.failed.map((failure) => failure.docId));
    const dropped = [...previous.keys()].filter((docId) => !written.has(docId) && !failedIds.has(docId) && !isTextDocumentId(docId));
    report.deleted += dropped.length;
    report.changedDocIds.push(...dropped);
    if (dropped.length > 0) logger.warn({ documents: dropped.length }, `the rebuild dropped ${dropped.length} documents that were not under the given paths or no longer exist`);
  } else {
    const toDelete = [...emptied];
    if (options.prune !== false) toDelete.push(...(await vanishedDocuments(stored, present, roots, rootDir, extensions)));
    for (const [index, docId] of toDelete.entries()) {
      progress({ phase: 'delete', done: index, total: toDelete.length, current: docId });
      try {
        await store.deleteDocument(docId);
        report.deleted += 1;
        report.changedDocIds.push(docId);
      } catch (error) {
        recordFailure(report, logger, { docId, source: stored.get(docId)?.source ?? docId }, error, 'could not be deleted');
      }
    }
    if (toDelete.length > 0) progress({ phase: 'delete', done: toDelete.length, total: toDelete.length });
  }

  report.durationMs = clock.now().getTime() - startedAt;
  progress({ phase: 'done', done: ordered.length, total: ordered.length });
  logger.info(
    {
      added: report.added,
      updated: report.updated,
      unchanged: report.unchanged,
      deleted: report.deleted,
      chunks: report.chunks,
      skipped: report.skipped.length,
      empty: report.empty.length,
      failed: report.failed.length,
      durationMs: report.durationMs,
    },
    'ingest finished',
  );
  return report;
}

async function resolveRoots(paths: string[], rootDir: string): Promise<IngestRoot[]> {
  if (paths.length === 0) throw new InputError('Name at least one file or folder to ingest, e.g. `answerloop ingest docs`.');
  const roots = paths.map((given) => ({ given, absolute: path.resolve(rootDir, given) }));
  const missing: string[] = [];
  for (const root of roots) {
    try {
      await access(root.absolute);
    } catch {
      missing.push(root.absolute === root.given ? root.given : `${root.given} (${root.absolute})`);
    }
  }
  if (missing.length > 0) {
    throw new InputError(`No such file or folder: ${missing.join(', ')}. Check the path and try again.`, { missing });
  }
  return roots;
}

/** The documents before a rebuild, read even when the store holds another embedding space. */
async function documentsBeforeRebuild(store: ChunkStore, space: EmbeddingSpace, logger: IngestDependencies['logger']): Promise<Map<string, DocumentSummary>> {
  try {
    await store.init(space);
  } catch (error) {
    // A mismatch is what a rebuild fixes; anything else (store down) stops the run.
    if (!(error instanceof AnswerloopError && error.code === 'dimension_mismatch')) throw error;
  }
  try {
    return new Map((await store.listDocuments()).map((summary) => [summary.docId, summary]));
  } catch (error) {
    logger.warn({ error: toAnswerloopError(error).message }, 'could not list the documents before the rebuild; counts will treat every document as added');
    return new Map();
  }
}

async function readSourceFile(
  file: string,
  docId: string,
  loader: DocumentLoader,
  chunking: ChunkingSettings,
  maxFileBytes: number,
  storedHash: string | undefined,
): Promise<ReadOutcome> {
  const info = await stat(file);
  if (!info.isFile()) throw Object.assign(new Error('ENOTFILE: not a regular file'), { code: 'ENOTFILE' });
  if (info.size <= maxFileBytes) {
    const bytes = await readFile(file);
    if (containsNulByte(bytes)) return { kind: 'binary' };
    const documentHash = sha256(bytes);
    if (documentHash === storedHash) return { kind: 'unchanged' };
    return { kind: 'loaded', documentHash, document: loadDocument(loader, decodeText(bytes), chunking, { path: docId }) };
  }
  // Over the limit: never held whole. Hash in one streaming pass, chunk piece by piece in another.
  if (await looksBinary(file)) return { kind: 'binary' };
  const documentHash = await sha256OfFile(file);
  if (documentHash === storedHash) return { kind: 'unchanged' };
  const reader = loader.createReader(chunking, { path: docId });
  for await (const piece of readTextPieces(file, maxFileBytes)) reader.addPiece(piece);
  return { kind: 'loaded', documentHash, document: reader.finish() };
}

/** Groups documents so each embed round carries about `size` texts; a big document is a group of its own. */
function batchDocuments(documents: PreparedDocument[], size: number): PreparedDocument[][] {
  const batches: PreparedDocument[][] = [];
  let current: PreparedDocument[] = [];
  let count = 0;
  for (const document of documents) {
    if (current.length > 0 && count + document.drafts.length > size) {
      batches.push(current);
      current = [];
      count = 0;
    }
    current.push(document);
    count += document.drafts.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Embeds the chunks of a group of documents. When a call fails, each document is tried on its own, so one
 * document the embedder rejects fails alone.
 */
export async function embedDocuments(
  documents: PreparedDocument[],
  embedder: IngestDependencies['embedder'],
  onEmbedded: (count: number, current: string) => void,
): Promise<Map<string, number[][] | Error>> {
  const results = new Map<string, number[][] | Error>();
  const inputs = (document: PreparedDocument) => document.drafts.map((draft) => embeddingInput({ title: document.title, headingPath: draft.headingPath, text: draft.text }));
  try {
    const vectors = await embedTexts(documents.flatMap(inputs), embedder, (count) => onEmbedded(count, documents[0]!.docId));
    let offset = 0;
    for (const document of documents) {
      results.set(document.docId, vectors.slice(offset, offset + document.drafts.length));
      offset += document.drafts.length;
    }
    return results;
  } catch (error) {
    if (documents.length === 1) {
      results.set(documents[0]!.docId, toAnswerloopError(error, 'embedder_failed'));
      return results;
    }
  }
  for (const document of documents) {
    try {
      results.set(document.docId, await embedTexts(inputs(document), embedder, (count) => onEmbedded(count, document.docId)));
    } catch (error) {
      results.set(document.docId, toAnswerloopError(error, 'embedder_failed'));
    }
  }
  return results;
}

async function embedTexts(texts: string[], embedder: IngestDependencies['embedder'], onEmbedded: (count: number) => void): Promise<number[][]> {
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += embedBatchSize) {
    const slice = texts.slice(start, start + embedBatchSize);
    const sliceVectors = await embedder.embed(slice);
    if (sliceVectors.length !== slice.length) {
      throw new AnswerloopError('embedder_failed', `The embedder returned ${sliceVectors.length} vectors for ${slice.length} texts.`);
    }
    for (const vector of sliceVectors) {
      if (vector.length !== embedder.dimensions) {
        throw new AnswerloopError(
          'dimension_mismatch',
          `The embedder ${embedder.id} returned a vector of ${vector.length} dimensions, not ${embedder.dimensions}: check embedder.*.dimensions in the configuration.`,
        );
      }
    }
    vectors.push(...sliceVectors);
    onEmbedded(slice.length);
  }
  return vectors;
}

export function toChunks(document: PreparedDocument, embeddings: number[][], updatedAt: string): Chunk[] {
  return document.drafts.map((draft, ordinal) => ({
    id: `${document.docId}#${ordinal}`,
    docId: document.docId,
    source: document.source,
    title: document.title,
    headingPath: draft.headingPath,
    text: draft.text,
    embedding: embeddings[ordinal]!,
    tags: document.tags,
    updatedAt,
    contentHash: sha256(draft.text),
    documentHash: document.documentHash,
    ordinal,
  }));
}

/**
 * Stored documents under the given roots whose files are gone (or whose type is no longer ingested). A document
 * whose file still exists, say in a folder the walk skips, is kept; ids that are URLs are never touched here.
 */
async function vanishedDocuments(
  stored: Map<string, DocumentSummary>,
  present: Set<string>,
  roots: IngestRoot[],
  rootDir: string,
  extensions: Set<string>,
): Promise<string[]> {
  const vanished: string[] = [];
  for (const docId of stored.keys()) {
    if (present.has(docId) || /^[a-z][a-z0-9+.-]*:\/\//i.test(docId) || isTextDocumentId(docId)) continue;
    const absolute = path.resolve(rootDir, ...docId.split('/'));
    if (!roots.some((root) => isInside(absolute, root.absolute))) continue;
    const exists = await stat(absolute).then(
      (info) => info.isFile(),
      () => false,
    );
    if (!exists || !extensions.has(path.extname(absolute).toLowerCase())) vanished.push(docId);
  }
  return vanished;
}

function isInside(candidate: string, root: string): boolean {
  if (candidate === root) return true;
  const relative = path.relative(root, candidate);
  return relative.length > 0 && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function recordFailure(
  report: IngestReport,
  logger: IngestDependencies['logger'],
  document: { docId: string; source: string },
  error: unknown,
  what: string,
): void {
  const reason = toAnswerloopError(error).message;
  report.failed.push({ source: document.source, docId: document.docId, error: reason });
  logger.error({ docId: document.docId, source: document.source, error: reason }, `${document.docId} ${what}: ${reason}`);
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && !(error instanceof AnswerloopError);
}

/** `getting-started.md` reads as "Getting started" when the document names no title of its own. */
export function titleFromFileName(file: string): string {
  const words = path.basename(file, path.extname(file)).replace(/[-_]+/g, ' ').trim();
  return words.length > 0 ? words[0]!.toUpperCase() + words.slice(1) : path.basename(file);
}

/** Runs `work` over the items with at most `limit` in flight, starting them in order. */
async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
