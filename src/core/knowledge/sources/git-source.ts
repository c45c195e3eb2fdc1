/**
 * A folder of a git repository at a branch or tag: fetched shallowly into the data folder, then read like a folder,
 * except that a file whose blob is the one last ingested is known unchanged without reading it. Citations link to the
 * file's web view through a URL template.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../errors/index.ts';
import { hideUrlCredentials } from '../../logging/redact-secrets.ts';
import { nonInteractiveGitEnvironment } from './git-environment.ts';
import type { KnowledgeSource, SourceItem, SourceScanContext } from './knowledge-source.ts';
import { SourceUnavailableError } from './knowledge-source.ts';

export interface GitLocation {
  /** What git fetches from, credentials and all; never shown. */
  fetchUrl: string;
  /** The repository URL without credentials, for ids and messages. */
  repository: string;
  /** Branch or tag; undefined for the remote's default branch. */
  ref?: string;
  /** Folder inside the repository, without leading or trailing slashes; '' for all of it. */
  folder: string;
}

export interface GitSourceOptions {
  location: GitLocation;
  /** Checkouts live in one folder each under here (in the data folder). */
  checkoutRoot: string;
  /** `{repo}`, `{ref}`, `{commit}` and `{path}` are filled in; empty picks a default for GitHub and GitLab. */
  urlTemplate?: string;
  timeoutMs: number;
  tags?: string[];
}

/** `git+https://host/org/repo.git#main:docs/`: a git URL, then optionally `#ref`, then optionally `:folder`. */
export function parseGitLocation(location: string): GitLocation {
  return parseGitLocationShown(location, hideUrlCredentials(location));
}

/** `given` is the location as messages show it: without the credentials written into its URL. */
function parseGitLocationShown(withCredentials: string, given: string): GitLocation {
  if (!withCredentials.startsWith('git+'))
    throw new InputError(
      `${given} is not a git source: write it as git+https://host/org/repo.git#branch:folder/.`,
    );
  const withoutPrefix = withCredentials.slice('git+'.length);
  const hashAt = withoutPrefix.indexOf('#');
  const fetchUrl = hashAt < 0 ? withoutPrefix : withoutPrefix.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : withoutPrefix.slice(hashAt + 1);
  const colonAt = fragment.indexOf(':');
  const ref = (colonAt < 0 ? fragment : fragment.slice(0, colonAt)).trim() || undefined;
  const folder = (colonAt < 0 ? '' : fragment.slice(colonAt + 1)).trim().replace(/^\/+|\/+$/g, '');
  let repository: string;
  try {
    const url = new URL(fetchUrl);
    if (!/^(?:https?|ssh|git|file):$/.test(url.protocol)) throw new Error(url.protocol);
    url.username = '';
    url.password = '';
    repository = url.href;
  } catch {
    throw new InputError(
      `${given} does not hold a git URL answerloop can fetch (https, ssh, git or file), e.g. git+https://github.com/org/repo.git#main:docs/.`,
    );
  }
  if (ref && !/^[\w./-]+$/.test(ref)) throw new InputError(`${given}: "${ref}" is not a branch or tag name.`);
  if (folder.split('/').includes('..'))
    throw new InputError(`${given}: the folder may not leave the repository.`);
  return { fetchUrl, repository, ...(ref ? { ref } : {}), folder };
}

/** The web view of a file on GitHub and GitLab; other hosts need `urlTemplate`. */
function defaultTemplate(repository: string): string {
  const url = new URL(repository);
  const base = `${url.origin}${url.pathname.replace(/\.git\/?$/, '').replace(/\/$/, '')}`;
  if (url.hostname === 'github.com') return `${base}/blob/{ref}/{path}`;
  if (url.hostname.includes('gitlab')) return `${base}/-/blob/{ref}/{path}`;
  return '';
}

