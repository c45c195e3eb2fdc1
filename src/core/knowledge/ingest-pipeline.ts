/**
 * The incremental ingest pipeline, one for every source: take the source's items, load, hash and compare each
 * document, re-chunk and re-embed only what changed, write each document atomically, delete what the source says is
 * gone, and keep the change tokens of what was written so the next run can skip unchanged documents without reading.
 */
import path from 'node:path';
import PQueue from 'p-queue';
import { AnswerloopError, InputError, toAnswerloopError } from '../errors/index.ts';
import type { Chunk, ChunkStore, DocumentSummary, EmbeddingSpace, StoredSentence } from '../ports/index.ts';
import { type ChunkDraft, chunkMarkdown, type ChunkingSettings } from './chunker.ts';
import { type LoadedDocument, loadDocument } from './loaders/document-loader.ts';
import { embeddingInput } from './embedding-input.ts';
import { passageSentences } from './passage-sentences.ts';
import type { IngestDependencies, IngestOptions, IngestProgress, IngestReport } from './types.ts';
import { loaderForFormat } from './loaders/loader-registry.ts';
import { sha256 } from './content-hash.ts';
import { type ReadOutcome, readSourceFile } from './sources/folder/read-source-file.ts';
import { createFolderSource } from './sources/folder/folder-source.ts';
import {
  type KnowledgeSource,
  type SourceDocument,
  type SourceScan,
  SourceUnavailableError,
} from './sources/knowledge-source.ts';
import { loadSourceState, saveSourceState } from './sources/source-state.ts';

/** Texts per embed call: small enough for any embeddings API, large enough to keep round trips few. */
export const embedBatchSize = 64;

export interface PreparedDocument {
  docId: string;
  source: string;
  title: string;
  tags: string[];
  documentHash: string;
  drafts: ChunkDraft[];
  /** Per passage, the anchor of its section on the page, when known. */
  anchors?: Array<string | undefined>;
  changeToken?: string;
}

/** Ingests local files and folders: the folder source through the one pipeline. */
export async function ingestPaths(
  paths: string[],
  options: IngestOptions,
  dependencies: IngestDependencies,
): Promise<IngestReport> {
  const source = createFolderSource({
    paths,
    rootDir: dependencies.rootDir,
    extensions: dependencies.settings.extensions,
    tags: options.tags,
  });
  return ingestSource(source, options, dependencies);
}

