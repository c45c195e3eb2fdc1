import { AnswerloopError } from '../errors/index.ts';

export type ForgeKind = 'github' | 'gitlab';

export interface ForgeTarget {
  kind: ForgeKind;
  /** The API's base URL, without a trailing slash. */
  apiUrl: string;
  /** owner/repo on GitHub; group/subgroup/project on GitLab. */
  project: string;
  token: string;
}

export interface ChangeRequest {
  branch: string;
  base: string;
  title: string;
  body: string;
}

/** Which forge a repository lives on, from the setting or (auto) its host; undefined for none. */
export function forgeOf(repository: string, setting: 'auto' | ForgeKind | 'none'): ForgeKind | undefined {
  if (setting === 'none') return undefined;
  if (setting !== 'auto') return setting;
  const host = new URL(repository).hostname;
  if (host === 'github.com') return 'github';
  if (host.includes('gitlab')) return 'gitlab';
  return undefined;
}

/** The forge's API: the setting, or the public one for the repository's host. */
export function forgeApiUrl(kind: ForgeKind, repository: string, setting: string): string {
  if (setting) return setting.replace(/\/+$/, '');
  if (kind === 'github') return 'https://api.github.com';
  return `${new URL(repository).origin}/api/v4`;
}

/** The project's path on the forge: the setting, or the repository URL's path without `.git`. */
export function forgeProject(kind: ForgeKind, repository: string, setting: string): string {
  if (setting) return setting.replace(/^\/+|\/+$/g, '');
  const segments = new URL(repository).pathname
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter(Boolean);
  // GitHub has owner/repo; GitLab nests groups, so its whole path is the project.
  return (kind === 'github' ? segments.slice(-2) : segments).join('/');
}

/**
 * Opens a pull request (GitHub) or merge request (GitLab) from `branch` into `base` and returns its web URL.
 * The token goes in a header only; errors name the status and the forge's message, never the token.
 */
export async function openChangeRequest(target: ForgeTarget, change: ChangeRequest): Promise<string> {
  const github = target.kind === 'github';
  const url = github
    ? `${target.apiUrl}/repos/${target.project}/pulls`
    : `${target.apiUrl}/projects/${encodeURIComponent(target.project)}/merge_requests`;
  const headers: Record<string, string> = github
    ? {
        authorization: `Bearer ${target.token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      }
    : { 'private-token': target.token };
  const body = github
    ? { title: change.title, head: change.branch, base: change.base, body: change.body }
    : {
        title: change.title,
        source_branch: change.branch,
        target_branch: change.base,
        description: change.body,
        remove_source_branch: true,
      };
  const what = github ? 'pull request' : 'merge request';
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'answerloop' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new AnswerloopError(
      'upstream_failed',
      `Opening the ${what} at ${target.apiUrl} failed: ${String(error)}`,
      {
        cause: error,
        isRetryable: true,
      },
    );
  }
  const text = await response.text();
  let parsed: { html_url?: string; web_url?: string; message?: unknown; errors?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Not JSON: the status says enough.
  }
  if (!response.ok) {
    const said = parsed.message ?? parsed.errors ?? text.slice(0, 200);
    const hint =
      response.status === 401 || response.status === 403
        ? ` Check that ${github ? 'GITHUB_TOKEN' : 'GITLAB_TOKEN'} may open ${what}s on ${target.project}.`
        : response.status === 404
          ? ` Check insights.docs.repository (${target.project}) and the token's access to it.`
          : '';
    throw new AnswerloopError(
      'upstream_failed',
      `The ${what} could not be opened: ${response.status} ${typeof said === 'string' ? said : JSON.stringify(said)}.${hint}`,
      { isRetryable: response.status === 429 || response.status >= 500 },
    );
  }
  const link = github ? parsed.html_url : parsed.web_url;
  if (!link)
    throw new AnswerloopError('upstream_failed', `The forge opened the ${what} but sent no link to it.`);
  return link;
}
