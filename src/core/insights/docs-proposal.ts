import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/index.ts';
import type { VerifiedAnswerService } from '../curation/verified-answers.ts';
import { AnswerloopError, InputError } from '../errors/index.ts';
import { redactSecrets } from '../logging/redact-secrets.ts';
import {
  type GitLocation,
  nonInteractiveGitEnvironment,
  parseGitLocation,
  sourceKindOf,
} from '../knowledge/index.ts';
import type { ChatModel, Logger } from '../ports/index.ts';
import { forgeApiUrl, forgeOf, forgeProject, openChangeRequest } from './forge-requests.ts';
import type { KnowledgeGap, KnowledgeGapService } from './knowledge-gaps.ts';

export interface DocsProposalInput {
  /** A gap's id (as `answerloop gaps` lists it) or a verified answer's id: one of the two. */
  gap?: string;
  verified?: string;
  /** The window the gap id was listed in (`--since` of `answerloop gaps`). */
  since?: string;
  /** A knowledge.sources name; the first git source (else the first folder) by default. */
  source?: string;
  /** The operator's own text for the answer: used instead of a verified answer. */
  text?: string;
  /** Who asked for the proposal (commit message and request body). */
  by?: string;
}

export interface DocsProposal {
  kind: 'branch' | 'patch';
  source: string;
  /** The page drafted, relative to the repository (branch) or the folder (patch). */
  file: string;
  markdown: string;
  draftedBy: 'verified answer' | 'operator' | 'model' | 'questions only';
  branch?: string;
  base?: string;
  commit?: string;
  /** The pull or merge request opened, when a token is configured. */
  requestUrl?: string;
  /** Where the patch was written (folder sources). */
  patchFile?: string;
}

export interface DocsProposalService {
  proposeDocChange(input: DocsProposalInput): Promise<DocsProposal>;
}

export interface DocsProposalDependencies {
  config: Config;
  gaps: Pick<KnowledgeGapService, 'gap'>;
  verified: Pick<VerifiedAnswerService, 'get'>;
  chatModel?: () => ChatModel;
  dataDir: string;
  logger: Logger;
}

/** Lower-case words joined by dashes, at most 60 characters: branch and file names. */
export function slugOf(text: string): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'answer';
}

