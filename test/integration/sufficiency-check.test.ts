import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { type Core, createCore, loadConfig, silentLogger, type Store } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const root = path.resolve(import.meta.dirname, '../..');
const docs = path.join(root, 'test/fixtures/answering-docs');
const api = 'https://api.openai.com';
const reply = (name: string): object =>
  JSON.parse(readFileSync(path.join(root, 'test/fixtures/openai-replies', `${name}.json`), 'utf8')) as object;

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  temperature?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  response_format?: { type: string; json_schema: { name: string; strict: boolean; schema: object } };
}

/** Serves the replies in order and records the request bodies. */
function openAi(replies: Array<{ status: number; body: object }>) {
  const requests: ChatBody[] = [];
  const scope = nock(api);
  for (const { status, body } of replies)
    scope
      .post('/v1/chat/completions', (request: ChatBody) => {
        requests.push(request);
        return true;
      })
      .reply(status, body);
  return { requests, scope };
}

describe('the sufficiency check with OpenAI (recorded replies)', () => {
  let store: Store;
  const cores: Core[] = [];

  // uncertainBelow 1: every answer is on weak evidence unless the model read the passages and said they answer it.
  async function core(
    band: { low: number; high: number; judge?: 'decision' | 'verdict' },
    refusalThreshold = 0.24,
  ): Promise<Core> {
    const config = loadConfig({
      cwd: root,
      env: {
        ANSWERLOOP_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'answerloop-sufficiency-')),
        ANSWERLOOP_LOG_FILE: '',
        OPENAI_API_KEY: 'sk-test-0000000000000000000000',
      },
      overrides: {
        openai: { maxRetries: 0, timeoutMs: 2000 },
        answering: {
          stream: false,
          refusalThreshold,
          uncertainBelow: 1,
          sufficiency: { enabled: 'auto', ...band },
        },
      },
    });
    const created = createCore({
      config,
      store,
      embedder: createDeterministicEmbedder(),
      logger: silentLogger,
    });
    cores.push(created);
    return created;
  }

  beforeAll(async () => {
    store = createSqliteStore({ file: ':memory:', logger: silentLogger });
    const offline = createCore({
      config: loadConfig({
        cwd: root,
        env: {
          ANSWERLOOP_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'answerloop-sufficiency-')),
          ANSWERLOOP_LOG_FILE: '',
        },
        overrides: { answering: { mode: 'offline' } },
      }),
      store,
      embedder: createDeterministicEmbedder(),
      logger: silentLogger,
    });
    await offline.ingest([docs]);
  });

  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });

  afterAll(async () => {
    await store.close();
  });

  it('verdict: refuses in the grey band when the model finds the passages insufficient, and records why', async () => {
    const { requests } = openAi([{ status: 200, body: reply('sufficiency-unanswerable') }]);
    const bot = await core({ low: 0, high: 1, judge: 'verdict' });
    const result = await bot.ask({
      question: 'Can I pay for my subscription with PayPal?',
      context: { platform: 'slack', channel: 'C1', userId: 'U1' },
    });
    expect(result.refused).toBe(true);
    expect(result.route).toBe('refused');
    expect(result.answer).toMatch(/^I don't know\./);
    expect(result.sufficiency).toMatchObject({
      gate: 'grey',
      sufficient: false,
      reason: 'The passages cover card billing and invoices, not PayPal.',
      model: 'gpt-4o-mini-2024-07-18',
      decision: 'refuse',
    });
    // One call: the check. No answer was generated.
    expect(requests).toHaveLength(1);
    const check = requests[0]!;
    expect(check.model).toBe('gpt-4o-mini-2024-07-18');
    expect(check.temperature).toBe(0);
    expect(check.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'sufficiency',
        strict: true,
        schema: { required: ['answerable', 'reason'], additionalProperties: false },
      },
    });
    expect(check.messages[0]?.content).toMatch(/answerable is true only when/);
    expect(check.messages[1]?.content).toMatch(/^Passages:\n\[1\] /);
    expect(check.messages[1]?.content).toMatch(/Question: Can I pay for my subscription with PayPal\?$/);
    const record = await bot.getConversation(result.conversationId);
    expect(record?.refused).toBe(true);
    expect(record?.sufficiency).toEqual(result.sufficiency);
  });

  it('verdict: answers in the grey band when the model finds the passages sufficient', async () => {
    const { requests } = openAi([
      { status: 200, body: reply('sufficiency-answerable') },
      { status: 200, body: reply('answer-reset-password') },
    ]);
    const bot = await core({ low: 0, high: 1, judge: 'verdict' });
    const result = await bot.ask({
      question: 'Can I change the email on my account?',
      context: { platform: 'slack', channel: 'C1', userId: 'U1' },
    });
    expect(result.refused).toBe(false);
    expect(result.answer).toMatch(/Send reset link.*\[1\]/);
    expect(result.citations).toEqual([1]);
    expect(result.confidence).toBeLessThan(1);
    expect(result.sufficiency).toMatchObject({ gate: 'grey', sufficient: true, decision: 'answer' });
    // The model read the passages and said they answer it: no "I am not sure" beside the answer.
    expect(result.uncertain).toBeUndefined();
    expect(requests).toHaveLength(2);
    expect(requests[1]?.response_format).toBeUndefined();
    expect(requests[1]?.messages[0]?.content).toMatch(/Answer the question using only the numbered sources/);
  });

  it('decision (the default): the probability of yes from the log probabilities, held to yesAbove', async () => {
    // 0.55: the model would have written "true", but under yesAbove (0.6) the bot refuses.
    const { requests } = openAi([{ status: 200, body: reply('decision-doubtful') }]);
    const bot = await core({ low: 0, high: 1 });
    const result = await bot.ask({
      question: 'Can I pay for my subscription with PayPal?',
      context: { platform: 'slack', channel: 'C1', userId: 'U1' },
    });
    expect(result.refused).toBe(true);
    expect(result.sufficiency).toMatchObject({
      gate: 'grey',
      sufficient: false,
      model: 'gpt-4o-mini-2024-07-18',
      decision: 'refuse',
    });
    expect(result.sufficiency?.probability).toBeCloseTo(0.55, 3);
    expect(result.sufficiency?.reason).toBe("the model's probability of yes: 0.55");
    expect(requests).toHaveLength(1);
    const check = requests[0]!;
    expect(check).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      temperature: 0,
      logprobs: true,
      top_logprobs: 5,
    });
    expect(check.response_format?.json_schema.schema).toEqual({
      type: 'object',
      properties: { answerable: { type: 'boolean' } },
      required: ['answerable'],
      additionalProperties: false,
    });
    // The verdict's prompt, read as a probability.
    expect(check.messages[0]?.content).toMatch(/answerable is true only when/);
    expect(check.messages[1]?.content).toMatch(/Question: Can I pay for my subscription with PayPal\?$/);
    const record = await bot.getConversation(result.conversationId);
    expect(record?.sufficiency).toEqual(result.sufficiency);

    openAi([
      { status: 200, body: reply('decision-answerable') },
      { status: 200, body: reply('answer-reset-password') },
    ]);
    const answered = await bot.ask({
      question: 'Can I change the email on my account?',
      context: { platform: 'slack', channel: 'C1', userId: 'U1' },
    });
    expect(answered.refused).toBe(false);
    expect(answered.sufficiency).toMatchObject({ gate: 'grey', sufficient: true, decision: 'answer' });
    expect(answered.sufficiency?.probability).toBeCloseTo(0.91, 3);
    expect(answered.uncertain).toBeUndefined();
  });

  it('asks nothing outside the band: answers above high, refuses below low', async () => {
    const { requests } = openAi([{ status: 200, body: reply('answer-reset-password') }]);
    const confident = await core({ low: 0, high: 0 });
    const answered = await confident.ask({
      question: 'How do I reset my password?',
      context: { platform: 'slack', channel: 'C1' },
    });
    expect(answered.refused).toBe(false);
    expect(answered.sufficiency).toMatchObject({
      gate: 'above',
      sufficient: null,
      model: '',
      decision: 'answer',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.response_format).toBeUndefined();

    const doubtful = await core({ low: 1, high: 1 });
    const refused = await doubtful.ask({
      question: 'Can I pay for my subscription with PayPal?',
      context: { platform: 'slack', channel: 'C1' },
    });
    expect(refused.confidence).toBeLessThan(1);
    expect(refused.refused).toBe(true);
    expect(refused.sufficiency).toMatchObject({ gate: 'below', sufficient: null, decision: 'refuse' });
    expect(refused.sufficiency?.reason).toMatch(/refused without asking the model/);
    expect(requests).toHaveLength(1);
  });

  it('falls back to the answerability score when the check fails', async () => {
    const failure = {
      error: { message: 'The server had an error', type: 'server_error', param: null, code: null },
    };
    const { requests } = openAi([
      { status: 500, body: failure },
      { status: 200, body: reply('answer-reset-password') },
    ]);
    const bot = await core({ low: 0, high: 1 }, 0);
    const result = await bot.ask({
      question: 'Can I change the email on my account?',
      context: { platform: 'slack', channel: 'C1' },
    });
    expect(result.refused).toBe(false);
    expect(result.confidence).toBeLessThan(1);
    expect(result.sufficiency).toMatchObject({ gate: 'grey', sufficient: null, decision: 'answer' });
    expect(result.sufficiency?.reason).toMatch(/the check failed \(upstream_failed\)/);
    // No model confirmed it: the answer says it may not answer the question.
    expect(result.uncertain).toBe(true);
    expect(requests).toHaveLength(2);
  });
});
