import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createOpenAiFineTuner } from '../../src/core/adapters/openai/index.ts';
import { AnswerloopError } from '../../src/core/errors/index.ts';
import { silentLogger } from '../../src/core/ports/index.ts';

const api = 'https://api.openai.com';

function fineTuner(maxRetries = 0) {
  return createOpenAiFineTuner({
    apiKey: 'sk-test-key-000000000000',
    timeoutMs: 5000,
    maxRetries,
    logger: silentLogger,
  });
}

function job(status: string, extra: Record<string, unknown> = {}) {
  return {
    id: 'ftjob-abc',
    object: 'fine_tuning.job',
    created_at: 1_700_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    fine_tuned_model: null,
    organization_id: 'org-1',
    result_files: [],
    status,
    validation_file: 'file-valid',
    training_file: 'file-train',
    hyperparameters: { n_epochs: 3 },
    trained_tokens: null,
    error: null,
    finished_at: null,
    seed: 7,
    ...extra,
  };
}

function event(id: string, createdAt: number, message: string, data?: Record<string, unknown>) {
  return {
    object: 'fine_tuning.job.event',
    id,
    created_at: createdAt,
    level: 'info',
    message,
    ...(data ? { data, type: 'metrics' } : { type: 'message' }),
  };
}

async function failure(promise: Promise<unknown>): Promise<AnswerloopError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AnswerloopError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('OpenAI fine-tuner adapter (nock at the wire)', () => {
  it('uploads JSONL as a multipart file with purpose fine-tune', async () => {
    const jsonl = '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}\n';
    let body = '';
    let contentType = '';
    const scope = nock(api)
      .post('/v1/files', (sent) => {
        body = typeof sent === 'string' ? sent : JSON.stringify(sent);
        return true;
      })
      .matchHeader('content-type', (value) => {
        contentType = value;
        return true;
      })
      .reply(200, {
        id: 'file-123',
        object: 'file',
        bytes: jsonl.length,
        created_at: 1,
        filename: 'support-v1-train.jsonl',
        purpose: 'fine-tune',
        status: 'processed',
      });
    const id = await fineTuner().uploadFile('support-v1-train.jsonl', jsonl);
    expect(id).toBe('file-123');
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(body).toMatch(/name="purpose"\r\n\r\nfine-tune\r\n/);
    expect(body).toMatch(/name="file"; filename="support-v1-train.jsonl"/);
    expect(body).toContain(jsonl.trim());
    scope.done();
  });

  it('creates a job with base model, files, suffix, seed and hyperparameters', async () => {
    let sent: Record<string, unknown> = {};
    const scope = nock(api)
      .post('/v1/fine_tuning/jobs', (body) => {
        sent = body;
        return true;
      })
      .reply(200, job('validating_files'));
    const state = await fineTuner().createJob({
      baseModel: 'gpt-4o-mini-2024-07-18',
      trainingFileId: 'file-train',
      validationFileId: 'file-valid',
      suffix: 'support',
      seed: 7,
      hyperparameters: { nEpochs: 3 },
    });
    expect(sent).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      training_file: 'file-train',
      validation_file: 'file-valid',
      suffix: 'support',
      seed: 7,
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 3 } } },
    });
    expect(state).toEqual({
      id: 'ftjob-abc',
      status: 'validating_files',
      fineTunedModel: null,
      error: null,
      trainedTokens: null,
    });
    scope.done();
  });

  it('leaves out what was not given: no validation file, no suffix, automatic epochs', async () => {
    let sent: Record<string, unknown> = {};
    nock(api)
      .post('/v1/fine_tuning/jobs', (body) => {
        sent = body;
        return true;
      })
      .reply(200, job('queued'));
    await fineTuner().createJob({
      baseModel: 'gpt-4o-mini',
      trainingFileId: 'file-train',
      validationFileId: null,
      suffix: null,
      hyperparameters: { nEpochs: 'auto' },
    });
    expect(sent).toEqual({
      model: 'gpt-4o-mini',
      training_file: 'file-train',
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 'auto' } } },
    });
  });

  it('reads a succeeded job with its model, a failed one with its error, and cancels', async () => {
    nock(api)
      .get('/v1/fine_tuning/jobs/ftjob-abc')
      .reply(
        200,
        job('succeeded', {
          fine_tuned_model: 'ft:gpt-4o-mini-2024-07-18:acme:support:AbC123',
          trained_tokens: 4200,
        }),
      )
      .get('/v1/fine_tuning/jobs/ftjob-abc')
      .reply(
        200,
        job('failed', {
          error: {
            code: 'invalid_training_file',
            message: 'line 3 has no assistant message',
            param: 'training_file',
          },
        }),
      )
      .post('/v1/fine_tuning/jobs/ftjob-abc/cancel')
      .reply(200, job('cancelled'));
    expect(await fineTuner().getJob('ftjob-abc')).toEqual({
      id: 'ftjob-abc',
      status: 'succeeded',
      fineTunedModel: 'ft:gpt-4o-mini-2024-07-18:acme:support:AbC123',
      error: null,
      trainedTokens: 4200,
    });
    expect(await fineTuner().getJob('ftjob-abc')).toMatchObject({
      status: 'failed',
      error: 'invalid_training_file: line 3 has no assistant message',
    });
    expect(await fineTuner().cancelJob('ftjob-abc')).toMatchObject({ status: 'cancelled' });
  });

  it('returns events oldest first with step and losses, and only those after the last one seen', async () => {
    const events = [
      event('ev-4', 104, 'Step 2/2: training loss=0.41, validation loss=0.52', {
        step: 2,
        train_loss: 0.41,
        valid_loss: 0.52,
        total_steps: 2,
      }),
      event('ev-3', 103, 'Step 1/2: training loss=0.93', { step: 1, train_loss: 0.93, total_steps: 2 }),
      event('ev-2', 102, 'Fine-tuning job started'),
      event('ev-1', 101, 'Validating training file'),
    ];
    nock(api)
      .get('/v1/fine_tuning/jobs/ftjob-abc/events')
      .query({ limit: '100' })
      .twice()
      .reply(200, { object: 'list', data: events, has_more: false });
    const all = await fineTuner().listEvents('ftjob-abc');
    expect(all.map((entry) => entry.id)).toEqual(['ev-1', 'ev-2', 'ev-3', 'ev-4']);
    expect(all[3]).toEqual({
      id: 'ev-4',
      createdAt: new Date(104_000).toISOString(),
      level: 'info',
      message: 'Step 2/2: training loss=0.41, validation loss=0.52',
      step: 2,
      trainLoss: 0.41,
      validLoss: 0.52,
    });
    expect(all[1]).not.toHaveProperty('trainLoss');
    const after = await fineTuner().listEvents('ftjob-abc', 'ev-2');
    expect(after.map((entry) => entry.id)).toEqual(['ev-3', 'ev-4']);
  });

  it('pages back through older events until it reaches the last one seen', async () => {
    nock(api)
      .get('/v1/fine_tuning/jobs/ftjob-abc/events')
      .query({ limit: '100' })
      .reply(200, {
        object: 'list',
        data: [event('ev-9', 109, 'newest'), event('ev-8', 108, 'newer')],
        has_more: true,
      })
      .get('/v1/fine_tuning/jobs/ftjob-abc/events')
      .query({ limit: '100', after: 'ev-8' })
      .reply(200, {
        object: 'list',
        data: [event('ev-7', 107, 'new'), event('ev-6', 106, 'seen')],
        has_more: true,
      });
    const events = await fineTuner().listEvents('ftjob-abc', 'ev-6');
    expect(events.map((entry) => entry.id)).toEqual(['ev-7', 'ev-8', 'ev-9']);
  });

  it('maps errors: 429 and 5xx retryable, 400 input, 404 not found, 401 configuration', async () => {
    nock(api)
      .get('/v1/fine_tuning/jobs/ftjob-1')
      .reply(429, { error: { message: 'Rate limit reached', type: 'requests' } })
      .get('/v1/fine_tuning/jobs/ftjob-2')
      .reply(503, { error: { message: 'overloaded' } })
      .get('/v1/fine_tuning/jobs/ftjob-3')
      .reply(404, { error: { message: 'No such job', code: 'not_found' } })
      .post('/v1/fine_tuning/jobs')
      .reply(400, { error: { message: 'suffix too long', param: 'suffix', code: 'invalid_value' } })
      .post('/v1/fine_tuning/jobs/ftjob-4/cancel')
      .reply(401, { error: { message: 'Incorrect API key' } })
      .get('/v1/fine_tuning/jobs/ftjob-5')
      .reply(409, { error: { message: 'conflict' } });
    const tuner = fineTuner();
    expect(await failure(tuner.getJob('ftjob-1'))).toMatchObject({ code: 'rate_limited', isRetryable: true });
    expect(await failure(tuner.getJob('ftjob-2'))).toMatchObject({
      code: 'upstream_failed',
      isRetryable: true,
    });
    expect(await failure(tuner.getJob('ftjob-3'))).toMatchObject({ code: 'not_found', isRetryable: false });
    const invalid = await failure(
      tuner.createJob({
        baseModel: 'm',
        trainingFileId: 'f',
        validationFileId: null,
        suffix: 'x'.repeat(80),
        hyperparameters: {},
      }),
    );
    expect(invalid).toMatchObject({ code: 'input_invalid', isRetryable: false });
    expect(invalid.message).toMatch(/suffix too long/);
    expect(await failure(tuner.cancelJob('ftjob-4'))).toMatchObject({
      code: 'config_invalid',
      isRetryable: false,
    });
    expect(await failure(tuner.getJob('ftjob-5'))).toMatchObject({ isRetryable: true });
  });

  it('retries a 500 when retries are allowed, then succeeds', async () => {
    nock(api)
      .get('/v1/fine_tuning/jobs/ftjob-abc')
      .reply(500, { error: { message: 'boom' } }, { 'retry-after-ms': '1' });
    nock(api).get('/v1/fine_tuning/jobs/ftjob-abc').reply(200, job('running'));
    expect(await fineTuner(1).getJob('ftjob-abc')).toMatchObject({ status: 'running' });
  });

  it('talks to an OpenAI-compatible server at the configured base URL', async () => {
    const scope = nock('http://fine-tune.example.test')
      .get('/v1/fine_tuning/jobs/ftjob-abc')
      .reply(200, job('queued'));
    const tuner = createOpenAiFineTuner({
      apiKey: 'k',
      baseUrl: 'http://fine-tune.example.test/v1',
      timeoutMs: 5000,
      maxRetries: 0,
      logger: silentLogger,
    });
    expect(await tuner.getJob('ftjob-abc')).toMatchObject({ status: 'queued' });
    scope.done();
  });
});
