import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkLocalModelFile,
  createLocalChatModel,
  createThreadChooser,
  type LocalChatModel,
  localModelName,
  localRuntimePackage,
} from '../../src/core/adapters/local-llm/index.ts';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { parseSufficiencyReply, sufficiencySchemas } from '../../src/core/answering/sufficiency.ts';
import { AnswerloopError, createCore, loadConfig, silentLogger } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

const root = path.resolve(import.meta.dirname, '../..');
/**
 * The plumbing model: SmolLM2-135M-Instruct Q4_1 (98 MB, loads in seconds; its words are useless), installed with
 * its runtime by `npm run model:fetch -- --llm-test`. ANSWERLOOP_TEST_LLM points at another copy.
 */
const modelPath =
  process.env.ANSWERLOOP_TEST_LLM ?? path.join(root, 'models/llm/SmolLM2-135M-Instruct.Q4_1.gguf');
const runtimeInstalled = await import(localRuntimePackage).then(
  () => true,
  () => false,
);
const modelPresent = (() => {
  try {
    checkLocalModelFile(modelPath);
    return true;
  } catch {
    return false;
  }
})();
const ready = runtimeInstalled && modelPresent;
if (!ready) {
  const missing = `${runtimeInstalled ? '' : `the ${localRuntimePackage} runtime `}${modelPresent ? '' : `the model ${modelPath}`}`;
  // CI installs both (.ci/run): there a missing one is a failure, not a skip.
  if (process.env.CI === 'true')
    throw new Error(
      `CI must install ${missing} (npm run model:fetch -- --llm-test) before the local model tests.`,
    );
  console.warn(
    `Skipping the local chat model tests: ${missing} not installed (npm run model:fetch -- --llm-test).`,
  );
}

const logger = silentLogger;
const absentPackage = 'node-llama-cpp-not-installed-here';
const name = localModelName(modelPath);
const ask = (content: string) => [
  { role: 'system' as const, content: 'You are a helpful assistant. Answer briefly.' },
  { role: 'user' as const, content },
];

describe('the local chat model: clear errors', () => {
  it('says how to get the model when the file is missing, before loading anything', async () => {
    const model = createLocalChatModel({
      modelPath: path.join(tmpdir(), 'no-such-model.gguf'),
      contextSize: 1024,
      threads: 1,
      logger,
      importRuntime: () => Promise.reject(new Error('must not be imported')),
    });
    const failure = await model
      .complete({ model: 'x', messages: ask('hi') })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AnswerloopError);
    expect(failure).toMatchObject({ code: 'model_unavailable' });
    expect((failure as Error).message).toMatch(
      /no-such-model\.gguf does not exist: run `npm run model:fetch -- --llm`/,
    );
    expect((failure as Error).message).toMatch(/answering\.local\.modelPath/);
  });

  it('says how to install the runtime when node-llama-cpp is not installed', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'answerloop-llm-')), 'model.gguf');
    writeFileSync(file, 'GGUF');
    const model = createLocalChatModel({
      modelPath: file,
      contextSize: 1024,
      threads: 1,
      logger,
      // What import() throws for a package that is not in node_modules.
      importRuntime: () => import(absentPackage),
    });
    const failure = await model.load().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'model_unavailable' });
    expect((failure as Error).message).toMatch(
      /its runtime, node-llama-cpp, is not installed: run `npm run model:fetch -- --llm`/,
    );
  });

  it('a core in local mode starts, and its first question says what is missing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-llm-'));
    const config = loadConfig({
      cwd: root,
      env: { ANSWERLOOP_DATA_DIR: dataDir, ANSWERLOOP_LOG_FILE: '' },
      overrides: { answering: { mode: 'local', local: { modelPath: path.join(dataDir, 'absent.gguf') } } },
    });
    const core = createCore({
      config,
      store: createSqliteStore({ file: ':memory:', logger }),
      embedder: createDeterministicEmbedder(),
      logger,
    });
    expect(core.answerMode).toBe('local');
    await expect(core.prepareToServe()).rejects.toThrow(
      /absent\.gguf does not exist: run `npm run model:fetch -- --llm`/,
    );
    await expect(core.checkLocalModel()).rejects.toMatchObject({ code: 'model_unavailable' });
    await core.close();
  });
});

