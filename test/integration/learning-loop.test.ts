import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { parseAnswerPrompt } from '../../src/core/answering/prompt.ts';
import { type Core, createCore, loadConfig, silentLogger, type Store } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  fineTuningEvent,
  fineTuningJobBody,
  openAiApi,
  simulateFineTuningJob,
  topicConversations,
} from '../support/learning-loop-fixtures.ts';

const candidateModel = 'ft:gpt-4o-mini-2024-07-18:acme:support:Zx9';
const corrected = 'Open Settings > Security, click Reset password and follow the emailed link [1].';

/** Chat completions as OpenAI answers them: the candidate learned the reviewed answers, the base model refuses. */
function answerChat(references: Map<string, string>) {
  return nock(openAiApi)
    .persist()
    .post('/v1/chat/completions')
    .reply((_uri, body) => {
      const request = body as { model: string; messages: Array<{ role: string; content: string }> };
      const question = parseAnswerPrompt(request.messages.at(-1)?.content ?? '').question;
      const text =
        request.model === candidateModel ? (references.get(question) ?? "I don't know.") : "I don't know.";
      return [
        200,
        {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: request.model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        },
      ];
    });
}

describe('the learning loop, from a not-helpful answer to a promoted model and back', () => {
  let dataDir: string;
  let store: Store;
  let core: Core;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-loop-'));
    const config = loadConfig({
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: {
        OPENAI_API_KEY: 'sk-test-key-000000000000',
        ANSWERLOOP_DATA_DIR: dataDir,
        ANSWERLOOP_LOG_FILE: '',
      },
      overrides: { openai: { maxRetries: 0 }, training: { pollSeconds: 0.001 } },
    });
    store = createSqliteStore({ file: path.join(dataDir, 'answerloop.db'), logger: silentLogger });
    core = createCore({ config, store, embedder: createDeterministicEmbedder(), logger: silentLogger });
    // Conversations as the bots record them (ask() writes the same records).
    for (const record of topicConversations(20)) await store.saveConversation(record);
  });

  afterAll(async () => {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('corrects, snapshots, validates, exports, trains, evaluates, promotes and rolls back', async () => {
    // Review: the not-helpful answers come first; the operator corrects one and approves the rest.
    const queue = await core.curation.listReviewQueue({ feedback: 'not_helpful' });
    expect(queue.items[0]?.feedback?.helpful).toBe(false);
    const target = queue.items.find((item) => item.id === 'conv-01')!;
    const correction = await core.curation.correct({
      conversationId: target.id,
      reviewer: 'maria',
      answer: corrected,
    });
    expect(correction.example?.messages).toEqual([
      ...target.promptMessages,
      { role: 'assistant', content: corrected },
    ]);
    for (const record of topicConversations(20).slice(1))
      await core.curation.approve({ conversationId: record.id, reviewer: 'maria' });

    // Dataset: an immutable version, valid, exportable in every format.
    const snapshot = await core.curation.snapshot({ createdBy: 'maria' });
    expect(snapshot.reference).toBe('support@1');
    const validation = await core.curation.validateVersion('support@1');
    expect(validation).toMatchObject({ valid: true, validExamples: 20 });
    expect(validation.warnings.map((warning) => warning.rule)).toContain('few_examples');
    const held = snapshot.version.examples.filter((example) => example.split === 'validation');
    expect(held.length).toBeGreaterThan(0);
    for (const format of ['openai', 'sharegpt', 'alpaca'] as const) {
      const exported = await core.curation.exportVersion({ reference: 'support@1', format });
      expect(exported.counts).toEqual({ train: 20 - held.length, validation: held.length });
    }
    const openAiExport = await core.curation.exportVersion({ reference: 'support@1', format: 'openai' });
    expect(openAiExport.train + openAiExport.validation).toContain(JSON.stringify(corrected));

    // Fine-tuning against the OpenAI API (nock): upload, job, watch until the model exists.
    const uploads: string[] = [];
    nock(openAiApi)
      .post('/v1/files', (body) => {
        uploads.push(String(body));
        return true;
      })
      .times(2)
      .reply(() => [
        200,
        {
          id: `file-${uploads.length}`,
          object: 'file',
          bytes: 1,
          created_at: 1,
          filename: 'f.jsonl',
          purpose: 'fine-tune',
          status: 'processed',
        },
      ])
      .post('/v1/fine_tuning/jobs')
      .reply(200, fineTuningJobBody('ftjob-loop', 'queued'));
    const job = await core.training.startTraining({ dataset: 'support@1' });
    expect(uploads.every((upload) => /name="purpose"\r\n\r\nfine-tune/.test(upload))).toBe(true);
    simulateFineTuningJob({
      jobId: 'ftjob-loop',
      statuses: [
        {
          status: 'running',
          events: [
            fineTuningEvent('e1', 1, 'Step 1/2: training loss=0.9', {
              step: 1,
              train_loss: 0.9,
              valid_loss: 1.0,
            }),
          ],
        },
        {
          status: 'succeeded',
          events: [fineTuningEvent('e2', 2, 'The job has successfully completed')],
          extra: { fine_tuned_model: candidateModel },
        },
      ],
    });
    const finished = await core.training.watchJob(job.id);
    expect(finished).toMatchObject({ status: 'succeeded', fineTunedModel: candidateModel });
    expect((await core.training.listModels()).models).toEqual([
      expect.objectContaining({ name: candidateModel, status: 'candidate', datasetVersion: 'support@1' }),
    ]);

    // Evaluation on the held-out examples, with the same prompts for the candidate and the active model.
    const references = new Map(
      held.map((example) => [
        parseAnswerPrompt(example.messages[1]!.content).question,
        example.messages.at(-1)!.content,
      ]),
    );
    answerChat(references);
    const evaluation = await core.training.evaluateCandidate({ candidate: candidateModel });
    expect(evaluation).toMatchObject({
      candidate: candidateModel,
      baseline: 'gpt-4o-mini-2024-07-18',
      examples: held.length,
      winRate: 1,
    });

    // Promotion: answers switch to the candidate; rollback returns to the base model.
    await core.training.promote({ model: candidateModel, by: 'maria' });
    expect(await core.training.activeModel()).toBe(candidateModel);
    expect(await core.training.rollback({ by: 'maria' })).toEqual({
      from: candidateModel,
      to: 'gpt-4o-mini-2024-07-18',
    });
    expect(await core.training.activeModel()).toBe('gpt-4o-mini-2024-07-18');
  });

  it('flags examples stale when a cited document changes, so the next snapshot leaves them out', async () => {
    expect(await core.curation.flagStale(['docs/password.md'])).toEqual({
      conversations: 1,
      examples: 1,
      verifiedAnswers: 0,
    });
    const next = await core.curation.snapshot({ createdBy: 'maria' });
    expect(next.reference).toBe('support@2');
    expect(next.report.staleExcluded).toEqual(['support:conv-01']);
  });
});
