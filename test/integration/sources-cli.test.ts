import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDocsSite, startFakeDocsSite } from '../support/fake-docs-site.ts';
import { useLocalModel } from '../support/local-model.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const model = useLocalModel();

/** Runs the real program; resolves with its output and exit code whatever the code. */
async function answerloop(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/answerloop.js', ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, ...env },
      timeout: 180_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as { stdout: string; stderr: string; code: number };
    return { stdout: failure.stdout, stderr: failure.stderr, code: failure.code };
  }
}

describe.skipIf(!model)(
  'answerloop ingest <url>, sync and sources as real processes',
  { timeout: 240_000 },
  () => {
    let site: FakeDocsSite;
    let workspace: string;
    let env: Record<string, string>;
    let configFile: string;

    beforeAll(async () => {
      site = await startFakeDocsSite();
      workspace = await mkdtemp(path.join(tmpdir(), 'answerloop-sources-cli-'));
      configFile = path.join(workspace, 'sources.yaml');
      await writeFile(
        configFile,
        `knowledge:
  web: { delayMs: 0, maxDepth: 2 }
  sources:
    - name: guide
      location: ${site.origin}/guide/
      exclude: ['/guide/calendar/**']
      refreshMinutes: 30
`,
      );
      env = {
        ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
        ANSWERLOOP_STORE: 'embedded',
        ANSWERLOOP_LOG_FILE: '',
        ANSWERLOOP_LOG_LEVEL: 'error',
        CI: process.env.CI ?? '',
      };
    });

    afterAll(async () => {
      await site.close();
      await rm(workspace, { recursive: true, force: true });
    });

    it('crawls the site, then re-crawls with 304s and no new passages', async () => {
      const first = await answerloop(
        ['ingest', `${site.origin}/guide/`, '--exclude', '/guide/calendar/**', '-c', configFile],
        env,
      );
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`Ingest of ${site.origin}/guide/ finished`);
      expect(first.stdout).toMatch(/added\s+8\b/);
      expect(first.stdout).toContain(
        `${site.origin}/guide/logo.png: content type image/png is not a document answerloop reads`,
      );

      const second = await answerloop(
        ['ingest', `${site.origin}/guide/`, '--exclude', '/guide/calendar/**', '--json', '-c', configFile],
        env,
      );
      const report = JSON.parse(second.stdout) as {
        added: number;
        updated: number;
        unchanged: number;
        chunks: number;
        notes: string[];
      };
      expect(report).toMatchObject({ added: 0, updated: 0, unchanged: 8, chunks: 0 });
      expect(report.notes.join(' ')).toMatch(/not modified \(304\)/);

      const search = await answerloop(
        ['search', 'which port does the sync daemon listen on', '--json', '--k', '1'],
        env,
      );
      expect((JSON.parse(search.stdout) as Array<{ source: string }>)[0]!.source).toBe(
        `${site.origin}/guide/install#linux`,
      );
    });

    it('syncs configured sources with a report each and lists them; a fault exits 1 with the URL and reason', async () => {
      const sync = await answerloop(['sync', '-c', configFile], env);
      expect(sync.code).toBe(0);
      expect(sync.stdout).toContain(`== guide (${site.origin}/guide/)`);
      const sources = await answerloop(['sources', '-c', configFile], env);
      expect(sources.stdout).toMatch(
        /guide\s+website\s+http:\/\/127\.0\.0\.1:\d+\/guide\/\s+30 min\s+\d{4}-\d\d-\d\d \S+\s+8\s+ok/,
      );

      site.pages.set('/robots.txt', { type: 'text/plain', body: 'User-agent: *\nDisallow: /\n' });
      const blocked = await answerloop(['sync', 'guide', '-c', configFile], env);
      expect(blocked.code).toBe(1);
      expect(blocked.stdout).toContain(
        `${site.origin}/guide/: robots.txt disallows it for answerloop; nothing was crawled`,
      );
      const listed = await answerloop(['sources', '--json', '-c', configFile], env);
      expect(JSON.parse(listed.stdout)).toMatchObject([
        { name: 'guide', lastSync: { ok: false, documents: 0 } },
      ]);
    });

    it('never shows the credentials of a source location or the Elasticsearch URL, nor a short password', async () => {
      const secretFile = path.join(workspace, 'secret-sources.yaml');
      await writeFile(
        secretFile,
        `knowledge:
  sources:
    - name: handbook
      location: git+https://x-access-token:tok3nInTheUrl@127.0.0.1:9/acme/handbook.git#main:docs/
      refreshMinutes: 0
    - name: mistyped
      location: git+https://x-access-token:tok3nInTheUrl@127.0.0.1:9/acme/handbook.git#main docs
      refreshMinutes: 0
`,
      );
      const secretEnv = {
        ...env,
        ELASTICSEARCH_URL: 'https://elastic:esPassw0rdInUrl@127.0.0.1:9/',
        ELASTICSEARCH_PASSWORD: 'hunter2hunter2',
      };
      const runs = [
        await answerloop(['sources', '-c', secretFile], secretEnv),
        await answerloop(['sources', '--json', '-c', secretFile], secretEnv),
        await answerloop(['sync', '-c', secretFile], secretEnv),
        await answerloop(['sources', '-c', secretFile], secretEnv),
        await answerloop(['doctor', '-c', secretFile], secretEnv),
        await answerloop(['doctor', '--json', '-c', secretFile], secretEnv),
      ];
      for (const run of runs) {
        const output = run.stdout + run.stderr;
        expect(output).not.toContain('tok3nInTheUrl');
        expect(output).not.toContain('esPassw0rdInUrl');
        expect(output).not.toMatch(/hunt|r2hu|er2/);
      }
      expect(runs[0]!.stdout).toContain('git+https://x-access-token:****@127.0.0.1:9/acme/handboo');
      expect(runs[2]!.code).toBe(1);
      expect(runs[2]!.stdout).toContain(
        '== handbook (git+https://x-access-token:****@127.0.0.1:9/acme/handbook.git',
      );
      expect(runs[2]!.stdout).toContain('"main docs" is not a branch or tag name');
      expect(runs[3]!.stdout).toContain('mistyped: last sync failed');
      expect(runs[4]!.stdout).toContain('store.elasticsearch.url = "https://elastic:****@127.0.0.1:9/"');
      expect(runs[4]!.stdout).toContain('ELASTICSEARCH_PASSWORD = ****');
    });

    it('ingest --tag on files already ingested writes them again with the tag, which search then filters on', async () => {
      const folder = path.join(workspace, 'handbook');
      await mkdir(folder, { recursive: true });
      await writeFile(
        path.join(folder, 'leave.md'),
        '# Parental leave\n\nParents get sixteen weeks of paid parental leave.\n',
      );
      const tagEnv = { ...env, ANSWERLOOP_DATA_DIR: path.join(workspace, 'tag-data') };
      expect((await answerloop(['ingest', folder], tagEnv)).stdout).toMatch(/added\s+1\b/);
      const tagged = await answerloop(['ingest', folder, '--tag', 'people'], tagEnv);
      expect(tagged.code).toBe(0);
      expect(tagged.stdout).toMatch(/updated\s+1\b/);
      const found = await answerloop(['search', 'parental leave', '--tag', 'people', '--json'], tagEnv);
      expect((JSON.parse(found.stdout) as Array<{ title: string }>).map((hit) => hit.title)).toEqual([
        'Parental leave',
      ]);
      expect((await answerloop(['ingest', folder, '--tag', 'people'], tagEnv)).stdout).toMatch(
        /unchanged\s+1\b/,
      );
    });

    it('a data folder that is a file is a configuration error naming it, not a stack trace', async () => {
      const file = path.join(workspace, 'not-a-folder');
      await writeFile(file, 'x');
      const result = await answerloop(['search', 'anything'], {
        ...env,
        ANSWERLOOP_DATA_DIR: file,
        ANSWERLOOP_LOG_FILE: 'answerloop.log',
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`the operator log ${file}/answerloop.log cannot be written`);
      expect(result.stderr).toContain('set dataDir (ANSWERLOOP_DATA_DIR) to a folder');
      expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    });

    it('a usage error (unknown option, missing argument, bad value) exits with 2, as documented; --help with 0', async () => {
      const unknown = await answerloop(['ingest', 'docs', '--bogus'], env);
      expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--bogus'") });
      expect((await answerloop(['ingest'], env)).code).toBe(2);
      expect((await answerloop(['search', 'x', '--k', 'many'], env)).code).toBe(2);
      expect((await answerloop(['ingest', path.join(workspace, 'no-such-folder')], env)).code).toBe(2);
      const help = await answerloop(['ingest', '--help'], env);
      expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('--rebuild') });
    });

    it('search and ask on an empty knowledge base say to ingest first', async () => {
      const emptyEnv = { ...env, ANSWERLOOP_DATA_DIR: path.join(workspace, 'empty-data') };
      const search = await answerloop(['search', 'reset password'], emptyEnv);
      expect(search).toMatchObject({ code: 0, stdout: 'No passages found.\n' });
      expect(search.stderr).toContain('The knowledge base is empty: ingest your documentation first');
      const ask = await answerloop(['ask', 'How do I reset my password?', '--no-stream'], emptyEnv);
      expect(ask.code).toBe(0);
      expect(ask.stderr).toContain('The knowledge base is empty, so every question is refused');
    });

    it('a missing git repository is a clear error with exit code 1', async () => {
      const result = await answerloop(['ingest', `git+file://${workspace}/missing.git#main:docs/`], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `git+file://${workspace}/missing.git#main: no repository at that URL (or it is private): check the URL`,
      );
    });
  },
);
