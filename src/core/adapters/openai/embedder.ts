import { unitVector } from '../../math/vector-math.ts';
import type { Embedder, Logger } from '../../ports/index.ts';
import { createOpenAiClient, fromOpenAiError } from './openai-errors.ts';

export interface OpenAiEmbedderOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  model: string;
  dimensions: number;
  batchSize: number;
}

/** OpenAI (or any compatible server) embeddings, batched; the SDK retries 429 and 5xx with backoff. */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const client = createOpenAiClient(options);
  return {
    id: `openai:${options.model}:${options.dimensions}`,
    dimensions: options.dimensions,
    async embed(texts, embedOptions = {}) {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += options.batchSize) {
        const batch = texts.slice(start, start + options.batchSize).map((text) => text || ' ');
        try {
          // Floats, not the SDK's default base64: every OpenAI-compatible server supports them.
          const response = await client.embeddings.create({
            model: options.model,
            input: batch,
            dimensions: options.dimensions,
            encoding_format: 'float',
          });
          const ordered = [...response.data].sort((a, b) => a.index - b.index);
          for (const item of ordered) vectors.push(unitVector(item.embedding));
        } catch (error) {
          throw fromOpenAiError(error, `Embedding ${batch.length} texts with ${options.model}`);
        }
        embedOptions.onProgress?.(vectors.length, texts.length);
      }
      return vectors;
    },
  };
}
