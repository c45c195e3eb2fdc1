import { AnswerloopError } from '../../errors/index.ts';
import type { Embedder, Logger } from '../../ports/index.ts';

export interface LocalEmbedderOptions {
  model: string;
  /** Absolute folder holding `<model>/`. */
  modelDir: string;
  allowRemote: boolean;
  dtype: 'q8' | 'fp32';
  dimensions: number;
  logger: Logger;
}

export function createLocalEmbedder(_options: LocalEmbedderOptions): Embedder {
  throw new AnswerloopError('internal', 'The local embedder is being built.');
}
