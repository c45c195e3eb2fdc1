import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { InputError } from '../../../errors/index.ts';
import { listFiles, toPosix } from './walk-files.ts';
import type { KnowledgeSource, SourceItem, SourceScanContext } from '../knowledge-source.ts';

export interface FolderSourceOptions {
  /** Files or folders, relative to `rootDir` or absolute. */
  paths: string[];
  /** Document ids are paths relative to this directory. */
  rootDir: string;
  /** Lower-case extensions with the dot that are ingested; a stored document of another type counts as gone. */
  extensions: readonly string[];
  tags?: string[];
  /** Globs on the path below the given folder (`guides/**`); a file they leave out is not ingested. */
  include?: readonly string[];
  exclude?: readonly string[];
  /** Stored documents another source owns (its `owns`): never reported gone here, whatever their ids look like. */
  ownedElsewhere?: (docId: string) => boolean;
}

interface FolderRoot {
  /** As the user wrote it, for messages. */
  given: string;
  absolute: string;
}

/** Local files and folders: ids are paths relative to the project, the citation is that path. */
export function createFolderSource(options: FolderSourceOptions): KnowledgeSource {
  const extensions = new Set(options.extensions.map((extension) => extension.toLowerCase()));
  const docIdOf = (absolute: string) => toPosix(path.relative(options.rootDir, absolute));
  const key = `folder:${[...options.paths].sort().join(',')}`;
  const include =
    options.include && options.include.length > 0
      ? picomatch([...options.include], { dot: true })
      : undefined;
  const exclude =
    options.exclude && options.exclude.length > 0
      ? picomatch([...options.exclude], { dot: true })
      : undefined;
  const wanted = (file: string, root: string) => {
    const relative = toPosix(path.relative(root, file)) || path.basename(file);
    return (!include || include(relative)) && !exclude?.(relative);
  };
  return {
    kind: 'folder',
    key,
    label: options.paths.join(', '),
    ...(options.tags ? { tags: options.tags } : {}),
    async scan(context: SourceScanContext) {
      const roots = await resolveRoots(options.paths, options.rootDir);
      const files = new Map<string, string>();
      for (const [index, root] of roots.entries()) {
        for (const file of await listFiles(root.absolute))
          if (wanted(file, root.absolute)) files.set(docIdOf(file), file);
        context.onProgress?.(index + 1, roots.length, root.given);
      }
      const ordered = [...files.entries()].sort(([left], [right]) =>
        left < right ? -1 : left > right ? 1 : 0,
      );
      async function* items(): AsyncGenerator<SourceItem> {
        for (const [docId, file] of ordered) {
          yield {
            kind: 'document',
            docId,
            source: docId,
            format: path.extname(file).toLowerCase(),
            content: { file },
            ...(options.tags ? { tags: options.tags } : {}),
          };
        }
        const present = new Set(
          ordered
            .filter(([, file]) => extensions.has(path.extname(file).toLowerCase()))
            .map(([docId]) => docId),
        );
        const leftOut = (absolute: string) =>
          roots.some((root) => isInside(absolute, root.absolute) && !wanted(absolute, root.absolute));
        for (const docId of await vanishedDocuments(
          context.stored,
          present,
          roots,
          options.rootDir,
          extensions,
          leftOut,
          options.ownedElsewhere ?? (() => false),
        )) {
          yield { kind: 'gone', docId, reason: 'the file is gone' };
        }
      }
      return { items: items(), phase: 'read', total: () => ordered.length, finalState: () => undefined };
    },
  };
}

async function resolveRoots(paths: string[], rootDir: string): Promise<FolderRoot[]> {
  if (paths.length === 0)
    throw new InputError('Name at least one file or folder to ingest, e.g. `answerloop ingest docs`.');
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
    throw new InputError(`No such file or folder: ${missing.join(', ')}. Check the path and try again.`, {
      missing,
    });
  }
  return roots;
}

/**
 * Stored documents under the given roots whose files are gone (or whose type is no longer ingested). A document
 * whose file still exists, say in a folder the walk skips, is kept; ids that are URLs are never touched here.
 */
async function vanishedDocuments(
  stored: ReadonlyMap<string, unknown>,
  present: Set<string>,
  roots: FolderRoot[],
  rootDir: string,
  extensions: Set<string>,
  leftOut: (absolute: string) => boolean,
  ownedElsewhere: (docId: string) => boolean,
): Promise<string[]> {
  const vanished: string[] = [];
  for (const docId of stored.keys()) {
    if (present.has(docId) || /^[a-z][a-z0-9+.-]*:\/\//i.test(docId) || ownedElsewhere(docId)) continue;
    const absolute = path.resolve(rootDir, ...docId.split('/'));
    if (!roots.some((root) => isInside(absolute, root.absolute))) continue;
    const exists = await stat(absolute).then(
      (info) => info.isFile(),
      () => false,
    );
    if (!exists || !extensions.has(path.extname(absolute).toLowerCase()) || leftOut(absolute))
      vanished.push(docId);
  }
  return vanished;
}

function isInside(candidate: string, root: string): boolean {
  if (candidate === root) return true;
  const relative = path.relative(root, candidate);
  return (
    relative.length > 0 &&
    relative !== '..' &&
    !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative)
  );
}
