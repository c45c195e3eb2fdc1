import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnswerloopError } from '../../errors/index.ts';
import type {
  ChatMessage,
  ChatModel,
  ChatResponse,
  DecisionRequest,
  DecisionResponse,
  Logger,
} from '../../ports/index.ts';

/**
 * A GGUF instruction model run in this process through node-llama-cpp (llama.cpp's prebuilt CPU binaries): no
 * server, no key. The runtime is not a dependency of the default install (it adds ~725 MB); `npm run model:fetch --
 * --llm` installs it and fetches the model, so it is imported dynamically and typed here by what we use of it.
 */
export interface LocalChatModelOptions {
  /** The GGUF file. */
  modelPath: string;
  /** Tokens of prompt and answer the model holds at once. */
  contextSize: number;
  /** Threads that evaluate tokens; 0 adapts to the cores other processes leave idle, per request. */
  threads: number;
  logger: Logger;
  /** Loads the runtime (tests give a missing one); default: import('node-llama-cpp'). */
  importRuntime?: () => Promise<unknown>;
}

/** What answerloop uses of node-llama-cpp 3.x. */
interface LlamaRuntime {
  getLlama(options: { gpu: false; build: 'never'; logLevel?: string; maxThreads?: number }): Promise<Llama>;
  LlamaChatSession: new (options: {
    contextSequence: LlamaSequence;
    systemPrompt?: string;
    autoDisposeSequence?: boolean;
  }) => LlamaSession;
}
interface Llama {
  maxThreads: number;
  loadModel(options: { modelPath: string }): Promise<LlamaModel>;
  createGrammarForJsonSchema(schema: unknown): Promise<unknown>;
}
interface LlamaModel {
  createContext(options: {
    contextSize: number;
    threads: { ideal: number; min: number };
  }): Promise<LlamaContext>;
  tokenize(text: string): Token[];
  readonly tokenizer: unknown;
  dispose(): Promise<void>;
}
interface LlamaContext {
  getSequence(): LlamaSequence;
  dispose(): Promise<void>;
}
type Token = number;
interface LlamaSequence {
  tokenMeter: { usedInputTokens: number; usedOutputTokens: number };
  readonly nextTokenIndex: number;
  adaptStateToTokens(tokens: Token[], allowShift?: boolean): Promise<void>;
  evaluateWithoutGeneratingNewTokens(tokens: Token[]): Promise<void>;
  controlledEvaluate(
    input: Array<Token | [Token, { generateNext: { logits: { filter: { tokens: Token[] } } } }]>,
  ): Promise<Array<undefined | { next?: { logits?: Map<Token, number> } }>>;
}
interface LlamaChatWrapper {
  generateContextState(options: { chatHistory: HistoryItem[] }): {
    contextText: { tokenize(tokenizer: unknown): Token[] };
  };
}
type HistoryItem =
  { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };
interface LlamaSession {
  readonly chatWrapper: LlamaChatWrapper;
  setChatHistory(history: HistoryItem[]): void;
  prompt(
    text: string,
    options: {
      onTextChunk?: (text: string) => void;
      signal?: AbortSignal;
      maxTokens?: number;
      temperature?: number;
      grammar?: unknown;
    },
  ): Promise<string>;
  dispose(options: { disposeSequence: boolean }): void;
}

export const localRuntimePackage = 'node-llama-cpp';
const fetchHint =
  'run `npm run model:fetch -- --llm` (installs the runtime and fetches Qwen2.5-Coder-1.5B-Instruct)';

/** The model's name in answers and records: `local:<file name without .gguf>`. */
export function localModelName(modelPath: string): string {
  return `local:${path.basename(modelPath).replace(/\.gguf$/i, '')}`;
}

/**
 * Threads for the next request: the cores other processes leave idle, at least one. On two cores under load two
 * threads contend with the others and collapse (under 1 token/s) while one thread keeps going (~9 tokens/s). The
 * 1-minute load average includes this process's own work, so its CPU use since the last request is taken off.
 */
export function createThreadChooser(
  cpus: number = os.availableParallelism(),
  loadAverage: () => number = () => os.loadavg()[0] ?? 0,
  ownCpu: () => { cpuMs: number; wallMs: number } = processCpu,
): () => number {
  let last = ownCpu();
  return () => {
    const now = ownCpu();
    const wall = now.wallMs - last.wallMs;
    const own = wall > 0 ? Math.max(0, (now.cpuMs - last.cpuMs) / wall) : 0;
    last = now;
    const others = Math.max(0, loadAverage() - own);
    return Math.max(1, Math.min(cpus, Math.round(cpus - others)));
  };
}

function processCpu(): { cpuMs: number; wallMs: number } {
  const usage = process.cpuUsage();
  return { cpuMs: (usage.user + usage.system) / 1000, wallMs: performance.now() };
}

