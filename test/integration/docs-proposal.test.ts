import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import {
  type ChatModel,
  type ChatRequest,
  type Core,
  createCore,
  loadConfig,
  silentLogger,
  type Store,
} from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { conversationRecord } from '../support/learning-loop-fixtures.ts';

const run = promisify(execFile);
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Docs',
  GIT_AUTHOR_EMAIL: 'docs@example.com',
  GIT_COMMITTER_NAME: 'Docs',
  GIT_COMMITTER_EMAIL: 'docs@example.com',
};
const git = async (cwd: string, ...args: string[]) => (await run('git', args, { cwd, env: gitEnv })).stdout;
const question = 'Where is our customer data hosted?';
const githubToken = 'ghp_testtoken000000000000000000000000';

describe('answerloop docs propose', () => {
  let root: string;
  let bare: string;
  let mainCommit: string;
  let store: Store;
  let verifiedId: string;
  const cores: Core[] = [];

  const open = (env: Record<string, string> = {}, overrides: Record<string, unknown> = {}) => {
    const config = loadConfig({
      cwd: root,
      env: { ANSWERLOOP_DATA_DIR: path.join(root, 'data'), ANSWERLOOP_LOG_FILE: '', ...env },
      overrides: {
        answering: { mode: 'offline' },
        knowledge: {
          sources: [
            { name: 'handbook', location: `git+file://${bare}#main:docs/` },
            { name: 'local', location: 'local-docs' },
          ],
        },
        ...overrides,
      },
    });
    const core = createCore({ config, store, embedder: createDeterministicEmbedder(), logger: silentLogger });
    cores.push(core);
    return core;
  };
  const branches = async () =>
    (await git(bare, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/')).split('\n').filter(Boolean);
  const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith('answerloop-propose-'));

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'answerloop-docs-'));
    bare = path.join(root, 'acme', 'handbook.git');
    mkdirSync(bare, { recursive: true });
    await git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
    const work = path.join(root, 'work');
    await git(root, 'clone', '--quiet', bare, work);
    mkdirSync(path.join(work, 'docs'));
    writeFileSync(path.join(work, 'docs', 'intro.md'), '# Introduction\n\nWelcome.\n');
    await git(work, 'add', '-A');
    await git(work, 'commit', '--quiet', '-m', 'Introduction');
    await git(work, 'push', '--quiet', 'origin', 'HEAD:main');
    mainCommit = (await git(bare, 'rev-parse', 'main')).trim();
    mkdirSync(path.join(root, 'local-docs'));
    writeFileSync(path.join(root, 'local-docs', 'intro.md'), '# Introduction\n');

    store = createSqliteStore({ file: ':memory:', logger: silentLogger });
    const core = open();
    await core.prepareToServe();
    await store.saveConversation(
      conversationRecord({
        id: 'residency',
        question,
        answer: 'I could not find this.',
        createdAt: new Date(Date.now() - 3_600_000).toISOString(),
        sources: [{ docId: 'docs/hosting.md', text: 'Servers run in Frankfurt.' }],
        overrides: {
          reviewStatus: 'corrected',
          correctedAnswer: 'Customer data is hosted in Frankfurt, Germany [1].',
          reviewer: 'maria',
        },
      }),
    );
    verifiedId = (await core.verified.publish({ conversationId: 'residency', reviewer: 'maria' })).verified
      .id;
    for (const [index, asked] of ['Can I export my data to CSV?', 'can i export my data to csv'].entries())
      await store.saveConversation(
        conversationRecord({
          id: `export-${index}`,
          question: asked,
          answer: 'I could not find this.',
          createdAt: new Date(Date.now() - (index + 2) * 3_600_000).toISOString(),
          overrides: {
            refused: true,
            route: 'refused',
            confidence: 0.1,
            standaloneQuestion: 'Can I export my data to CSV?',
          },
        }),
      );
  });

  afterEach(() => nock.cleanAll());

  afterAll(async () => {
    for (const core of cores) await core.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('pushes a verified answer as a new page on a new branch, leaving the default branch alone', async () => {
    const proposal = await open().insights.proposeDocChange({ verified: verifiedId, by: 'maria' });
    expect(proposal).toMatchObject({
      kind: 'branch',
      source: 'handbook',
      branch: 'answerloop/where-is-our-customer-data-hosted',
      base: 'main',
      file: 'docs/where-is-our-customer-data-hosted.md',
      draftedBy: 'verified answer',
    });
    expect(proposal.requestUrl).toBeUndefined();
    expect(await git(bare, 'rev-parse', 'main')).toBe(`${mainCommit}\n`);
    const page = await git(bare, 'show', `${proposal.branch}:${proposal.file}`);
    expect(page).toBe(proposal.markdown);
    expect(page).toContain(`# ${question}\n\nCustomer data is hosted in Frankfurt, Germany [1].`);
    expect(page).toMatch(/^\[1\]: docs\/hosting\.md "hosting"$/m);
    const log = await git(bare, 'log', '-1', '--format=%an <%ae>%n%s%n%b', proposal.branch!);
    expect(log).toContain('answerloop <answerloop@localhost>');
    expect(log).toContain(`docs: answer "${question}"`);
    expect(log).toContain(`verified answer ${verifiedId} (verified by maria), at the request of maria`);
    expect(await git(bare, 'rev-parse', `${proposal.branch}~1`)).toBe(`${mainCommit}\n`);
    expect(leftovers()).toEqual([]);

    // The same proposal again gets a branch of its own: nothing is overwritten or forced.
    const again = await open().insights.proposeDocChange({ verified: verifiedId });
    expect(again.branch).toBe('answerloop/where-is-our-customer-data-hosted-2');
    expect(await git(bare, 'rev-parse', 'answerloop/where-is-our-customer-data-hosted')).toBe(
      `${proposal.commit}\n`,
    );
  });

  it('opens a GitHub pull request with the token, which never shows in what it returns', async () => {
    const github = nock('https://api.github.com', {
      reqheaders: { authorization: `Bearer ${githubToken}`, 'x-github-api-version': '2022-11-28' },
    })
      .post('/repos/acme/handbook/pulls', (body: Record<string, string>) => {
        expect(body).toMatchObject({ base: 'main' });
        expect(body.head).toMatch(/^answerloop\/where-is-our-customer-data-hosted-\d$/);
        expect(body.title).toBe(`docs: answer "${question}"`);
        expect(body.body).toContain('People asked:');
        return true;
      })
      .reply(201, { number: 7, html_url: 'https://github.com/acme/handbook/pull/7' });
    const proposal = await open(
      { GITHUB_TOKEN: githubToken },
      { insights: { docs: { forge: 'github' } } },
    ).insights.proposeDocChange({ verified: verifiedId });
    expect(proposal.requestUrl).toBe('https://github.com/acme/handbook/pull/7');
    expect(github.isDone()).toBe(true);
    expect(JSON.stringify(proposal)).not.toContain(githubToken);
  });

  it('opens a GitLab merge request on the configured project', async () => {
    const gitlab = nock('https://gitlab.example.com', { reqheaders: { 'private-token': 'glpat-test-0000' } })
      .post('/api/v4/projects/acme%2Fdocs%2Fhandbook/merge_requests', (body: Record<string, unknown>) => {
        expect(body).toMatchObject({ target_branch: 'main', remove_source_branch: true });
        expect(String(body.source_branch)).toMatch(/^answerloop\/where-is-our-customer-data-hosted-\d$/);
        return true;
      })
      .reply(201, { iid: 3, web_url: 'https://gitlab.example.com/acme/docs/handbook/-/merge_requests/3' });
    const proposal = await open(
      { GITLAB_TOKEN: 'glpat-test-0000' },
      {
        insights: {
          docs: {
            forge: 'gitlab',
            apiUrl: 'https://gitlab.example.com/api/v4',
            repository: 'acme/docs/handbook',
          },
        },
      },
    ).insights.proposeDocChange({ verified: verifiedId });
    expect(proposal.requestUrl).toBe('https://gitlab.example.com/acme/docs/handbook/-/merge_requests/3');
    expect(gitlab.isDone()).toBe(true);
  });

  it('takes the branch back when the pull request cannot be opened: nothing half-done', async () => {
    const before = await branches();
    nock('https://api.github.com')
      .post('/repos/acme/handbook/pulls')
      .reply(403, { message: 'Resource not accessible by integration' });
    const attempt = open(
      { GITHUB_TOKEN: githubToken },
      { insights: { docs: { forge: 'github' } } },
    ).insights.proposeDocChange({ verified: verifiedId });
    await expect(attempt).rejects.toThrow(
      /pull request could not be opened: 403 Resource not accessible by integration\. Check that GITHUB_TOKEN may open pull requests on acme\/handbook/,
    );
    await attempt.catch((error: Error) => expect(error.message).not.toContain(githubToken));
    expect(await branches()).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('drafts a page for a knowledge gap nobody has answered yet, with the ways people asked', async () => {
    const core = open();
    const { gaps } = await core.insights.gaps({ since: '1d' });
    const gap = gaps.find((candidate) =>
      candidate.questions.some((asked) => asked.conversationId === 'export-0'),
    )!;
    const proposal = await core.insights.proposeDocChange({ gap: gap.id, since: '1d' });
    expect(proposal.draftedBy).toBe('questions only');
    expect(proposal.markdown).toContain(
      '_This page is a draft: the documentation does not answer this question yet._',
    );
    expect(proposal.markdown).toMatch(/also asked as "can i export my data to csv"/);
    expect(await git(bare, 'show', `${proposal.branch}:${proposal.file}`)).toBe(proposal.markdown);

    const written = await core.insights.proposeDocChange({
      gap: gap.id,
      since: '1d',
      text: 'Open Settings, Data, then Export to CSV.',
    });
    expect(written.draftedBy).toBe('operator');
    expect(written.markdown).toContain('Open Settings, Data, then Export to CSV.');
  });

  it('masks a secret pasted into the text before it is committed and pushed', async () => {
    const core = open();
    const { gaps } = await core.insights.gaps({ since: '1d' });
    const gap = gaps.find((candidate) =>
      candidate.questions.some((asked) => asked.conversationId === 'export-0'),
    )!;
    const key = 'sk-proj-QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
    const proposal = await core.insights.proposeDocChange({
      gap: gap.id,
      since: '1d',
      text: `Call the export API with the key ${key}.`,
    });
    expect(proposal.markdown).toMatch(/Call the export API with the key .+\./);
    expect(proposal.markdown).not.toContain(key);
    const pushed = await git(bare, 'show', `${proposal.branch}:${proposal.file}`);
    expect(pushed).not.toContain(key);
    expect(await git(bare, 'log', '-1', '--format=%B', proposal.branch!)).not.toContain(key);
  });

  it('lets a configured chat model draft the section from the verified answer', async () => {
    const requests: ChatRequest[] = [];
    const config = loadConfig({
      cwd: root,
      env: {
        ANSWERLOOP_DATA_DIR: path.join(root, 'data'),
        ANSWERLOOP_LOG_FILE: '',
        OPENAI_API_KEY: 'sk-test-000000000000',
      },
      overrides: { knowledge: { sources: [{ name: 'local', location: 'local-docs' }] } },
    });
    const chatModel: ChatModel = {
      complete: async (request) => {
        requests.push(request);
        return {
          text: "Every customer's data is hosted in Frankfurt, Germany [1].\n\nTODO: say whether other regions exist.",
          model: request.model,
          usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
          modelMs: 1,
        };
      },
    };
    const core = createCore({
      config,
      store,
      embedder: createDeterministicEmbedder(),
      chatModel,
      logger: silentLogger,
    });
    cores.push(core);
    const proposal = await core.insights.proposeDocChange({ verified: verifiedId, source: 'local' });
    expect(proposal.draftedBy).toBe('model');
    expect(proposal.markdown).toContain(
      `# ${question}\n\nEvery customer's data is hosted in Frankfurt, Germany [1].`,
    );
    expect(proposal.markdown).toMatch(/^\[1\]: docs\/hosting\.md "hosting"$/m);
    expect(requests.at(-1)!.messages.at(-1)!.content).toContain(
      'Customer data is hosted in Frankfurt, Germany [1].',
    );
  });

  it('writes a patch file for a folder source, which git apply takes', async () => {
    const proposal = await open().insights.proposeDocChange({ verified: verifiedId, source: 'local' });
    expect(proposal).toMatchObject({
      kind: 'patch',
      source: 'local',
      file: 'where-is-our-customer-data-hosted.md',
    });
    // The model-drafted proposal above wrote the first patch of this name: a second never overwrites it.
    expect(proposal.patchFile).toBe(
      path.join(root, 'data', 'proposals', 'where-is-our-customer-data-hosted-2.patch'),
    );
    const patch = readFileSync(proposal.patchFile!, 'utf8');
    expect(patch).toContain('+++ b/where-is-our-customer-data-hosted.md');
    await run('git', ['apply', proposal.patchFile!], { cwd: path.join(root, 'local-docs') });
    expect(readFileSync(path.join(root, 'local-docs', proposal.file), 'utf8')).toBe(proposal.markdown);
  });

  it('says what it needs when asked wrongly', async () => {
    const core = open();
    await expect(core.insights.proposeDocChange({})).rejects.toThrow(
      /Name either a gap \(--gap <id>\) or a verified answer/,
    );
    await expect(core.insights.proposeDocChange({ verified: verifiedId, source: 'wiki' })).rejects.toThrow(
      /No knowledge source named "wiki": knowledge.sources has handbook, local/,
    );
    await expect(core.insights.proposeDocChange({ gap: 'abcdef', since: '1d' })).rejects.toThrow(
      /No gap "abcdef"/,
    );
    const unreachable = open(
      {},
      { knowledge: { sources: [{ name: 'gone', location: `git+file://${root}/missing.git` }] } },
    );
    await expect(unreachable.insights.proposeDocChange({ verified: verifiedId })).rejects.toThrow(
      /git clone on file:\/\//,
    );
    expect(leftovers()).toEqual([]);
  });
});
