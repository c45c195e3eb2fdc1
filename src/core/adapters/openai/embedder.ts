import { AnswerloopError } from '../../errors/index.ts';
import type { Embedder, Logger } from '../../ports/index.ts';

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

export function createOpenAiEmbedder(_options: OpenAiEmbedderOptions): Embedder {
  throw new AnswerloopError('internal', 'Being built.');
}
