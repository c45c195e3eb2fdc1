import { env, type FeatureExtractionPipeline, pipeline } from '@huggingface/transformers';
import { AnswerloopError } from '../../errors/index.ts';
import type { Embedder, Logger } from '../../ports/index.ts';
import { type LocalModelDtype, localModelStatus, missingModelAdvice } from './local-model-files.ts';

export { localModelStatus, type LocalModelStatus } from './local-model-files.ts';

export interface LocalEmbedderOptions {
  model: string;
  /** Absolute folder holding `<model>/`. */
  modelDir: string;
  allowRemote: boolean;
  dtype: LocalModelDtype;
  dimensions: number;
  logger: Logger;
  /** Texts per forward pass (default 16). */
  batchSize?: number;
}

/**
 * An in-process sentence-embedding model (ONNX through @huggingface/transformers and onnxruntime-node):
 * mean-pooled, unit-length vectors, no network once the model is in `modelDir`. The model loads on the
 * first embed, once, however many calls arrive together.
 */
export function createLocalEmbedder(options: LocalEmbedderOptions): Embedder {
  const { model, modelDir, allowRemote, dtype, dimensions, logger } = options;
  const batchSize = Math.max(1, options.batchSize ?? 16);
  let loading: Promise<FeatureExtractionPipeline> | undefined;
  // One forward pass at a time: onnxruntime already uses every core for one, and parallel passes only add memory.
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<FeatureExtractionPipeline> {
    const status = localModelStatus({ model, modelDir, dtype });
    if (!status.present && !allowRemote) {
      throw new AnswerloopError('embedder_failed', missingModelAdvice(status, dtype), { details: { folder: status.folder, missing: status.missing } });
    }
    // transformers.js keeps these settings process-wide; every local embedder sets them the same way before loading.
    env.localModelPath = modelDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = allowRemote;
    // A downloaded model is saved where the local lookup finds it next time.
    env.cacheDir = modelDir;
    const started = performance.now();
    const source = status.present ? model : status.hubRepository;
    try {
      const extractor = await pipeline('feature-extraction', source, { dtype });
      logger.info({ model: source, dtype, ms: Math.round(performance.now() - started), downloaded: !status.present }, 'local embedding model loaded');
      return extractor;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AnswerloopError('embedder_failed', `${missingModelAdvice(status, dtype)} Loading it failed: ${reason}`, {
        cause: error,
        details: { folder: status.folder, source },
      });
    }
  }

  function extractor(): Promise<FeatureExtractionPipeline> {
    loading ??= load().catch((error: unknown) => {
      // Let a later call try again (the operator may have fetched the model meanwhile).
      loading = undefined;
      throw error;
    });
    return loading;
  }

  async function embedBatch(run: FeatureExtractionPipeline, texts: string[]): Promise<number[][]> {
    const output = await run(texts, { pooling: 'mean', normalize: true });
    const vectors = output.tolist() as number[][];
    output.dispose();
    const produced = vectors[0]?.length ?? dimensions;
    if (produced !== dimensions) {
      throw new AnswerloopError(
        'embedder_failed',
        `The local model ${model} produces ${produced}-dimension vectors but embedder.local.dimensions is ${dimensions}: set it to ${produced}.`,
      );
    }
    return vectors;
  }

  return {
    id: `local:${model}:${dtype}`,
    dimensions,
    async embed(texts, embedOptions) {
      if (texts.length === 0) return [];
      const run = await extractor();
      const work = queue.then(async () => {
        const vectors: number[][] = [];
        for (let start = 0; start < texts.length; start += batchSize) {
          try {
            vectors.push(...(await embedBatch(run, texts.slice(start, start + batchSize))));
          } catch (error) {
            if (error instanceof AnswerloopError) throw error;
            throw new AnswerloopError('embedder_failed', `The local model ${model} failed to embed: ${error instanceof Error ? error.message : String(error)}`, {
              cause: error,
            });
          }
          embedOptions?.onProgress?.(vectors.length, texts.length);
        }
        return vectors;
      });
      queue = work.catch(() => undefined);
      return work;
    },
    async close() {
      const pending = loading;
      loading = undefined;
      if (!pending) return;
      const run = await pending.catch(() => undefined);
      await run?.dispose();
    },
  };
}
