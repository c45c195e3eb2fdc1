/**
 * Removing documents from the knowledge base by where they came from: a file, a folder, a website's pages under a
 * URL, or a git location's files. A source dropped from `knowledge.sources`, or a page deleted without a sync,
 * leaves its documents behind; this takes them out without rebuilding the index.
 */
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import type { ChunkStore, DocumentSummary } from '../ports/index.ts';
import { sourceKindOf } from './sources/source-location.ts';

export interface ForgetOptions {
  /** List what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface ForgetReport {
  /** The documents removed (or, with `dryRun`, that would be), in id order. */
  documents: Array<Pick<DocumentSummary, 'docId' | 'source' | 'title' | 'chunkCount'>>;
  dryRun: boolean;
}

export interface ForgetDependencies {
  store: ChunkStore;
  /** The project folder: file and folder locations are relative to it, as `answerloop ingest` reads them. */
  rootDir: string;
  /** Documents a product source keeps (verified answers): never removed here. */
  ownedElsewhere: (docId: string) => boolean;
  /** Told which documents went, so what cites them is flagged stale. */
  documentsChanged: (docIds: string[]) => Promise<unknown>;
}

/** The document id a location names, as ingestion wrote it, and whether documents under it count too. */
function docIdPrefix(location: string, rootDir: string): { id: string; under: string } {
  // A website's pages and a git location's files have ids that start with it; a file's or folder's id is its path
  // relative to the project.
  const id =
    sourceKindOf(location) === 'folder'
      ? path.relative(rootDir, path.resolve(rootDir, location)).split(path.sep).join('/')
      : location;
  // Under a folder, not beside it: docs/v1 takes in docs/v1/a.md, not docs/v10.md.
  return { id, under: id === '' ? '' : /[/:]$/.test(id) ? id : `${id}/` };
}

export async function forgetDocuments(
  locations: readonly string[],
  options: ForgetOptions,
  dependencies: ForgetDependencies,
): Promise<ForgetReport> {
  if (locations.length === 0)
    throw new InputError(
      'Name what to forget: a file, a folder, a URL or a git location, as it was ingested.',
    );
  const documents = await dependencies.store.listDocuments();
  const chosen = new Map<string, DocumentSummary>();
  const notFound: string[] = [];
  for (const location of locations) {
    const { id, under } = docIdPrefix(location.trim(), dependencies.rootDir);
    const matches = documents.filter(
      (document) => document.docId === id || (under !== '' && document.docId.startsWith(under)),
    );
    const kept = matches.filter((document) => dependencies.ownedElsewhere(document.docId));
    if (kept.length > 0 && kept.length === matches.length)
      throw new InputError(
        `${location} holds verified answers, which \`answerloop verified\` manages; nothing was forgotten.`,
      );
    const removable = matches.filter((document) => !dependencies.ownedElsewhere(document.docId));
    if (removable.length === 0) notFound.push(location);
    for (const document of removable) chosen.set(document.docId, document);
  }
  if (notFound.length > 0)
    throw new InputError(
      `No ingested document is at or under ${notFound.join(', ')}; nothing was forgotten. Name locations as ` +
        'they were ingested (a path relative to the project, a URL, a git location); `answerloop search` shows ' +
        'the sources of what is there.',
    );
  const ordered = [...chosen.values()].sort((left, right) => (left.docId < right.docId ? -1 : 1));
  if (!options.dryRun) {
    const removed: string[] = [];
    try {
      for (const document of ordered) {
        await dependencies.store.deleteDocument(document.docId);
        removed.push(document.docId);
      }
    } finally {
      if (removed.length > 0) await dependencies.documentsChanged(removed);
    }
  }
  return {
    documents: ordered.map(({ docId, source, title, chunkCount }) => ({ docId, source, title, chunkCount })),
    dryRun: options.dryRun === true,
  };
}
