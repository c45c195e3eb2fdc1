import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { parseAnswerPrompt } from '../../src/core/answering/prompt.ts';
import { createCurationService } from '../../src/core/curation/index.ts';
import { type Core, createCore, loadConfig, silentLogger, type Store } from '../../src/core/index.ts';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { registerDataset } from '../../src/cli/dataset.ts';
import { registerEval } from '../../src/cli/eval.ts';
import { registerModels } from '../../src/cli/models.ts';
import { registerReview } from '../../src/cli/review.ts';
import { registerTrain } from '../../src/cli/train.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  fineTuningEvent,
  fineTuningJobBody,
  openAiApi,
  conversationRecord,
  silentRecord,
  simulateFineTuningJob,
  topicConversations,
} from '../support/learning-loop-fixtures.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const candidateModel = 'ft:gpt-4o-mini-2024-07-18:acme:support:Cli1';
const correction = 'Open Settings > Security, click Reset password and follow the emailed link [1].';

/** Runs one CLI command in this process, on a fresh commander program, and returns what it printed. */
async function runCli(context: CliContext, args: string[]): Promise<string> {
  const program = new Command('answerloop').exitOverride();
  for (const register of [registerReview, registerDataset, registerTrain, registerEval, registerModels])
    register(program, context);
  let output = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    write.mockRestore();
  }
  return output;
}

const json = <T = Record<string, unknown>>(text: string): T => JSON.parse(text) as T;

