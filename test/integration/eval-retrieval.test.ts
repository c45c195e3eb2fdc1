import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { registerEvalRetrieval } from '../../src/cli/eval-retrieval.ts';
import {
  type Core,
  createCore,
  loadConfig,
  type RetrievalEvaluation,
  silentLogger,
} from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const docs = path.join(projectRoot, 'test/fixtures/answering-docs');
const accounts = 'test/fixtures/answering-docs/accounts.md';
const billing = 'test/fixtures/answering-docs/billing.md';
const install = 'test/fixtures/answering-docs/install.md';

describe('answerloop eval retrieval', () => {
  let dataDir: string;
  let core: Core;
  let context: CliContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-eval-retrieval-'));
    const config = loadConfig({
      cwd: projectRoot,
      env: { ANSWERLOOP_DATA_DIR: dataDir, ANSWERLOOP_LOG_FILE: '' },
    });
    core = createCore({ config, embedder: createDeterministicEmbedder(), logger: silentLogger });
    await core.ingest([docs]);
    context = { config: () => config, core: () => core, close: async () => {} };
  });

  afterAll(async () => {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function qaFile(lines: string[]): string {
    const file = path.join(dataDir, `qa-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  /** Runs the command as `answerloop eval retrieval ...` and returns what it printed. */
  async function run(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    const program = new Command('answerloop').exitOverride();
    const evalCommand = program.command('eval').exitOverride();
    registerEvalRetrieval(evalCommand, context);
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(['eval', 'retrieval', ...args], { from: 'user' });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    return { stdout, stderr };
  }

  const questions = [
    JSON.stringify({ question: 'How can I reset a forgotten password?', relevant: [accounts] }),
    JSON.stringify({ question: 'When are the monthly invoices emailed?', relevant: [billing] }),
    JSON.stringify({ question: 'Install the agent on Windows', relevant: [install] }),
    // Names a page that was never ingested: it can never be found, and the command says so.
    JSON.stringify({ question: 'Where is the changelog?', relevant: ['docs/changelog.md'] }),
  ];

  it('scores every mode on the QA set and warns about paths the knowledge base lacks', async () => {
    const { stdout, stderr } = await run('--qa', qaFile(questions), '--json');
    const result = JSON.parse(stdout) as RetrievalEvaluation;
    expect(result.k).toBe(5);
    expect(result.questionCount).toBe(4);
    expect(result.modes.map((mode) => mode.mode)).toEqual(['hybrid', 'bm25', 'vector']);
    expect(result.unknownRelevant).toEqual(['docs/changelog.md']);
    expect(stderr).toMatch(/docs\/changelog\.md/);
    for (const mode of result.modes) {
      // Three answerable questions, each matching its page's words; the fourth can never be found.
      expect(mode.answeredInTopK).toBe(3);
      expect(mode.recallAtK).toBeCloseTo(0.75, 10);
      const [first, second, third, fourth] = mode.questions;
      expect(first!.ranked[0]).toBe(accounts);
      expect(second!.ranked[0]).toBe(billing);
      expect(third!.ranked[0]).toBe(install);
      expect(fourth!.firstRelevantRank).toBeNull();
      expect(mode.mrr).toBeCloseTo(0.75, 10);
      expect(mode.ndcgAtK).toBeCloseTo(0.75, 10);
      // Only four pages exist, so every ranking lists each page once.
      expect(new Set(first!.ranked).size).toBe(first!.ranked.length);
    }
  });

  it('scores one mode at another cut-off and prints a table for people', async () => {
    const file = qaFile(questions.slice(0, 3));
    const { stdout } = await run('--qa', file, '--mode', 'bm25', '--k', '1');
    expect(stdout).toContain('Retrieval quality on 3 questions');
    expect(stdout).toMatch(/mode\s+Recall@1\s+MRR\s+nDCG@1\s+found in top 1/);
    expect(stdout).toMatch(/bm25\s+1\.000\s+1\.000\s+1\.000\s+3\/3/);
    expect(stdout).not.toMatch(/hybrid|vector/);
  });

  it('lists the questions a mode missed with --misses', async () => {
    const { stdout } = await run('--qa', qaFile(questions), '--mode', 'hybrid', '--misses');
    expect(stdout).toMatch(/hybrid: no relevant document in the top 5 for\n {2}- Where is the changelog\?/);
    expect(stdout).not.toMatch(/- How can I reset/);
  });

  it('names the line of a bad QA entry', async () => {
    const file = qaFile([questions[0]!, '{"question": "No sources here"}']);
    await expect(run('--qa', file)).rejects.toThrow(
      new RegExp(`${path.basename(file)} line 2: "relevant" must name at least one source path`),
    );
  });

  it('says which file it cannot read', async () => {
    await expect(run('--qa', path.join(dataDir, 'absent.jsonl'))).rejects.toThrow(
      /Cannot read the QA set .*absent\.jsonl \(ENOENT\)/,
    );
  });
});