export function createGitSource(options: GitSourceOptions): KnowledgeSource {
  const { location } = options;
  const label = `git+${location.repository}${location.ref ? `#${location.ref}` : ''}${location.folder ? `:${location.folder}/` : ''}`;
  const idPrefix = `git+${location.repository}#${location.ref ?? ''}:`;
  const template = options.urlTemplate || defaultTemplate(location.repository);
  const checkout = path.join(
    options.checkoutRoot,
    createHash('sha256')
      .update(`${location.repository}#${location.ref ?? ''}`)
      .digest('hex')
      .slice(0, 16),
  );
  const git = (args: string[]) => runGit(args, checkout, options.timeoutMs, location);
  return {
    kind: 'git',
    key: label,
    label,
    ...(options.tags ? { tags: options.tags } : {}),
    async scan(context: SourceScanContext) {
      await mkdir(checkout, { recursive: true });
      const initialised = await stat(path.join(checkout, '.git')).then(
        () => true,
        () => false,
      );
      if (!initialised) await git(['init', '--quiet']);
      context.onProgress?.(0, 1, `fetching ${label}`);
      await git(['fetch', '--quiet', '--depth', '1', '--no-tags', location.fetchUrl, location.ref ?? 'HEAD']);
      const commit = (await git(['rev-parse', 'FETCH_HEAD'])).trim();
      await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--force', '--detach', commit]);
      const listing = await git([
        'ls-tree',
        '-r',
        '-z',
        '--full-tree',
        commit,
        ...(location.folder ? ['--', location.folder] : []),
      ]);
      // git keeps no empty folders: nothing listed means the folder is not in this commit (a typo, or moved).
      if (location.folder && listing.length === 0)
        throw new SourceUnavailableError(
          label,
          `no folder ${location.folder}/ in the repository at commit ${commit.slice(0, 7)}: check the folder after the ':'; documents ingested from it are kept`,
        );
      context.onProgress?.(1, 1, label);
      const files = listing
        .split('\0')
        .filter(Boolean)
        .map((line) => {
          const [meta, file] = line.split('\t') as [string, string];
          const [mode, type, blob] = meta.split(' ') as [string, string, string];
          return { mode, type, blob, file };
        })
        // Regular files only: links and submodules point outside what was fetched.
        .filter((entry) => entry.type === 'blob' && (entry.mode === '100644' || entry.mode === '100755'));
      const previous = context.previousState;
      const ref = location.ref ?? commit;
      const citation = (file: string) =>
        template
          ? template
              .replaceAll('{repo}', location.repository.replace(/\.git\/?$/, ''))
              .replaceAll('{ref}', ref)
              .replaceAll('{commit}', commit)
              .replaceAll('{path}', file)
          : `${idPrefix}${file}`;
      async function* items(): AsyncGenerator<SourceItem> {
        const present = new Set<string>();
        for (const entry of files) {
          const docId = `${idPrefix}${entry.file}`;
          present.add(docId);
          // The same blob as last time is the same bytes: nothing to read.
          if (context.stored.has(docId) && context.previousTokens.get(docId) === entry.blob) {
            yield { kind: 'unchanged', docId, changeToken: entry.blob };
            continue;
          }
          yield {
            kind: 'document',
            docId,
            source: citation(entry.file),
            format: path.extname(entry.file).toLowerCase(),
            content: { file: path.join(checkout, ...entry.file.split('/')) },
            changeToken: entry.blob,
            ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
          };
        }
        const folderPrefix = `${idPrefix}${location.folder ? `${location.folder}/` : ''}`;
        for (const docId of context.stored.keys()) {
          if (docId.startsWith(folderPrefix) && !present.has(docId))
            yield { kind: 'gone', docId, reason: `deleted in the repository (commit ${commit.slice(0, 7)})` };
        }
      }
      return {
        items: items(),
        phase: 'read' as const,
        total: () => files.length,
        finalState: () => commit,
        summary: () =>
          `commit ${commit.slice(0, 7)}${previous ? (previous === commit ? ' (unchanged)' : ` (was ${previous.slice(0, 7)})`) : ''}`,
      };
    },
  };
}

function runGit(args: string[], cwd: string, timeoutMs: number, location: GitLocation): Promise<string> {
  const where = `git+${location.repository}${location.ref ? `#${location.ref}` : ''}`;
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: nonInteractiveGitEnvironment(),
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(stdout);
          return;
        }
        const failure = error as NodeJS.ErrnoException & { killed?: boolean };
        const said = stderr.split(location.fetchUrl).join(location.repository).trim();
        reject(
          new SourceUnavailableError(where, gitReason(failure, said, timeoutMs, location), {
            cause: error,
            isRetryable: failure.killed === true,
          }),
        );
      },
    );
  });
}

function gitReason(
  error: NodeJS.ErrnoException & { killed?: boolean },
  stderr: string,
  timeoutMs: number,
  location: GitLocation,
): string {
  if (error.code === 'ENOENT') return 'git is not installed on this machine (install git, then sync again)';
  if (error.killed) return `git took longer than ${Math.round(timeoutMs / 1000)} s (knowledge.git.timeoutMs)`;
  if (
    /terminal prompts disabled|could not read (?:Username|Password)|Authentication failed|Permission denied \(publickey/i.test(
      stderr,
    )
  ) {
    return 'the repository needs credentials: set up a git credential helper or deploy key for this machine, or use a public URL';
  }
  if (/couldn't find remote ref|not our ref|invalid refspec/i.test(stderr))
    return location.ref
      ? `no branch or tag named ${location.ref} in the repository`
      : `the repository's default branch (its HEAD) names no branch that exists: name the branch after a #, e.g. git+${location.repository}#main`;
  if (/Could not resolve host/i.test(stderr)) return 'host not found (DNS lookup failed): check the URL';
  if (
    /does not appear to be a git repository|repository .* not found|Repository not found|not found/i.test(
      stderr,
    )
  ) {
    return 'no repository at that URL (or it is private): check the URL';
  }
  const firstLine = stderr.split('\n').find((line) => line.trim().length > 0) ?? error.message;
  return `git failed: ${firstLine.replace(/^fatal:\s*/, '')}`;
}