/** Fails fast, before anything loads, when the model file is missing: says how to get one. */
export function checkLocalModelFile(modelPath: string): void {
  if (!modelPath || !existsSync(modelPath) || !statSync(modelPath).isFile())
    throw new AnswerloopError(
      'model_unavailable',
      `answering.mode is local but the model file ${modelPath || '(answering.local.modelPath is empty)'} does not exist: ${fetchHint}, or set answering.local.modelPath to a GGUF instruction model you have.`,
    );
}

async function importRuntime(): Promise<unknown> {
  // A variable, so neither TypeScript nor a bundler needs the package to be installed.
  const name = localRuntimePackage;
  return import(name);
}

function isModuleMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The conversation before the last user message, as node-llama-cpp's chat history. */
function toHistory(messages: ChatMessage[]): { history: HistoryItem[]; prompt: string } {
  const last = messages.at(-1);
  if (!last || last.role !== 'user')
    throw new AnswerloopError(
      'input_invalid',
      'The local model needs a conversation that ends with a user message.',
    );
  const history = messages
    .slice(0, -1)
    .map((message): HistoryItem =>
      message.role === 'assistant'
        ? { type: 'model', response: [message.content] }
        : { type: message.role, text: message.content },
    );
  return { history, prompt: last.content };
}

/** A failed request as an AnswerloopError: cancelled (timeout) or failed in the runtime (upstream_failed). */
function modelFailure(error: unknown, signal: AbortSignal | undefined): AnswerloopError {
  if (signal?.aborted)
    return new AnswerloopError('timeout', 'The local model stopped: the request was cancelled.', {
      cause: error,
    });
  return new AnswerloopError('upstream_failed', `The local model failed: ${(error as Error).message}`, {
    cause: error,
  });
}

export interface LocalChatModel extends ChatModel {
  readonly modelPath: string;
  /** Loads the runtime and the model now (else on the first request); throws what the first request would. */
  load(): Promise<void>;
  /** Threads the last request used. */
  readonly lastThreads: number;
  close(): Promise<void>;
}