describe('the learning loop from the CLI, in process (nock for OpenAI)', () => {
  let dataDir: string;
  let store: Store;
  let core: Core;
  let context: CliContext;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-cli-'));
    const config = loadConfig({
      cwd: repositoryRoot,
      env: {
        OPENAI_API_KEY: 'sk-test-key-000000000000',
        ANSWERLOOP_DATA_DIR: dataDir,
        ANSWERLOOP_LOG_FILE: '',
      },
      overrides: { openai: { maxRetries: 0 } },
    });
    store = createSqliteStore({ file: path.join(dataDir, 'answerloop.db'), logger: silentLogger });
    core = createCore({ config, store, embedder: createDeterministicEmbedder(), logger: silentLogger });
    context = { config: () => config, core: () => core, close: async () => {} };
    for (const record of topicConversations(20)) await store.saveConversation(record);
  });

  afterAll(async () => {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    process.exitCode = undefined;
  });

  it('corrects, snapshots, validates, exports, trains, evaluates, promotes and rolls back', async () => {
    const queue = json<{ items: Array<{ id: string; feedback: { helpful: boolean } | null }> }>(
      await runCli(context, ['review', 'list', '--feedback', 'not_helpful', '--json']),
    );
    expect(queue.items.map((item) => item.id)).toContain('conv-01');
    const shown = await runCli(context, ['review', 'show', 'conv-01']);
    expect(shown).toMatch(/Diagnosis hint: /);

    const corrected = json<{ conversation: { reviewStatus: string; reviewer: string } }>(
      await runCli(context, [
        'review',
        'correct',
        'conv-01',
        '--answer',
        correction,
        '--by',
        'maria',
        '--json',
      ]),
    );
    expect(corrected.conversation).toMatchObject({ reviewStatus: 'corrected', reviewer: 'maria' });
    for (const record of topicConversations(20).slice(1))
      await runCli(context, ['review', 'approve', record.id, '--by', 'maria']);

    const snapshot = json<{ reference: string; created: boolean }>(
      await runCli(context, ['dataset', 'snapshot', '--by', 'maria', '--json']),
    );
    expect(snapshot).toMatchObject({ reference: 'support@1', created: true });
    expect(json(await runCli(context, ['dataset', 'validate', 'support@1', '--json']))).toMatchObject({
      valid: true,
    });
    expect(process.exitCode).toBeUndefined();

    const exportDir = path.join(dataDir, 'export');
    const exported = json<{
      files: { train: string; validation: string };
      counts: { train: number; validation: number };
    }>(
      await runCli(context, [
        'dataset',
        'export',
        'support@1',
        '--format',
        'alpaca',
        '--out',
        exportDir,
        '--json',
      ]),
    );
    const alpaca =
      readFileSync(exported.files.train, 'utf8') + readFileSync(exported.files.validation, 'utf8');
    expect(alpaca.trim().split('\n')).toHaveLength(20);
    expect(alpaca).toContain(JSON.stringify(correction));
    expect(Object.keys(JSON.parse(alpaca.split('\n')[0]!))).toEqual(['instruction', 'input', 'output']);

    let jobBody: Record<string, unknown> = {};
    nock(openAiApi)
      .post('/v1/files')
      .times(2)
      .reply(200, {
        id: 'file-1',
        object: 'file',
        bytes: 1,
        created_at: 1,
        filename: 'f.jsonl',
        purpose: 'fine-tune',
        status: 'processed',
      })
      .post('/v1/fine_tuning/jobs', (body) => {
        jobBody = body;
        return true;
      })
      .reply(200, fineTuningJobBody('ftjob-cli', 'queued'));
    const job = json<{ id: string }>(
      await runCli(context, [
        'train',
        'start',
        '--dataset',
        'support@1',
        '--epochs',
        '2',
        '--suffix',
        'helpdesk',
        '--json',
      ]),
    );
    expect(job.id).toBe('ftjob-cli');
    expect(jobBody).toMatchObject({
      suffix: 'helpdesk',
      method: { supervised: { hyperparameters: { n_epochs: 2 } } },
    });

    simulateFineTuningJob({
      jobId: 'ftjob-cli',
      statuses: [
        {
          status: 'running',
          events: [fineTuningEvent('e1', 1, 'Step 1/2', { step: 1, train_loss: 0.8, valid_loss: 0.9 })],
        },
        {
          status: 'succeeded',
          events: [fineTuningEvent('e2', 2, 'done')],
          extra: { fine_tuned_model: candidateModel },
        },
      ],
    });
    const updates = (await runCli(context, ['train', 'watch', 'ftjob-cli', '--interval', '0', '--json']))
      .trim()
      .split('\n')
      .map((line) => json(line));
    expect(updates.map((update) => update.status)).toEqual(['running', 'succeeded']);
    expect(updates[0]?.latestLoss).toEqual({ step: 1, trainLoss: 0.8, validLoss: 0.9 });
    expect(updates[1]?.candidate).toBe(candidateModel);

    const version = await core.curation.getVersion('support@1');
    const references = new Map(
      version.version.examples.map((example) => [
        parseAnswerPrompt(example.messages[1]!.content).question,
        example.messages.at(-1)!.content,
      ]),
    );
    nock(openAiApi)
      .persist()
      .post('/v1/chat/completions')
      .reply((_uri, body) => {
        const request = body as { model: string; messages: Array<{ content: string }> };
        const text =
          request.model === candidateModel
            ? (references.get(parseAnswerPrompt(request.messages.at(-1)!.content).question) ?? '')
            : "I don't know.";
        return [
          200,
          {
            id: 'c',
            object: 'chat.completion',
            created: 1,
            model: request.model,
            choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          },
        ];
      });
    const evaluation = json<{ winRate: number; examples: number }>(
      await runCli(context, ['eval', '--candidate', candidateModel, '--json']),
    );
    expect(evaluation).toMatchObject({ winRate: 1, examples: version.validationExamples });
    const table = await runCli(context, ['eval', '--candidate', candidateModel, '--width', '120']);
    expect(table).toMatch(/Win rate of ft:.*: 100%/);

    expect(json(await runCli(context, ['models', 'promote', candidateModel, '--json']))).toMatchObject({
      changed: true,
      active: { name: candidateModel, status: 'active' },
    });
    expect(json(await runCli(context, ['models', 'list', '--json']))).toMatchObject({
      active: candidateModel,
    });
    expect(json(await runCli(context, ['models', 'rollback', '--json']))).toEqual({
      from: candidateModel,
      to: 'gpt-4o-mini-2024-07-18',
    });
    expect(await runCli(context, ['models', 'list'])).toMatch(
      /Answers come from gpt-4o-mini-2024-07-18 \(the base model\)/,
    );
  });

  it('shows a question the bot stayed silent on for what it is: no answer, "silent" in the list', async () => {
    await store.saveConversation(
      silentRecord({
        id: 'silent-01',
        question: 'Does anyone know if exports include archived projects?',
        createdAt: '2026-12-01T09:00:00.000Z',
      }),
    );
    await store.saveConversation(
      conversationRecord({
        id: 'refused-01',
        question: 'Is there a Linux build?',
        answer: "I don't know.",
        createdAt: '2026-12-01T09:05:00.000Z',
        overrides: { route: 'refused', refused: true, confidence: 0.1 },
      }),
    );
    const list = await runCli(context, ['review', 'list', '--silent']);
    expect(list).toMatch(/silent-01 .* silent +Does anyone know if exports.* \(said nothing: not asked\)/);
    const ids = async (...flags: string[]) =>
      JSON.parse(await runCli(context, ['review', 'list', ...flags, '--json'])).items.map(
        (item: { id: string }) => item.id,
      );
    // One meaning of what the bot did, as the dashboard's outcome filter: a silent question is no refusal.
    expect(await ids('--silent')).toEqual(['silent-01']);
    expect(await ids('--refused')).toEqual(['refused-01']);
    expect(await ids('--answered')).not.toContain('silent-01');
    expect(await ids('--answered')).not.toContain('refused-01');
    await expect(runCli(context, ['review', 'list', '--refused', '--silent'])).rejects.toMatchObject({
      code: 'input_invalid',
      message: expect.stringMatching(/--refused and --silent exclude each other/),
    });
    const shown = await runCli(context, ['review', 'show', 'silent-01']);
    expect(shown).toMatch(/Answer: none\. Nobody asked the bot here and it was not sure enough to answer/);
    expect(shown).not.toMatch(/Answer \(refused\)/);
  });

  it('exits non-zero when validation fails, and reports errors as typed errors', async () => {
    await store.saveConversation(topicConversations(1, 'small')[0]!);
    await runCli(context, ['review', 'approve', 'small-01', '--dataset', 'tiny']);
    await runCli(context, ['dataset', 'snapshot', 'tiny']);
    expect(await runCli(context, ['dataset', 'validate', 'tiny'])).toMatch(/error \[too_few_examples\]/);
    expect(process.exitCode).toBe(1);
    await expect(runCli(context, ['train', 'start', '--dataset', 'tiny@1'])).rejects.toMatchObject({
      code: 'dataset_invalid',
    });
    await expect(runCli(context, ['review', 'list', '--feedback', 'grumpy'])).rejects.toMatchObject({
      code: 'input_invalid',
    });
  });
});