const heading = (question: string) => {
  const text = question
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^#+\s*/, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

interface DraftInput {
  question: string;
  answer?: string;
  /** `[n]` markers of the answer point at these. */
  sources: Array<{ number: number; title: string; source: string }>;
  askedAs: string[];
  origin: string;
}

/** A page: the question as its heading, the answer, its `[n]` markers as Markdown reference links. */
export function draftPage(input: DraftInput): string {
  const lines = [`# ${heading(input.question)}`, ''];
  if (input.answer) lines.push(input.answer.trim(), '');
  else
    lines.push(
      '<!-- answerloop: nobody has written the answer yet. Write it here before merging. -->',
      '',
      '_This page is a draft: the documentation does not answer this question yet._',
      '',
    );
  const others = input.askedAs.filter((asked) => heading(asked) !== heading(input.question));
  if (others.length > 0)
    lines.push(
      `<!-- answerloop: also asked as ${others
        .slice(0, 8)
        .map((asked) => JSON.stringify(asked.replace(/--/g, '-')))
        .join(', ')} -->`,
      '',
    );
  const cited = input.sources.filter((source) => input.answer?.includes(`[${source.number}]`));
  for (const source of cited)
    lines.push(`[${source.number}]: ${source.source} "${source.title.replace(/"/g, "'")}"`);
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A unified diff adding one new file, as `git apply` and `patch -p1` take it. */
export function newFilePatch(file: string, content: string): string {
  const lines = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
  return [
    `diff --git a/${file} b/${file}`,
    'new file mode 100644',
    '--- /dev/null',
    `+++ b/${file}`,
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((line) => `+${line}`),
    '',
  ].join('\n');
}

export function createDocsProposals(dependencies: DocsProposalDependencies): DocsProposalService {
  const { config, logger } = dependencies;
  const settings = config.insights.docs;

  const pickSource = (name: string | undefined) => {
    const sources = config.knowledge.sources;
    if (name) {
      const found = sources.find((source) => source.name === name);
      if (!found)
        throw new InputError(
          `No knowledge source named ${JSON.stringify(name)}: knowledge.sources has ${sources.map((source) => source.name).join(', ') || 'none'}.`,
        );
      const kind = sourceKindOf(found.location);
      if (kind === 'website')
        throw new InputError(
          `${name} is a website: a change can be proposed to a git or folder source only.`,
        );
      return { ...found, kind };
    }
    const git = sources.find((source) => sourceKindOf(source.location) === 'git');
    const folder = sources.find((source) => sourceKindOf(source.location) === 'folder');
    const chosen = git ?? folder;
    if (!chosen)
      throw new InputError(
        'No git or folder source in knowledge.sources to propose the change to: add one (docs/configuration.md).',
      );
    return { ...chosen, kind: sourceKindOf(chosen.location) };
  };

  const modelDraft = async (input: DraftInput, gap?: KnowledgeGap): Promise<string | undefined> => {
    if (!dependencies.chatModel) return undefined;
    const passages = (gap?.nearest ?? []).map((passage) => `- ${passage.title}: ${passage.text}`).join('\n');
    try {
      const response = await dependencies.chatModel().complete({
        model: config.openai.chatModel,
        temperature: 0.2,
        maxTokens: 700,
        messages: [
          {
            role: 'system',
            content:
              'You write product documentation. Write the body of a short documentation section (Markdown, no heading) that answers the question. Use only facts from the answer given and the passages; keep the [n] markers of the answer. Where the facts do not say, write a TODO line for the documentation team instead of guessing.',
          },
          {
            role: 'user',
            content: [
              `Question: ${input.question}`,
              input.askedAs.length > 1 ? `Also asked as:\n${input.askedAs.slice(0, 8).join('\n')}` : '',
              input.answer ? `Answer given to users:\n${input.answer}` : 'No answer has been written yet.',
              passages ? `What the documentation says nearby:\n${passages}` : '',
            ]
              .filter(Boolean)
              .join('\n\n'),
          },
        ],
      });
      return response.text.trim() || undefined;
    } catch (error) {
      logger.warn(
        { err: error },
        'the chat model could not draft the documentation change: the answer is used as it is',
      );
      return undefined;
    }
  };

  const gather = async (given: DocsProposalInput) => {
    // The operator's text is committed and pushed: a secret pasted into it is masked first, as in corrections.
    const input = given.text === undefined ? given : { ...given, text: redactSecrets(given.text) };
    if (Boolean(input.gap) === Boolean(input.verified))
      throw new InputError(
        'Name either a gap (--gap <id>) or a verified answer (--verified <id>), one of the two.',
      );
    if (input.verified) {
      const record = await dependencies.verified.get(input.verified);
      const draft: DraftInput = {
        question: record.question,
        answer: input.text ?? record.answer,
        sources: record.sources,
        askedAs: [record.question],
        origin: `verified answer ${record.id} (verified by ${record.verifiedBy})`,
      };
      return {
        draft,
        gap: undefined,
        from: input.text ? ('operator' as const) : ('verified answer' as const),
      };
    }
    const gap = await dependencies.gaps.gap(input.gap!, { since: input.since });
    const answered = gap.verifiedAnswers.find((answer) => answer.status === 'active' && !answer.stale);
    const record = answered ? await dependencies.verified.get(answered.id) : undefined;
    const draft: DraftInput = {
      question: gap.title,
      answer: input.text ?? record?.answer,
      sources: input.text ? [] : (record?.sources ?? []),
      askedAs: [...new Set(gap.questions.map((question) => question.question.replace(/\s+/g, ' ').trim()))],
      origin: `knowledge gap ${gap.id}: asked ${gap.count} times by ${gap.askers} ${gap.askers === 1 ? 'person' : 'people'}`,
    };
    const from = input.text ? 'operator' : record ? 'verified answer' : 'questions only';
    return { draft, gap, from: from as DocsProposal['draftedBy'] };
  };

  const describe = (draft: DraftInput, gap: KnowledgeGap | undefined, by: string | undefined) => {
    const lines = [
      `answerloop proposes this page from ${draft.origin}${by ? `, at the request of ${by}` : ''}.`,
      '',
      'People asked:',
      ...draft.askedAs.slice(0, 15).map((asked) => `- ${asked.replace(/\s+/g, ' ')}`),
    ];
    if (gap && gap.nearest.length > 0)
      lines.push(
        '',
        'What the documentation nearly says:',
        ...gap.nearest.map((passage) => `- ${passage.title} (${passage.source})`),
      );
    lines.push('', 'Check the text before merging: it was written for a user, not yet for the manual.');
    return lines.join('\n');
  };

  const proposeToGit = async (
    source: { name: string; location: string },
    location: GitLocation,
    page: { slug: string; markdown: string },
    message: { title: string; body: string },
  ): Promise<Omit<DocsProposal, 'markdown' | 'draftedBy'>> => {
    const forge = forgeOf(location.repository, settings.forge);
    const token =
      forge === 'github'
        ? config.secrets.githubToken
        : forge === 'gitlab'
          ? config.secrets.gitlabToken
          : undefined;
    const url = new URL(location.fetchUrl);
    const credentials: Array<[string, string]> =
      token && /^https?:$/.test(url.protocol) && !url.username
        ? [
            [
              `http.${url.origin}/.extraheader`,
              `Authorization: Basic ${Buffer.from(`${forge === 'github' ? 'x-access-token' : 'oauth2'}:${token}`).toString('base64')}`,
            ],
          ]
        : [];
    const environment = nonInteractiveGitEnvironment(credentials);
    const workspace = await mkdtemp(path.join(tmpdir(), 'answerloop-propose-'));
    const checkout = path.join(workspace, 'repository');
    const git = (args: string[], cwd = checkout) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          'git',
          args,
          { cwd, env: environment, timeout: config.knowledge.git.timeoutMs },
          (error, stdout, stderr) => {
            if (!error) resolve(stdout);
            else {
              const said = (stderr || error.message)
                .split(location.fetchUrl)
                .join(location.repository)
                .trim();
              const reason =
                /terminal prompts disabled|could not read (?:Username|Password)|Authentication failed|Permission denied|403/i.test(
                  said,
                )
                  ? `the repository refused the push: give this machine write access (a credential helper, a deploy key, or ${forge === 'gitlab' ? 'GITLAB_TOKEN' : 'GITHUB_TOKEN'} for https)`
                  : (said.split('\n').find((line) => line.trim()) ?? 'git failed');
              reject(
                new AnswerloopError(
                  'upstream_failed',
                  `git ${args[0]} on ${location.repository}: ${reason.replace(/^fatal:\s*/, '')}`,
                  { cause: error },
                ),
              );
            }
          },
        );
      });
    let pushed: string | undefined;
    try {
      await git(
        [
          'clone',
          '--quiet',
          '--no-tags',
          '--depth',
          '1',
          ...(location.ref ? ['--branch', location.ref] : []),
          location.fetchUrl,
          checkout,
        ],
        workspace,
      );
      const defaultBranch = (
        await git(['symbolic-ref', '--short', 'refs/remotes/origin/HEAD']).catch(() => 'origin/HEAD')
      )
        .trim()
        .replace(/^origin\//, '');
      const base = location.ref ?? defaultBranch;
      const taken = new Set(
        (await git(['ls-remote', '--heads', 'origin']))
          .split('\n')
          .map((line) => line.split('\trefs/heads/')[1])
          .filter(Boolean),
      );
      let branch = `${settings.branchPrefix}${page.slug}`;
      for (let suffix = 2; taken.has(branch); suffix += 1)
        branch = `${settings.branchPrefix}${page.slug}-${suffix}`;
      if (branch === defaultBranch || branch === base)
        throw new InputError(
          `The proposal branch ${branch} is the repository's ${branch === defaultBranch ? 'default' : 'base'} branch: change insights.docs.branchPrefix.`,
        );
      const folder = (settings.folder || location.folder).replace(/^\/+|\/+$/g, '');
      let file = path.posix.join(folder, `${page.slug}.md`);
      for (let suffix = 2; existsSync(path.join(checkout, file)); suffix += 1)
        file = path.posix.join(folder, `${page.slug}-${suffix}.md`);
      await mkdir(path.dirname(path.join(checkout, file)), { recursive: true });
      await writeFile(path.join(checkout, file), page.markdown);
      await git(['checkout', '--quiet', '-b', branch]);
      await git(['add', '--', file]);
      await git([
        '-c',
        `user.name=${settings.authorName}`,
        '-c',
        `user.email=${settings.authorEmail}`,
        'commit',
        '--quiet',
        '--no-verify',
        '-m',
        message.title,
        '-m',
        message.body,
      ]);
      const commit = (await git(['rev-parse', 'HEAD'])).trim();
      // A new branch only: a plain push (never --force) to a name nobody has.
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      pushed = branch;
      let requestUrl: string | undefined;
      if (forge && token) {
        requestUrl = await openChangeRequest(
          {
            kind: forge,
            apiUrl: forgeApiUrl(forge, location.repository, settings.apiUrl),
            project: forgeProject(forge, location.repository, settings.repository),
            token,
          },
          { branch, base, title: message.title, body: message.body },
        );
      }
      logger.info({ source: source.name, branch, file, requestUrl }, 'documentation change proposed');
      return {
        kind: 'branch',
        source: source.name,
        file,
        branch,
        base,
        commit,
        ...(requestUrl ? { requestUrl } : {}),
      };
    } catch (error) {
      // The branch we pushed has no request: take it back, so a failure leaves nothing half-done.
      if (pushed)
        await git(['push', '--quiet', 'origin', '--delete', pushed]).catch((cleanup: unknown) =>
          logger.warn(
            { err: cleanup, branch: pushed },
            'the proposal branch could not be deleted after the failure',
          ),
        );
      throw error;
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  };

  const proposeToFolder = async (
    source: { name: string; location: string },
    page: { slug: string; markdown: string },
    message: { title: string; body: string },
  ): Promise<Omit<DocsProposal, 'markdown' | 'draftedBy'>> => {
    const root = path.resolve(config.rootDir, source.location);
    const folder = settings.folder.replace(/^\/+|\/+$/g, '');
    let file = path.posix.join(folder, `${page.slug}.md`);
    for (let suffix = 2; existsSync(path.join(root, file)); suffix += 1)
      file = path.posix.join(folder, `${page.slug}-${suffix}.md`);
    const proposals = path.join(dependencies.dataDir, 'proposals');
    await mkdir(proposals, { recursive: true });
    let patchFile = path.join(proposals, `${page.slug}.patch`);
    for (let suffix = 2; existsSync(patchFile); suffix += 1)
      patchFile = path.join(proposals, `${page.slug}-${suffix}.patch`);
    const header = `${message.title}\n\n${message.body}\n\nApply in ${root} with: git apply ${patchFile} (or patch -p1 < ${patchFile})\n\n`;
    // Written whole under a temporary name, then renamed: never a half-written patch.
    const partial = `${patchFile}.partial`;
    await writeFile(partial, header + newFilePatch(file, page.markdown));
    await rename(partial, patchFile);
    logger.info({ source: source.name, patchFile }, 'documentation change proposed as a patch');
    return { kind: 'patch', source: source.name, file, patchFile };
  };

  return {
    async proposeDocChange(input) {
      const source = pickSource(input.source);
      const { draft, gap, from } = await gather(input);
      const written = await modelDraft(draft, gap);
      const markdown = draftPage(written ? { ...draft, answer: written } : draft);
      const page = { slug: slugOf(draft.question), markdown };
      const message = {
        title: `docs: answer "${heading(draft.question).slice(0, 72)}"`,
        body: describe(draft, gap, input.by),
      };
      const done =
        source.kind === 'git'
          ? await proposeToGit(source, parseGitLocation(source.location), page, message)
          : await proposeToFolder(source, page, message);
      return { ...done, markdown, draftedBy: written ? 'model' : from };
    },
  };
}