describe('threads that adapt to the machine', () => {
  it('uses the cores other processes leave idle, at least one', () => {
    const quiet = createThreadChooser(
      2,
      () => 0.2,
      () => ({ cpuMs: 0, wallMs: 0 }),
    );
    expect(quiet()).toBe(2);
    const busy = createThreadChooser(
      2,
      () => 6,
      () => ({ cpuMs: 0, wallMs: 0 }),
    );
    expect(busy()).toBe(1);
    const half = createThreadChooser(
      4,
      () => 2.2,
      () => ({ cpuMs: 0, wallMs: 0 }),
    );
    expect(half()).toBe(2);
  });

  it("does not count this process's own work as load", () => {
    let wallMs = 0;
    let cpuMs = 0;
    const choose = createThreadChooser(
      2,
      () => 2,
      () => ({ cpuMs, wallMs }),
    );
    // The last second this process alone kept both cores busy: the machine is otherwise idle.
    wallMs += 1000;
    cpuMs += 2000;
    expect(choose()).toBe(2);
    // Then it idled while the load stayed: others are using both cores.
    wallMs += 1000;
    expect(choose()).toBe(1);
  });
});

describe.skipIf(!ready)('the local chat model: plumbing with SmolLM2-135M', { timeout: 120_000 }, () => {
  let model: LocalChatModel;

  beforeAll(async () => {
    model = createLocalChatModel({ modelPath, contextSize: 1024, threads: 0, logger });
    await model.load();
  });

  afterAll(async () => {
    await model?.close();
  });

  it('streams the answer as it grows and counts the tokens', async () => {
    const deltas: string[] = [];
    const response = await model.complete({
      model: 'ignored',
      messages: ask('Name a colour.'),
      maxTokens: 8,
      temperature: 0,
      onDelta: (delta) => deltas.push(delta),
    });
    expect(response.model).toBe(name);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(response.text);
    expect(response.usage.completionTokens).toBeGreaterThan(0);
    expect(response.usage.completionTokens).toBeLessThanOrEqual(8);
    expect(response.usage.promptTokens).toBeGreaterThan(0);
    expect(model.lastThreads).toBeGreaterThanOrEqual(1);
  });

  it('stops when the request is cancelled', async () => {
    const controller = new AbortController();
    let received = 0;
    const failure = await model
      .complete({
        model: 'ignored',
        messages: ask('Count from one to one hundred in words.'),
        maxTokens: 200,
        signal: controller.signal,
        onDelta: () => {
          received += 1;
          if (received === 2) controller.abort();
        },
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'timeout' });
    expect(received).toBeLessThan(10);
    // The model is still usable after a cancelled request.
    const next = await model.complete({ model: 'ignored', messages: ask('Say yes.'), maxTokens: 3 });
    expect(next.usage.completionTokens).toBeGreaterThan(0);
  });

  it('holds the sufficiency verdict to the JSON schema', async () => {
    const response = await model.complete({
      model: 'ignored',
      messages: ask('Do these passages say how to pay with PayPal? [1] We accept cards.'),
      maxTokens: 60,
      temperature: 0,
      responseFormat: { name: 'sufficiency', schema: sufficiencySchemas.verdict },
    });
    expect(response.text.trimStart()).toMatch(/^\{\s*"answerable"\s*:\s*(true|false)/);
    expect(parseSufficiencyReply(response.text)).not.toBeNull();
  });

  it("reads a decision's probability from the logits, whatever the model answered before", async () => {
    const decide = (question: string) =>
      model.decide!({ model: 'ignored', messages: ask(question), field: 'answerable' });
    const cards = 'Do these passages say which cards are accepted? [1] We accept Visa and Mastercard.';
    const paypal = 'Do these passages say how to pay with PayPal? [1] We accept cards.';
    const first = await decide(cards);
    expect(first.probability).toBeGreaterThan(0);
    expect(first.probability).toBeLessThan(1);
    expect(first.model).toBe(name);
    expect(first.usage.completionTokens).toBe(0);
    expect(first.usage.promptTokens).toBeGreaterThan(0);
    // Another question reads its own passages, not the previous prompt's state.
    const other = await decide(paypal);
    expect(other.probability).not.toBeCloseTo(first.probability, 6);
    // An answer written in between, or the same prompt again (its shared part reused), changes nothing.
    await model.complete({ model: 'ignored', messages: ask('Name a colour.'), maxTokens: 8 });
    expect((await decide(cards)).probability).toBeCloseTo(first.probability, 6);
    expect((await decide(cards)).probability).toBeCloseTo(first.probability, 6);
    expect((await decide(paypal)).probability).toBeCloseTo(other.probability, 6);
    await expect(decide('word '.repeat(2000))).rejects.toMatchObject({ code: 'context_too_long' });
  });

  it('says the prompt is too long for its context, so ask() can shorten it', async () => {
    await expect(
      model.complete({ model: 'ignored', messages: ask('word '.repeat(2000)), maxTokens: 8 }),
    ).rejects.toMatchObject({ code: 'context_too_long' });
  });

  it('says a corrupt model file cannot be loaded, and how to get a good one', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'answerloop-llm-')), 'corrupt.gguf');
    writeFileSync(file, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(4096, 7)]));
    const corrupt = createLocalChatModel({ modelPath: file, contextSize: 1024, threads: 1, logger });
    const failure = await corrupt.load().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'model_unavailable' });
    expect((failure as Error).message).toMatch(/could not be loaded as a GGUF model .*incomplete or corrupt/);
  });

  it('answers through ask(): the sufficiency check and the answer come from the local model, recorded', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-llm-'));
    const config = loadConfig({
      cwd: root,
      env: { ANSWERLOOP_DATA_DIR: dataDir, ANSWERLOOP_LOG_FILE: '' },
      overrides: {
        answering: {
          mode: 'local',
          stream: true,
          contextTokens: 300,
          local: { modelPath, contextSize: 1024, maxAnswerTokens: 12 },
          sufficiency: { enabled: 'on', low: 0, high: 1, contextTokens: 200 },
        },
      },
    });
    const core = createCore({
      config,
      store: createSqliteStore({ file: ':memory:', logger }),
      embedder: createDeterministicEmbedder(),
      logger,
    });
    try {
      await core.prepareToServe();
      await core.ingest([path.join(root, 'test/fixtures/answering-docs')]);
      let streamed = '';
      const result = await core.ask(
        { question: 'How do I reset my password?', context: { platform: 'cli' } },
        { onDelta: (_delta, soFar) => (streamed = soFar) },
      );
      expect(result.sufficiency).toMatchObject({ gate: 'grey', model: name });
      expect(typeof result.sufficiency?.sufficient).toBe('boolean');
      if (result.sufficiency?.decision === 'answer') {
        expect(result.model).toBe(name);
        expect(result.extractive).toBe(false);
        expect(streamed.length).toBeGreaterThan(0);
        for (const number of result.citations) expect(number).toBeLessThanOrEqual(result.sources.length);
      } else {
        expect(result.refused).toBe(true);
      }
      const record = await core.getConversation(result.conversationId);
      expect(record?.sufficiency).toEqual(result.sufficiency);
      const check = await core.checkLocalModel();
      expect(check.model).toBe(name);
    } finally {
      await core.close();
    }
  }, 300_000);
});