/** The few OpenAI endpoints the training commands use, on a local port, as a compatible server would serve them. */
function startFakeOpenAi(): Promise<{
  server: Server;
  url: string;
  requests: Array<{ method: string; path: string; body: string }>;
}> {
  const requests: Array<{ method: string; path: string; body: string }> = [];
  let polls = 0;
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk) => (body += String(chunk)));
      request.on('end', () => resolve(body));
    });
  const server = createServer((request, response) => {
    void read(request).then((body) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      requests.push({ method: request.method ?? '', path: url.pathname, body });
      const reply = (value: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (url.pathname === '/v1/files')
        return reply({
          id: `file-${requests.length}`,
          object: 'file',
          bytes: body.length,
          created_at: 1,
          filename: 'f.jsonl',
          purpose: 'fine-tune',
          status: 'processed',
        });
      if (url.pathname === '/v1/fine_tuning/jobs') return reply(fineTuningJobBody('ftjob-proc', 'queued'));
      if (url.pathname === '/v1/fine_tuning/jobs/ftjob-proc') {
        polls += 1;
        return reply(
          polls < 2
            ? fineTuningJobBody('ftjob-proc', 'running')
            : fineTuningJobBody('ftjob-proc', 'succeeded', { fine_tuned_model: candidateModel }),
        );
      }
      if (url.pathname === '/v1/fine_tuning/jobs/ftjob-proc/events') {
        const events = [fineTuningEvent('p1', 1, 'Step 1/1', { step: 1, train_loss: 0.5, valid_loss: 0.6 })];
        if (polls >= 2) events.unshift(fineTuningEvent('p2', 2, 'done'));
        return reply({ object: 'list', data: events, has_more: false });
      }
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `no route ${url.pathname}` } }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests }),
    ),
  );
}