export async function ingestSource(
  source: KnowledgeSource,
  options: IngestOptions,
  dependencies: IngestDependencies,
): Promise<IngestReport> {
  const { store, embedder, settings, logger, clock } = dependencies;
  const startedAt = clock.now().getTime();
  const progress = (update: IngestProgress) => options.onProgress?.(update);
  const chunking: ChunkingSettings = {
    chunkTokens: settings.chunkTokens,
    chunkOverlapTokens: settings.chunkOverlapTokens,
  };
  const extensions = new Set(settings.extensions.map((extension) => extension.toLowerCase()));
  const report: IngestReport = {
    source: source.label,
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

  // What the index held before this run, and what it holds now (nothing, after a rebuild).
  const space: EmbeddingSpace = { embedderId: embedder.id, dimensions: embedder.dimensions };
  let previous: Map<string, DocumentSummary>;
  let stored: Map<string, DocumentSummary>;
  if (options.rebuild) {
    previous = await documentsBeforeRebuild(store, space, logger);
    await store.resetKnowledge();
    await store.init(space);
    stored = new Map();
    logger.info(
      { previousDocuments: previous.size, embedderId: space.embedderId, dimensions: space.dimensions },
      'knowledge index reset for a rebuild',
    );
  } else {
    previous = new Map((await store.listDocuments()).map((summary) => [summary.docId, summary]));
    stored = previous;
  }
  // After a rebuild nothing is stored, so no saved token may vouch for a document.
  const savedState = options.rebuild
    ? { tokens: new Map<string, string>() }
    : await loadSourceState(store, source.key, logger);
  // Nor may a token saved with other source tags: the documents are read again and written with the new tags.
  const tagsMark = sourceTagsMark(source.tags);
  savedState.tokens = tokensForTags(savedState.tokens, tagsMark);
  // Nor may a token vouch for a document stored before sentence vectors were kept: it is read and written again.
  const withoutSentences = [...stored.values()].filter((summary) => summary.withoutSentences);
  for (const summary of withoutSentences) savedState.tokens.delete(summary.docId);
  if (withoutSentences.length > 0)
    logger.info(
      { documents: withoutSentences.length },
      'documents stored before sentence vectors were kept are written again with them',
    );
  const nextTokens = new Map<string, string>();
  const keepToken = (docId: string) => {
    const token = savedState.tokens.get(docId);
    if (token !== undefined) nextTokens.set(docId, token);
  };

  // Scan: the source lists its documents, or starts fetching them.
  progress({ phase: 'scan', done: 0, total: 1, current: source.label });
  let scan: SourceScan;
  try {
    scan = await source.scan({
      stored,
      previousTokens: savedState.tokens,
      previousState: savedState.state,
      logger,
      clock,
      onProgress: (done, total, current) => progress({ phase: 'scan', done, total, current }),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    // Nothing could be read: nothing changes, and the stored documents and their tokens stay for the next run.
    const where = error instanceof SourceUnavailableError ? error.location : source.label;
    const reason = error instanceof SourceUnavailableError ? error.reason : toAnswerloopError(error).message;
    report.failed.push({ source: where, error: reason });
    logger.error({ source: source.label, location: where, error: reason }, `${where}: ${reason}`);
    return finish(report, startedAt, clock, logger, progress, 0);
  }

  // Read, hash, compare, chunk.
  const prepared: PreparedDocument[] = [];
  const emptied: string[] = [];
  const gone: string[] = [];
  const skip = (location: string, reason: string) => {
    report.skipped.push({ path: location, reason });
    logger.warn({ path: location, reason }, `skipped ${location}: ${reason}`);
  };
  let seen = 0;
  let brokenOff = false;
  try {
    for await (const item of scan.items) {
      seen += 1;
      const current = item.kind === 'skipped' || item.kind === 'failed' ? item.location : item.docId;
      progress({ phase: scan.phase, done: seen - 1, total: Math.max(seen, scan.total()), current });
      if (item.kind === 'unchanged') {
        report.unchanged += 1;
        if (item.changeToken !== undefined) nextTokens.set(item.docId, item.changeToken);
        else keepToken(item.docId);
      } else if (item.kind === 'gone') {
        gone.push(item.docId);
      } else if (item.kind === 'skipped') {
        skip(item.location, item.reason);
        if (item.docId) keepToken(item.docId);
      } else if (item.kind === 'failed') {
        recordFailure(
          report,
          dependencies,
          { docId: item.docId ?? item.location, source: item.location },
          new AnswerloopError('upstream_failed', item.reason),
          'could not be read',
        );
      } else {
        const outcome = await readDocument(item, {
          tagsMark,
          extensions,
          chunking,
          settings,
          stored,
          report,
          logger,
          onFailure: dependencies.onFailure,
          skip,
        });
        if (outcome === 'unchanged') report.unchanged += 1;
        else if (outcome === 'empty' && stored.has(item.docId)) emptied.push(item.docId);
        else if (typeof outcome === 'object') prepared.push(outcome);
        if ((outcome === 'unchanged' || outcome === 'empty') && item.changeToken !== undefined)
          nextTokens.set(item.docId, item.changeToken);
      }
    }
  } catch (error) {
    // The source broke off part way: what was read is still written, but nothing is deleted on its word.
    brokenOff = true;
    const reason =
      error instanceof SourceUnavailableError
        ? `${error.location}: ${error.reason}`
        : toAnswerloopError(error).message;
    report.failed.push({
      source: source.label,
      error: `stopped part way (${reason}); nothing was deleted, run it again to finish`,
    });
    logger.error({ source: source.label, error: reason }, `${source.label} stopped part way: ${reason}`);
  }
  progress({ phase: scan.phase, done: seen, total: Math.max(seen, scan.total()) });
  const summary = brokenOff ? undefined : scan.summary?.();
  if (summary) report.notes = [...(report.notes ?? []), summary];

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
  const writeBatch = (batch: PreparedDocument[], vectors: Map<string, DocumentVectors | Error>) =>
    // A few documents are written at once: a networked store (Elasticsearch) overlaps their round trips.
    forEachConcurrently(batch, settings.writeConcurrency, async (document) => {
      const embeddings = vectors.get(document.docId);
      if (embeddings instanceof Error) {
        recordFailure(report, dependencies, document, embeddings, 'could not be embedded');
        return;
      }
      progress({ phase: 'write', done: writtenCount, total: prepared.length, current: document.docId });
      const before = previous.get(document.docId);
      let samePassages = false;
      try {
        const chunks = toChunks(document, embeddings!, clock.now().toISOString());
        // Written again with the same passages (only the source's tags changed): not a change for what cites it.
        if (before && before.documentHash !== document.documentHash && before.chunkCount === chunks.length) {
          const stored = new Map(
            (await store.getChunks(chunks.map((chunk) => chunk.id))).map((old) => [old.id, old.contentHash]),
          );
          samePassages = chunks.every((chunk) => stored.get(chunk.id) === chunk.contentHash);
        }
        await store.replaceDocument(document.docId, chunks);
      } catch (error) {
        recordFailure(report, dependencies, document, error, 'could not be written');
        return;
      } finally {
        writtenCount += 1;
      }
      written.add(document.docId);
      if (document.changeToken !== undefined) nextTokens.set(document.docId, document.changeToken);
      report.chunks += document.drafts.length;
      if (!before) report.added += 1;
      else if (before.documentHash === document.documentHash) report.unchanged += 1;
      else report.updated += 1;
      if (before?.documentHash !== document.documentHash && !samePassages)
        report.changedDocIds.push(document.docId);
    });
  // The next batch is embedded while the last one is written: the model never waits for the store, and at most
  // two batches of vectors are held at a time.
  let writing: Promise<void> = Promise.resolve();
  for (const batch of batchDocuments(prepared, embedBatchSize)) {
    const vectors = await embedDocuments(batch, embedder, onEmbedded);
    await writing;
    writing = writeBatch(batch, vectors);
    // Handled where it is awaited; this only keeps a failure from counting as unhandled meanwhile.
    writing.catch(() => undefined);
  }
  await writing;
  if (prepared.length > 0) progress({ phase: 'write', done: writtenCount, total: prepared.length });

  // Delete: emptied documents always; what the source calls gone unless pruning is off.
  if (options.rebuild) {
    const failedIds = new Set(report.failed.map((failure) => failure.docId));
    const writtenAgain = dependencies.ownedElsewhere ?? (() => false);
    const dropped = [...previous.keys()].filter(
      (docId) => !written.has(docId) && !failedIds.has(docId) && !writtenAgain(docId),
    );
    report.deleted += dropped.length;
    report.changedDocIds.push(...dropped);
    if (dropped.length > 0)
      logger.warn(
        { documents: dropped.length },
        `the rebuild dropped ${dropped.length} documents that were not under the given paths or no longer exist`,
      );
  } else {
    const pruned = options.prune !== false && !brokenOff ? gone.filter((docId) => stored.has(docId)) : [];
    if (options.prune === false || brokenOff) for (const docId of gone) keepToken(docId);
    const toDelete = [...new Set([...emptied, ...pruned])];
    for (const [index, docId] of toDelete.entries()) {
      progress({ phase: 'delete', done: index, total: toDelete.length, current: docId });
      try {
        await store.deleteDocument(docId);
        report.deleted += 1;
        report.changedDocIds.push(docId);
      } catch (error) {
        keepToken(docId);
        recordFailure(
          report,
          dependencies,
          { docId, source: stored.get(docId)?.source ?? docId },
          error,
          'could not be deleted',
        );
      }
    }
    if (toDelete.length > 0) progress({ phase: 'delete', done: toDelete.length, total: toDelete.length });
  }

  // Saved last: a token only ever vouches for a document that is in the store as it was read.
  const finalState = brokenOff ? savedState.state : scan.finalState();
  if (nextTokens.size > 0 || savedState.tokens.size > 0 || finalState !== undefined) {
    await saveSourceState(
      store,
      source.key,
      { tokens: tagTokens(nextTokens, tagsMark), state: finalState },
      logger,
    );
  }
  return finish(report, startedAt, clock, logger, progress, seen);
}

function finish(
  report: IngestReport,
  startedAt: number,
  clock: IngestDependencies['clock'],
  logger: IngestDependencies['logger'],
  progress: (update: IngestProgress) => void,
  seen: number,
): IngestReport {
  report.durationMs = clock.now().getTime() - startedAt;
  progress({ phase: 'done', done: seen, total: seen });
  logger.info(
    {
      source: report.source,
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

interface ReadContext {
  /** The source's tags (see sourceTagsMark), folded into each document's hash so a change of tags rewrites it. */
  tagsMark: string;
  extensions: Set<string>;
  chunking: ChunkingSettings;
  settings: IngestDependencies['settings'];
  stored: Map<string, DocumentSummary>;
  report: IngestReport;
  logger: IngestDependencies['logger'];
  onFailure: IngestDependencies['onFailure'];
  skip: (location: string, reason: string) => void;
}

/** One document item loaded and compared: prepared for embedding, or why not. */
async function readDocument(
  item: SourceDocument,
  context: ReadContext,
): Promise<PreparedDocument | 'unchanged' | 'empty' | undefined> {
  const { docId } = item;
  const format = item.format.toLowerCase();
  const isExtension = !format.includes('/');
  const loader = !isExtension || context.extensions.has(format) ? loaderForFormat(format) : undefined;
  // Markdown the product keeps is chunked as it stands; everything else goes through its format's loader.
  if (!loader && !('markdown' in item.content)) {
    context.skip(
      docId,
      !isExtension
        ? `content type ${format} is not a document answerloop reads`
        : context.extensions.has(format)
          ? `no loader reads ${format} files`
          : `unsupported file type ${format || '(no extension)'} (see knowledge.extensions)`,
    );
    return undefined;
  }
  let outcome: ReadOutcome;
  // A document stored before sentence vectors were kept is written again even when unchanged.
  const storedDocument = context.stored.get(docId);
  const storedHash = storedDocument?.withoutSentences ? undefined : storedDocument?.documentHash;
  try {
    const { content } = item;
    if ('file' in content) {
      outcome = await readSourceFile(
        content.file,
        docId,
        loader!,
        context.chunking,
        context.settings.maxFileBytes,
        storedHash,
        (hash) => withTags(hash, context.tagsMark),
      );
    } else {
      const document =
        'markdown' in content
          ? { title: item.fallbackTitle, tags: [], chunks: chunkMarkdown(content.markdown, context.chunking) }
          : loadDocument(loader!, content.text, context.chunking, { path: docId });
      const documentHash = withTags(loadedHash(document), context.tagsMark);
      outcome =
        documentHash === storedHash ? { kind: 'unchanged' } : { kind: 'loaded', documentHash, document };
    }
  } catch (error) {
    if (isFileSystemError(error)) context.skip(docId, `could not be read (${error.message})`);
    // The report names the file already: the reason is said once, without it.
    else if (error instanceof InputError) context.skip(docId, error.message.replace(`${docId}: `, ''));
    else recordFailure(context.report, context, { docId, source: item.source }, error, 'could not be loaded');
    return undefined;
  }
  if (outcome.kind === 'binary') {
    context.skip(docId, 'binary file (NUL bytes in its first 8 KB)');
    return undefined;
  }
  if (outcome.kind === 'unchanged') return 'unchanged';
  const { document, documentHash } = outcome;
  if (document.chunks.length === 0) {
    const label = item.emptyNote ? `${docId} (${item.emptyNote})` : docId;
    context.report.empty.push(label);
    context.logger.warn({ path: docId, note: item.emptyNote }, `empty document ${label}: nothing to ingest`);
    return 'empty';
  }
  return {
    docId,
    source: document.source ?? item.source,
    title: document.title ?? item.fallbackTitle ?? titleFromFileName(docId),
    tags: [...new Set([...(item.tags ?? []), ...document.tags])],
    documentHash,
    drafts: document.chunks,
    ...(document.anchors ? { anchors: document.anchors } : {}),
    ...(item.changeToken !== undefined ? { changeToken: item.changeToken } : {}),
  };
}

/** The tags a source adds to every document, in a stable order; '' for none. */
function sourceTagsMark(tags: readonly string[] | undefined): string {
  return [...new Set(tags ?? [])].sort().join(',');
}

/** A document's hash with its source's tags folded in; unchanged without tags, so untagged documents keep theirs. */
function withTags(hash: string, tagsMark: string): string {
  return tagsMark ? sha256(`${hash}\ntags: ${tagsMark}`) : hash;
}

/** Saved change tokens carry the source's tags: `<tags>\u0001<token>`. */
const tagsSeparator = '\u0001';

function tagTokens(tokens: Map<string, string>, tagsMark: string): Map<string, string> {
  if (!tagsMark) return tokens;
  return new Map([...tokens].map(([docId, token]) => [docId, `${tagsMark}${tagsSeparator}${token}`]));
}

/** The saved tokens that were saved with these tags, without the tags; the others vouch for nothing now. */
function tokensForTags(tokens: Map<string, string>, tagsMark: string): Map<string, string> {
  const kept = new Map<string, string>();
  for (const [docId, token] of tokens) {
    const at = token.indexOf(tagsSeparator);
    const savedMark = at < 0 ? '' : token.slice(0, at);
    if (savedMark === tagsMark) kept.set(docId, at < 0 ? token : token.slice(at + 1));
  }
  return kept;
}

/** The hash of what would be stored, so a page whose chrome alone changed costs no embedding. */
function loadedHash(document: LoadedDocument): string {
  return sha256(
    JSON.stringify([
      document.title,
      document.tags,
      document.chunks.map((chunk) => [chunk.headingPath, chunk.text]),
      document.anchors ?? [],
    ]),
  );
}

/** The documents before a rebuild, read even when the store holds another embedding space. */
async function documentsBeforeRebuild(
  store: ChunkStore,
  space: EmbeddingSpace,
  logger: IngestDependencies['logger'],
): Promise<Map<string, DocumentSummary>> {
  try {
    await store.init(space);
  } catch (error) {
    // A mismatch is what a rebuild fixes; anything else (store down) stops the run.
    if (!(error instanceof AnswerloopError && error.code === 'dimension_mismatch')) throw error;
  }
  try {
    return new Map((await store.listDocuments()).map((summary) => [summary.docId, summary]));
  } catch (error) {
    logger.warn(
      { error: toAnswerloopError(error).message },
      'could not list the documents before the rebuild; counts will treat every document as added',
    );
    return new Map();
  }
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
): Promise<Map<string, DocumentVectors | Error>> {
  const results = new Map<string, DocumentVectors | Error>();
  // Each passage's vector, then the vectors of its quotable sentences: answering reads them instead of embedding.
  // Split into sentences once per document: the texts are counted, embedded and matched to their vectors.
  const prepared = new Map(
    documents.map((document) => {
      const sentences = document.drafts.map((draft) => passageSentences(draft.text));
      const texts = [
        ...document.drafts.map((draft) =>
          embeddingInput({ title: document.title, headingPath: draft.headingPath, text: draft.text }),
        ),
        ...sentences.flat(),
      ];
      return [document, { sentences, texts }] as const;
    }),
  );
  const inputs = (document: PreparedDocument) => prepared.get(document)!.texts;
  const split = (document: PreparedDocument, vectors: number[][]): DocumentVectors => {
    const passages = vectors.slice(0, document.drafts.length);
    let offset = document.drafts.length;
    const sentences = prepared
      .get(document)!
      .sentences.map((texts) => texts.map((text) => ({ text, vector: vectors[offset++]! })));
    return { passages, sentences };
  };
  // Progress counts passages: a batch of texts stands for its share of them.
  const passageShare = (group: PreparedDocument[]) => {
    const passages = group.reduce((sum, document) => sum + document.drafts.length, 0);
    const texts = group.reduce((sum, document) => sum + inputs(document).length, 0);
    return (count: number) => Math.round((count * passages) / Math.max(1, texts));
  };
  try {
    const share = passageShare(documents);
    const vectors = await embedTexts(documents.flatMap(inputs), embedder, (count) =>
      onEmbedded(share(count), documents[0]!.docId),
    );
    let offset = 0;
    for (const document of documents) {
      const count = inputs(document).length;
      results.set(document.docId, split(document, vectors.slice(offset, offset + count)));
      offset += count;
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
      const share = passageShare([document]);
      const vectors = await embedTexts(inputs(document), embedder, (count) =>
        onEmbedded(share(count), document.docId),
      );
      results.set(document.docId, split(document, vectors));
    } catch (error) {
      results.set(document.docId, toAnswerloopError(error, 'embedder_failed'));
    }
  }
  return results;
}

async function embedTexts(
  texts: string[],
  embedder: IngestDependencies['embedder'],
  onEmbedded: (count: number) => void,
): Promise<number[][]> {
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += embedBatchSize) {
    const slice = texts.slice(start, start + embedBatchSize);
    const sliceVectors = await embedder.embed(slice);
    if (sliceVectors.length !== slice.length) {
      throw new AnswerloopError(
        'embedder_failed',
        `The embedder returned ${sliceVectors.length} vectors for ${slice.length} texts.`,
      );
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

/** A document's passage vectors and, per passage, its sentences with their vectors. */
export interface DocumentVectors {
  passages: number[][];
  sentences: StoredSentence[][];
}

export function toChunks(document: PreparedDocument, vectors: DocumentVectors, updatedAt: string): Chunk[] {
  return document.drafts.map((draft, ordinal) => ({
    id: `${document.docId}#${ordinal}`,
    docId: document.docId,
    // A link straight to the passage's section when the page names it (`#id` on the heading).
    source: document.anchors?.[ordinal]
      ? `${document.source.replace(/#.*$/, '')}#${document.anchors[ordinal]}`
      : document.source,
    title: document.title,
    headingPath: draft.headingPath,
    text: draft.text,
    embedding: vectors.passages[ordinal]!,
    sentences: vectors.sentences[ordinal] ?? [],
    tags: document.tags,
    updatedAt,
    contentHash: sha256(draft.text),
    documentHash: document.documentHash,
    ordinal,
  }));
}

function recordFailure(
  report: IngestReport,
  { logger, onFailure }: Pick<IngestDependencies, 'logger' | 'onFailure'>,
  document: { docId: string; source: string },
  error: unknown,
  what: string,
): void {
  const failure = toAnswerloopError(error);
  const reason = failure.message;
  report.failed.push({ source: document.source, docId: document.docId, error: reason });
  onFailure?.(document.docId, failure);
  logger.error(
    { docId: document.docId, source: document.source, error: reason },
    `${document.docId} ${what}: ${reason}`,
  );
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    !(error instanceof AnswerloopError)
  );
}

/** `getting-started.md` reads as "Getting started" when the document names no title of its own. */
export function titleFromFileName(file: string): string {
  const words = path.basename(file, path.extname(file)).replace(/[-_]+/g, ' ').trim();
  return words.length > 0 ? words[0]!.toUpperCase() + words.slice(1) : path.basename(file);
}

/** Runs `work` over the items with at most `limit` in flight, starting them in order. */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  await new PQueue({ concurrency: Math.max(1, limit) }).addAll(items.map((item) => () => work(item)));
}
