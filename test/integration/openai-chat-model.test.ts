import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createOpenAiChatModel } from '../../src/core/adapters/openai/index.ts';
import { AnswerloopError, silentLogger } from '../../src/core/index.ts';

const api = 'https://api.openai.com';
const messages = [{ role: 'user' as const, content: 'Hi' }];

function completion(text: string, model = 'gpt-4o-mini-2024-07-18') {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
  };
}

function model(options: { timeoutMs?: number; maxRetries?: number } = {}) {
  return createOpenAiChatModel({
    apiKey: 'sk-test-key-000000000000',
    timeoutMs: options.timeoutMs ?? 5000,
    maxRetries: options.maxRetries ?? 2,
    logger: silentLogger,
  });
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

describe('OpenAI chat model adapter (nock at the wire)', () => {
  it('sends the model and messages and returns text and usage', async () => {
    let body: Record<string, unknown> = {};
    const scope = nock(api)
      .post('/v1/chat/completions', (sent) => {
        body = sent;
        return true;
      })
      .matchHeader('authorization', 'Bearer sk-test-key-000000000000')
      .reply(200, completion('Hello [1]'));
    const response = await model().complete({
      model: 'ft:gpt-4o-mini:acme::x1',
      messages,
      temperature: 0.2,
      maxTokens: 50,
    });
    expect(body).toMatchObject({
      model: 'ft:gpt-4o-mini:acme::x1',
      messages,
      temperature: 0.2,
      max_completion_tokens: 50,
    });
    expect(response).toMatchObject({
      text: 'Hello [1]',
      usage: { promptTokens: 11, completionTokens: 3, totalTokens: 14 },
    });
    scope.done();
  });

  it('streams deltas and collects usage from the last chunk', async () => {
    const chunk = (content: string | null, usage?: object) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: content === null ? [] : [{ index: 0, delta: { content } }], ...(usage ? { usage } : {}) })}\n\n`;
    const sse =
      chunk('Reset ') +
      chunk('it [1].') +
      chunk(null, { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 }) +
      'data: [DONE]\n\n';
    let body: Record<string, unknown> = {};
    nock(api)
      .post('/v1/chat/completions', (sent) => {
        body = sent;
        return true;
      })
      .reply(200, sse, { 'content-type': 'text/event-stream' });
    const deltas: string[] = [];
    const response = await model().complete({
      model: 'gpt-x',
      messages,
      onDelta: (delta) => deltas.push(delta),
    });
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(deltas).toEqual(['Reset ', 'it [1].']);
    expect(response.text).toBe('Reset it [1].');
    expect(response.usage.totalTokens).toBe(9);
  });

  it('retries a 429 after its Retry-After and a 500, then succeeds', async () => {
    const sentAt: number[] = [];
    const scope = nock(api)
      .post('/v1/chat/completions')
      .reply(() => {
        sentAt.push(Date.now());
        // One second: longer than the client's own first backoff (at most half a second), so waiting it shows.
        return [429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'retry-after': '1' }];
      })
      .post('/v1/chat/completions')
      .reply(() => {
        sentAt.push(Date.now());
        return [500, { error: { message: 'boom' } }, { 'retry-after-ms': '10' }];
      })
      .post('/v1/chat/completions')
      .reply(() => {
        sentAt.push(Date.now());
        return [200, completion('ok')];
      });
    const response = await model({ maxRetries: 2 }).complete({ model: 'gpt-x', messages });
    expect(response.text).toBe('ok');
    expect(sentAt).toHaveLength(3);
    expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(990);
    scope.done();
  });

  it('gives up after the retries with a retryable rate_limited error', async () => {
    let requests = 0;
    nock(api)
      .post('/v1/chat/completions')
      .times(3)
      .reply(() => {
        requests += 1;
        return [429, { error: { message: 'Rate limit reached' } }, { 'retry-after-ms': '5' }];
      });
    const error = await failure(model({ maxRetries: 1 }).complete({ model: 'gpt-x', messages }));
    expect(error.code).toBe('rate_limited');
    expect(error.isRetryable).toBe(true);
    // The first request and one retry: maxRetries is honoured.
    expect(requests).toBe(2);
  });

  it('maps a missing model, an over-long prompt and a bad key to typed errors', async () => {
    nock(api)
      .post('/v1/chat/completions')
      .reply(404, { error: { message: 'The model ft:x does not exist', code: 'model_not_found' } });
    expect((await failure(model().complete({ model: 'ft:x', messages }))).code).toBe('model_unavailable');
    nock(api)
      .post('/v1/chat/completions')
      .reply(400, {
        error: {
          message: "This model's maximum context length is 128000 tokens",
          code: 'context_length_exceeded',
        },
      });
    expect((await failure(model().complete({ model: 'gpt-x', messages }))).code).toBe('context_too_long');
    nock(api)
      .post('/v1/chat/completions')
      .reply(401, { error: { message: 'Incorrect API key provided' } });
    const unauthorised = await failure(model().complete({ model: 'gpt-x', messages }));
    expect(unauthorised.code).toBe('config_invalid');
    expect(unauthorised.message).not.toContain('sk-test');
  });

  it('times out a slow answer instead of hanging', async () => {
    nock(api).post('/v1/chat/completions').delay(2000).reply(200, completion('late'));
    const error = await failure(
      model({ timeoutMs: 200, maxRetries: 0 }).complete({ model: 'gpt-x', messages }),
    );
    expect(error.code).toBe('timeout');
    expect(error.isRetryable).toBe(true);
  });

  it('reads a decision from the log probabilities of the boolean it writes', async () => {
    let body: Record<string, unknown> = {};
    const token = (text: string, logprob = -0.0001) => ({
      token: text,
      logprob,
      bytes: [],
      top_logprobs: [],
    });
    const reply = {
      ...completion('{"answerable":false}'),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: '{"answerable":false}', refusal: null },
          logprobs: {
            content: [
              token('{"'),
              token('answer'),
              token('able'),
              token('":'),
              {
                token: 'false',
                logprob: -0.3567,
                bytes: [],
                top_logprobs: [
                  { token: 'false', logprob: -0.3567, bytes: [] },
                  { token: 'true', logprob: -1.204, bytes: [] },
                  { token: ' false', logprob: -6.2, bytes: [] },
                ],
              },
              token('}'),
            ],
            refusal: null,
          },
          finish_reason: 'stop',
        },
      ],
    };
    nock(api)
      .post('/v1/chat/completions', (sent) => {
        body = sent;
        return true;
      })
      .reply(200, reply);
    const decided = await model().decide!({ model: 'gpt-4o-mini', messages, field: 'answerable' });
    expect(body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0,
      logprobs: true,
      top_logprobs: 5,
      response_format: {
        type: 'json_schema',
        json_schema: {
          strict: true,
          schema: { properties: { answerable: { type: 'boolean' } }, required: ['answerable'] },
        },
      },
    });
    // exp(-1.204) against exp(-0.3567) + exp(-6.2): 0.300 against 0.702.
    expect(decided.probability).toBeCloseTo(0.2995, 3);
    expect(decided.model).toBe('gpt-4o-mini-2024-07-18');
    expect(decided.usage.totalTokens).toBe(14);
  });

  it('says plainly when a model gives no log probabilities to decide with', async () => {
    nock(api).post('/v1/chat/completions').reply(200, completion('{"answerable":true}'));
    const error = await failure(model().decide!({ model: 'o4-mini', messages, field: 'answerable' }));
    expect(error.code).toBe('upstream_failed');
    expect(error.message).toMatch(/no log probabilities .*use the verdict judge/);
  });
});
