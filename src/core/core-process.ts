/** The process members of Core: health checks of each adapter, the metrics page, start and stop. */
import type { CoreProcess } from './core.ts';
import { AnswerloopError } from './errors/index.ts';
import type { ChatModel, Embedder, Store } from './ports/index.ts';

/** A chat model run in this process (answering.mode local). */
export interface InProcessChatModel extends ChatModel {
  /** Loads the runtime and the model now (else on the first request); throws what the first request would. */
  load(): Promise<void>;
  /** Threads the last request used. */
  readonly lastThreads: number;
  close(): Promise<void>;
}

export interface CoreProcessDependencies extends Pick<
  CoreProcess,
  'config' | 'logger' | 'answerMode' | 'metrics'
> {
  /** The bare store, for health and closing. */
  bareStore: Pick<Store, 'health' | 'close'>;
  /** The store that opens itself on first use, for serving. */
  store: Pick<Store, 'prepare'>;
  embedder: Pick<Embedder, 'close'>;
  /** The OpenAI chat model, made on first use. */
  chatModel: () => ChatModel;
  local?: { model: InProcessChatModel; name: string };
  activeModel: () => Promise<string>;
  showActiveModel: (model: string) => void;
  /** Brings the resolution gauges up to date. */
  showResolution: () => Promise<void>;
}

export function createCoreProcess(dependencies: CoreProcessDependencies): CoreProcess {
  const { config, logger, answerMode, metrics, bareStore, store, embedder, local } = dependencies;
  return {
    ...{ config, logger, answerMode, metrics },
    storeHealth: () => bareStore.health(),
    async checkOpenAi() {
      const model = await dependencies.activeModel();
      const response = await dependencies.chatModel().complete({
        model,
        messages: [{ role: 'user', content: 'Reply with OK.' }],
        maxTokens: 1,
      });
      return { model: response.model, ms: Math.round(response.modelMs) };
    },
    async checkLocalModel() {
      if (!local)
        throw new AnswerloopError(
          'config_invalid',
          'answering.mode is not local: there is no local model to check.',
        );
      const started = performance.now();
      const response = await local.model.complete({
        model: local.name,
        messages: [{ role: 'user', content: 'Reply with the word ready.' }],
        maxTokens: 3,
        temperature: 0,
      });
      return {
        model: response.model,
        ms: Math.round(performance.now() - started),
        threads: local.model.lastThreads,
      };
    },
    async renderMetrics() {
      await dependencies.showResolution();
      if (answerMode === 'openai') {
        try {
          dependencies.showActiveModel(await dependencies.activeModel());
        } catch (error) {
          logger.warn({ err: error }, 'could not read the active model for the metrics');
        }
      }
      return metrics.render();
    },
    async prepareToServe() {
      // A missing runtime or model file stops the start with what to do, not the first question.
      await local?.model.load();
      await store.prepare();
    },
    async close() {
      await local?.model.close();
      await embedder.close?.();
      await bareStore.close();
    },
  };
}