export function createLocalChatModel(options: LocalChatModelOptions): LocalChatModel {
  const name = localModelName(options.modelPath);
  const chooseThreads = options.threads > 0 ? () => options.threads : createThreadChooser();
  let loaded:
    | Promise<{
        runtime: LlamaRuntime;
        llama: Llama;
        model: LlamaModel;
        context: LlamaContext;
        sequence: LlamaSequence;
        chatWrapper: LlamaChatWrapper;
        /** The tokens of " true" and " false", when each is one token. */
        booleans: { yes: Token; no: Token } | undefined;
      }>
    | undefined;
  const grammars = new Map<string, Promise<unknown>>();
  // One sequence answers one request at a time; the next waits (and reuses the cached system prompt).
  let queue: Promise<unknown> = Promise.resolve();
  let lastThreads = 0;

  async function load() {
    checkLocalModelFile(options.modelPath);
    let runtime: LlamaRuntime;
    try {
      runtime = (await (options.importRuntime ?? importRuntime)()) as LlamaRuntime;
    } catch (error) {
      throw new AnswerloopError(
        'model_unavailable',
        isModuleMissing(error)
          ? `answering.mode is local but its runtime, ${localRuntimePackage}, is not installed: ${fetchHint}, or set answering.mode: offline.`
          : `The local model runtime ${localRuntimePackage} could not be loaded on this machine (${(error as Error).message}): reinstall it with npm run model:fetch -- --llm, or set answering.mode: offline.`,
        { cause: error },
      );
    }
    const started = performance.now();
    const llama = await runtime.getLlama({ gpu: false, build: 'never', logLevel: 'error' });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath });
    } catch (error) {
      throw new AnswerloopError(
        'model_unavailable',
        `The local model file ${options.modelPath} could not be loaded as a GGUF model (${(error as Error).message}): it may be incomplete or corrupt; ${fetchHint} again, or point answering.local.modelPath at another GGUF file.`,
        { cause: error },
      );
    }
    const cpus = os.availableParallelism();
    const context = await model.createContext({
      contextSize: options.contextSize,
      threads: { ideal: cpus, min: 1 },
    });
    options.logger.info(
      { model: name, contextSize: options.contextSize, loadMs: Math.round(performance.now() - started) },
      'local chat model loaded',
    );
    const sequence = context.getSequence();
    // The chat template, read once: decide() renders prompts with it.
    const probe = new runtime.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
    const chatWrapper = probe.chatWrapper;
    probe.dispose({ disposeSequence: false });
    const [yes] = model.tokenize(' true');
    const [no] = model.tokenize(' false');
    const booleans = yes !== undefined && no !== undefined && yes !== no ? { yes, no } : undefined;
    return { runtime, llama, model, context, sequence, chatWrapper, booleans };
  }

  function ensureLoaded() {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  }

  async function run(request: Parameters<ChatModel['complete']>[0]): Promise<ChatResponse> {
    const started = performance.now();
    const { runtime, llama, model, sequence } = await ensureLoaded();
    const { history, prompt } = toHistory(request.messages);
    const maxTokens = request.maxTokens ?? 512;
    const promptTokens = request.messages.reduce(
      (sum, message) => sum + model.tokenize(message.content).length + 8,
      0,
    );
    if (promptTokens + maxTokens > options.contextSize)
      throw new AnswerloopError(
        'context_too_long',
        `The prompt (${promptTokens} tokens) and answer (${maxTokens}) exceed the local model's context of ${options.contextSize} tokens (answering.local.contextSize).`,
        { details: { promptTokens, contextSize: options.contextSize } },
      );
    let grammar: unknown;
    if (request.responseFormat) {
      const { name: key, schema } = request.responseFormat;
      if (!grammars.has(key)) grammars.set(key, llama.createGrammarForJsonSchema(schema));
      grammar = await grammars.get(key);
    }
    lastThreads = chooseThreads();
    llama.maxThreads = lastThreads;
    const before = {
      usedInputTokens: sequence.tokenMeter.usedInputTokens,
      usedOutputTokens: sequence.tokenMeter.usedOutputTokens,
    };
    const session = new runtime.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      session.setChatHistory(history);
      let text: string;
      try {
        text = await session.prompt(prompt, {
          maxTokens,
          temperature: request.temperature ?? 0,
          ...(request.onDelta ? { onTextChunk: request.onDelta } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          ...(grammar ? { grammar } : {}),
        });
      } catch (error) {
        throw modelFailure(error, request.signal);
      }
      const input = sequence.tokenMeter.usedInputTokens - before.usedInputTokens;
      const output = sequence.tokenMeter.usedOutputTokens - before.usedOutputTokens;
      return {
        text,
        model: name,
        usage: { promptTokens: input, completionTokens: output, totalTokens: input + output },
        modelMs: performance.now() - started,
      };
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }

  /**
   * The probability of `true` in `{"<field>":`: the conversation is rendered with the model's chat template, the
   * reply's opening written for it, and the next-token logits of " true" and " false" compared. One forward pass over
   * the prompt (the part shared with the previous request is reused), no token generated.
   */
  async function decide(request: DecisionRequest): Promise<DecisionResponse> {
    const started = performance.now();
    const { llama, model, sequence, chatWrapper, booleans } = await ensureLoaded();
    const { history, prompt } = toHistory(request.messages);
    const tokens = chatWrapper
      .generateContextState({
        chatHistory: [
          ...history,
          { type: 'user', text: prompt },
          { type: 'model', response: [`{"${request.field}":`] },
        ],
      })
      .contextText.tokenize(model.tokenizer);
    if (tokens.length + 1 > options.contextSize)
      throw new AnswerloopError(
        'context_too_long',
        `The prompt (${tokens.length} tokens) exceeds the local model's context of ${options.contextSize} tokens (answering.local.contextSize).`,
        { details: { promptTokens: tokens.length, contextSize: options.contextSize } },
      );
    if (!booleans)
      throw new AnswerloopError(
        'upstream_failed',
        'The local model has no single tokens for true and false.',
      );
    const { yes, no } = booleans;
    lastThreads = chooseThreads();
    llama.maxThreads = lastThreads;
    const before = sequence.tokenMeter.usedInputTokens;
    try {
      const last = tokens.pop()!;
      await sequence.adaptStateToTokens(tokens, false);
      request.signal?.throwIfAborted();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(sequence.nextTokenIndex));
      request.signal?.throwIfAborted();
      const results = await sequence.controlledEvaluate([
        [last, { generateNext: { logits: { filter: { tokens: [yes, no] } } } }],
      ]);
      const logits = results.at(-1)?.next?.logits;
      const yesLogit = logits?.get(yes);
      const noLogit = logits?.get(no);
      if (yesLogit === undefined || noLogit === undefined)
        throw new Error('the model returned no logits for true and false');
      const input = sequence.tokenMeter.usedInputTokens - before;
      return {
        probability: 1 / (1 + Math.exp(noLogit - yesLogit)),
        model: name,
        usage: { promptTokens: input, completionTokens: 0, totalTokens: input },
        modelMs: performance.now() - started,
      };
    } catch (error) {
      throw modelFailure(error, request.signal);
    }
  }

  return {
    modelPath: options.modelPath,
    complete(request) {
      const result = queue.then(() => run(request));
      queue = result.catch(() => undefined);
      return result;
    },
    decide(request) {
      const result = queue.then(() => decide(request));
      queue = result.catch(() => undefined);
      return result;
    },
    async load() {
      await ensureLoaded();
    },
    get lastThreads() {
      return lastThreads;
    },
    async close() {
      const current = loaded;
      loaded = undefined;
      if (!current) return;
      const resources = await current.catch(() => undefined);
      await resources?.context.dispose();
      await resources?.model.dispose();
    },
  };
}
