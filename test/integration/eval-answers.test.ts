import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { registerEvalAnswers } from '../../src/cli/eval-answers.ts';
import {
  type AnswerQualityEvaluation,
  type Core,
  createCore,
  loadConfig,
  type RefusalCalibration,
  silentLogger,
} from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');

/**
 * `answerloop eval answers` and `eval calibrate` through the CLI, on a small knowledge base in a folder of its own
 * (calibrate --write writes that folder's config/local.yaml). The answerability model is pinned to one that reads
 * word coverage, so the outcome depends on the retrieval, not on the shipped coefficients.
 */
describe('answerloop eval answers and eval calibrate', () => {
  let rootDir: string;
  let core: Core;
  let context: CliContext;

  beforeAll(async () => {
    rootDir = mkdtempSync(path.join(tmpdir(), 'answerloop-eval-answers-'));
    cpSync(path.join(projectRoot, 'test/fixtures/answering-docs'), path.join(rootDir, 'docs'), {
      recursive: true,
    });
    const config = loadConfig({
      cwd: rootDir,
      env: { ANSWERLOOP_DATA_DIR: path.join(rootDir, 'data'), ANSWERLOOP_LOG_FILE: '' },
      overrides: {
        answering: {
          mode: 'offline',
          refusalThreshold: 0.5,
          answerability: {
            intercept: -2,
            weights: {
              topCosine: 0,
              cosineMargin: 0,
              bm25Peak: 0,
              coverage: 4,
              unknownShare: -4,
              legsAgree: 0,
              sentenceCosine: 0,
            },
          },
        },
      },
    });
    core = createCore({ config, embedder: createDeterministicEmbedder(), logger: silentLogger });
    await core.ingest([path.join(rootDir, 'docs')]);
    context = { config: () => config, core: () => core, close: async () => {} };
  });

  afterAll(async () => {
    await core.close();
    rmSync(rootDir, { recursive: true, force: true });
  });

  function qaFile(lines: object[]): string {
    const file = path.join(rootDir, `qa-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    return file;
  }

  async function run(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    const program = new Command('answerloop').exitOverride();
    registerEvalAnswers(program.command('eval').exitOverride(), context);
    let stdout = '';
    let stderr = '';
    const out = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => ((stdout += String(chunk)), true));
    const err = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      await program.parseAsync(['eval', ...args], { from: 'user' });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    return { stdout, stderr };
  }

  const questions = [
    {
      question: 'how do i reset my password',
      kind: 'keyword',
      relevant: ['accounts.md'],
      answer: 'Open Settings, choose Security and click Send reset link.',
    },
    {
      question: 'when are invoices emailed',
      kind: 'keyword',
      relevant: ['billing.md'],
      answer: 'Invoices are emailed on the first day of each month.',
    },
    {
      question: 'does the zeppelin quantum ferret support holograms',
      kind: 'unanswerable',
      relevant: [],
      answer: '',
    },
  ];

  it('scores refusals, citations and similarity per kind, and logs no conversation', async () => {
    const before = await core.listConversations({});
    const { stdout } = await run('answers', '--qa', qaFile(questions), '--json');
    const evaluation = JSON.parse(stdout) as AnswerQualityEvaluation;
    expect(evaluation.questionCount).toBe(3);
    expect(evaluation.byKind.map((summary) => summary.kind)).toEqual(['keyword', 'unanswerable']);
    const [password, invoices, ferret] = evaluation.questions;
    expect(password).toMatchObject({ refused: false, citedRelevant: ['accounts.md'] });
    expect(invoices).toMatchObject({ refused: false, citedRelevant: ['billing.md'] });
    expect(password!.similarity).toBeGreaterThan(0);
    expect(ferret).toMatchObject({ refused: true, citedRelevant: [], similarity: null });
    expect(ferret!.features!.unknownShare).toBe(1);
    expect(evaluation.overall).toMatchObject({
      unanswerableRefused: 1,
      answerableRefused: 0,
      citesRelevant: 1,
      // Both answers stood on strong evidence; the one unanswerable question was refused, not answered.
      uncertain: { unanswerable: null, answerable: 0 },
    });
    expect(evaluation.questions.map((outcome) => outcome.uncertain)).toEqual([false, false, false]);
    expect((await core.listConversations({})).total).toBe(before.total);
  });

  it('prints a table per kind for people, and the misses', async () => {
    const wrong = [
      ...questions,
      {
        question: 'holograms for the zeppelin ferret?',
        kind: 'keyword',
        relevant: ['install.md'],
        answer: 'x',
      },
    ];
    const { stdout } = await run('answers', '--qa', qaFile(wrong), '--misses');
    expect(stdout).toMatch(/kind\s+questions\s+refused\s+cite a relevant page\s+similarity to reference/);
    expect(stdout).toMatch(/unanswerable\s+1\s+100%/);
    expect(stdout).toMatch(
      /Questions answered wrongly:\n {2}- \[keyword\] holograms for the zeppelin ferret\?: refused/,
    );
  });

  it('calibrates the threshold, prints the trade-off and writes it to config/local.yaml', async () => {
    const { stdout, stderr } = await run(
      'calibrate',
      '--qa',
      qaFile(questions),
      '--keep',
      '100%',
      '--fit-model',
      '--write',
    );
    expect(stdout).toMatch(/Refusal calibration on 2 answerable and 1 unanswerable questions/);
    expect(stdout).toMatch(/threshold\s+answerable answered\s+unanswerable refused/);
    expect(stdout).toMatch(
      /Chosen: threshold [\d.]+ answers 100% of the answerable questions \(target 100%\) and refuses 100%/,
    );
    expect(stderr).toMatch(/Wrote answering.refusalThreshold and answering.answerability to .*local\.yaml/);
    expect(stderr).toMatch(/Warning: the model was fitted on 2 answerable and 1 unanswerable questions/);
    const written = parse(readFileSync(path.join(rootDir, 'config/local.yaml'), 'utf8')) as {
      answering: { refusalThreshold: number; answerability: { weights: Record<string, number> } };
    };
    expect(written.answering.refusalThreshold).toBeGreaterThan(0);
    expect(Object.keys(written.answering.answerability.weights)).toContain('coverage');
    // What it wrote is a valid configuration.
    expect(loadConfig({ cwd: rootDir, env: {} }).answering.refusalThreshold).toBe(
      written.answering.refusalThreshold,
    );
    const { stdout: json } = await run('calibrate', '--qa', qaFile(questions), '--json');
    expect((JSON.parse(json) as RefusalCalibration).fitted).toBe(false);
  });

  it('says what is wrong with a bad share or a QA set without unanswerable questions', async () => {
    await expect(run('calibrate', '--qa', qaFile(questions), '--keep', '2')).rejects.toThrow(
      /--keep must be a share/,
    );
    await expect(run('calibrate', '--qa', qaFile(questions.slice(0, 2)), '--fit-model')).rejects.toThrow(
      /needs unanswerable questions/,
    );
  });
});
