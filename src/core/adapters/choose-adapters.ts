/**
 * Which adapter the configuration picks for each port: the store, the embedder, and the OpenAI chat model and
 * fine-tuner (made on first use, so a core without a key still starts). create-core.ts is its only importer.
 */
import path from 'node:path';
import type { Config } from '../config/index.ts';
import { resolveConfigPath } from '../config/index.ts';
import { AnswerloopError } from '../errors/index.ts';
import type { ChatModel, Embedder, FineTuner, Logger, Store } from '../ports/index.ts';
import { createElasticsearchStore } from './elasticsearch/index.ts';
import { createLocalEmbedder } from './local-embedder/index.ts';
import { createLocalChatModel, type LocalChatModel } from './local-llm/index.ts';
import { createOpenAiChatModel, createOpenAiEmbedder, createOpenAiFineTuner } from './openai/index.ts';
import { createSqliteStore } from './sqlite/index.ts';

export function openStore(config: Config, logger: Logger): Store {
  if (config.store.kind === 'elasticsearch') {
    const settings = config.store.elasticsearch;
    return createElasticsearchStore({
      url: settings.url,
      apiKey: config.secrets.elasticsearchApiKey,
      username: config.secrets.elasticsearchUsername,
      password: config.secrets.elasticsearchPassword,
      caFingerprint: settings.caFingerprint || undefined,
      indexPrefix: settings.indexPrefix,
      analyzer: settings.analyzer,
      requestTimeoutMs: settings.requestTimeoutMs,
      maxRetries: settings.maxRetries,
      bulkSize: settings.bulkSize,
      fieldScoring: settings.fieldScoring,
      logger: logger.child({ component: 'elasticsearch' }),
    });
  }
  return createSqliteStore({
    file: path.join(resolveConfigPath(config, config.dataDir), config.store.embedded.file),
    logger: logger.child({ component: 'sqlite' }),
  });
}

export function openEmbedder(config: Config, logger: Logger): Embedder {
  if (config.embedder.kind === 'openai') {
    if (!config.secrets.openaiApiKey) {
      throw new AnswerloopError(
        'config_invalid',
        'embedder.kind is openai but OPENAI_API_KEY is not set: set it, or use embedder.kind: local.',
      );
    }
    return createOpenAiEmbedder({
      apiKey: config.secrets.openaiApiKey,
      baseUrl: config.openai.baseUrl || undefined,
      model: config.embedder.openai.model,
      dimensions: config.embedder.openai.dimensions,
      batchSize: config.embedder.openai.batchSize,
      timeoutMs: config.openai.timeoutMs,
      maxRetries: config.openai.maxRetries,
      logger: logger.child({ component: 'openai-embedder' }),
    });
  }
  const local = config.embedder.local;
  return createLocalEmbedder({
    model: local.model,
    modelDir: resolveConfigPath(config, local.modelDir),
    allowRemote: local.allowRemote,
    dtype: local.dtype,
    dimensions: local.dimensions,
    logger: logger.child({ component: 'local-embedder' }),
  });
}

/**
 * 'local' or 'offline' when configured so; 'openai' when answers come from OpenAI's chat model (configured, or a
 * key or a model given); else 'offline'.
 */
export function chooseAnswerMode(config: Config, chatModelGiven: boolean): 'openai' | 'local' | 'offline' {
  const available = Boolean(config.secrets.openaiApiKey);
  if (config.answering.mode === 'openai' && !available && !chatModelGiven) {
    throw new AnswerloopError(
      'config_invalid',
      'answering.mode is openai but OPENAI_API_KEY is not set: set it, or use answering.mode: auto.',
    );
  }
  if (config.answering.mode === 'offline' || config.answering.mode === 'local') return config.answering.mode;
  return config.answering.mode === 'openai' || available || chatModelGiven ? 'openai' : 'offline';
}

function requireOpenAi(config: Config, what: string): { apiKey: string; baseUrl?: string } {
  if (!config.secrets.openaiApiKey) {
    throw new AnswerloopError(
      'config_invalid',
      `${what} needs OpenAI: set OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server).`,
    );
  }
  return { apiKey: config.secrets.openaiApiKey, baseUrl: config.openai.baseUrl || undefined };
}

/** The chat model and fine-tuner, each made on first use unless given; a missing key fails only then. */
export function lazyOpenAi(
  config: Config,
  logger: Logger,
  given: { chatModel?: ChatModel; fineTuner?: FineTuner },
): { chatModel: () => ChatModel; fineTuner: () => FineTuner } {
  let chatModel = given.chatModel;
  let fineTuner = given.fineTuner;
  const common = { timeoutMs: config.openai.timeoutMs, maxRetries: config.openai.maxRetries };
  return {
    chatModel: () =>
      (chatModel ??= createOpenAiChatModel({
        ...requireOpenAi(config, 'A chat model'),
        ...common,
        logger: logger.child({ component: 'openai-chat' }),
      })),
    fineTuner: () =>
      (fineTuner ??= createOpenAiFineTuner({
        ...requireOpenAi(config, 'Fine-tuning'),
        ...common,
        logger: logger.child({ component: 'openai-fine-tuning' }),
      })),
  };
}

/** answering.mode local: the GGUF model in process (loaded on first use, or by prepareToServe). */
export function openLocalModel(config: Config, logger: Logger): LocalChatModel {
  return createLocalChatModel({
    ...config.answering.local,
    modelPath: resolveConfigPath(config, config.answering.local.modelPath),
    logger: logger.child({ component: 'local-model' }),
  });
}