describe('the answerloop binary against a local OpenAI-compatible server', () => {
  it(
    'corrects, snapshots, starts training and watches it to a candidate, with --json',
    { timeout: 90_000 },
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-bin-'));
      const fake = await startFakeOpenAi();
      try {
        // Conversations and approvals as the bots and operators left them; the binary opens the same file.
        const config = loadConfig({ cwd: repositoryRoot, env: { ANSWERLOOP_DATA_DIR: dataDir } });
        const store = createSqliteStore({ file: path.join(dataDir, 'answerloop.db'), logger: silentLogger });
        const curation = createCurationService({
          config,
          store,
          logger: silentLogger,
          clock: { now: () => new Date(), sleep: async () => {} },
        });
        for (const record of topicConversations(20)) await store.saveConversation(record);
        for (const record of topicConversations(20).slice(1))
          await curation.approve({ conversationId: record.id, reviewer: 'maria' });
        await store.close();

        const env = {
          ...process.env,
          ANSWERLOOP_DATA_DIR: dataDir,
          ANSWERLOOP_LOG_FILE: '',
          ANSWERLOOP_LOG_LEVEL: 'warn',
          // The embedder is not used by these commands; an OpenAI one costs nothing to construct.
          ANSWERLOOP_EMBEDDER__KIND: 'openai',
          OPENAI_API_KEY: 'sk-test-key-000000000000',
          OPENAI_BASE_URL: fake.url,
          ANSWERLOOP_OPENAI__MAX_RETRIES: '0',
        };
        const cli = async (...args: string[]) =>
          json(
            (
              await promisify(execFile)(process.execPath, ['bin/answerloop.js', ...args, '--json'], {
                cwd: repositoryRoot,
                env,
              })
            ).stdout,
          );

        expect(
          await cli('review', 'correct', 'conv-01', '--answer', correction, '--by', 'maria'),
        ).toMatchObject({ conversation: { reviewStatus: 'corrected' } });
        expect(await cli('dataset', 'snapshot', '--by', 'maria')).toMatchObject({
          reference: 'support@1',
          created: true,
          report: { validation: { valid: true } },
        });
        expect(await cli('train', 'start', '--dataset', 'support@1')).toMatchObject({
          id: 'ftjob-proc',
          datasetVersion: 'support@1',
        });
        const uploads = fake.requests.filter((request) => request.path === '/v1/files');
        expect(uploads).toHaveLength(2);
        expect(uploads[0]?.body).toContain(JSON.stringify(correction).slice(1, -1));
        expect(
          json(fake.requests.find((request) => request.path === '/v1/fine_tuning/jobs')!.body),
        ).toMatchObject({ training_file: 'file-1', validation_file: 'file-2', suffix: 'support' });

        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['bin/answerloop.js', 'train', 'watch', 'ftjob-proc', '--interval', '0', '--json'],
          { cwd: repositoryRoot, env },
        );
        const updates = stdout
          .trim()
          .split('\n')
          .map((line) => json(line));
        expect(updates.map((update) => update.status)).toEqual(['running', 'succeeded']);
        expect(updates.at(-1)).toMatchObject({ candidate: candidateModel, fineTunedModel: candidateModel });
      } finally {
        fake.server.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
