// Review queue, datasets, scrubbing, validation and export. (Being built.)
import type { Config } from '../config/index.ts';
import type { Clock, Embedder, Logger, Store } from '../ports/index.ts';

export interface CurationDependencies {
  config: Config;
  store: Store;
  embedder: Embedder;
  logger: Logger;
  clock: Clock;
}

export interface CurationService {
  /** Flags conversations and examples that cite these documents as stale. */
  flagStale(docIds: string[]): Promise<{ conversations: number; examples: number }>;
}

export function createCurationService(dependencies: CurationDependencies): CurationService {
  void dependencies;
  return { flagStale: async () => ({ conversations: 0, examples: 0 }) };
}
