import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** Folders never walked into: tool state and dependencies, not documentation. */
export function isIgnoredEntry(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/**
 * Every file under `root` (or `root` itself when it is a file), as absolute paths in code-point order of their
 * POSIX form, so two runs over the same tree see the same order on every platform. Dot-files, dot-folders and
 * node_modules are left out; symbolic links are followed once.
 */
export async function listFiles(root: string): Promise<string[]> {
  const rootStat = await stat(root);
  if (!rootStat.isDirectory()) return [root];

  const files: string[] = [];
  const visited = new Set<string>();
  const walk = async (folder: string) => {
    const real = await realpath(folder);
    if (visited.has(real)) return;
    visited.add(real);
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (isIgnoredEntry(entry.name)) continue;
      const entryPath = path.join(folder, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(entryPath).catch(() => undefined);
        isDirectory = target?.isDirectory() ?? false;
        // A dangling link is still listed, so the pipeline reports it as unreadable instead of ignoring it.
        isFile = target === undefined || target.isFile();
      }
      if (isDirectory) await walk(entryPath);
      else if (isFile) files.push(entryPath);
    }
  };
  await walk(root);
  return files.sort((left, right) => compareCodePoints(toPosix(left), toPosix(right)));
}

export function toPosix(filePath: string): string {
  return filePath.split(path.sep).join('/');
}

function compareCodePoints(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
