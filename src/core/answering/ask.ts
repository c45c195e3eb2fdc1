import type { Config } from '../config/index.ts';
import { AnswerloopError } from '../errors/index.ts';
import type { ChatModel, Clock, Logger, Store } from '../ports/index.ts';
import type { SearchOptions, SearchResult } from '../retrieval/index.ts';
import type { AskInput, AskOptions, AskResult } from './types.ts';

export interface AnsweringDependencies {
  config: Config;
  store: Store;
  search: (query: string, options: SearchOptions) => Promise<SearchResult>;
  /** The OpenAI chat model, when answers come from one. */
  chatModel?: () => ChatModel;
  /** The extractive answerer used offline. */
  offlineModel: ChatModel;
  activeModel: () => Promise<string>;
  logger: Logger;
  clock: Clock;
}

export interface AnsweringService {
  ask(input: AskInput, options: AskOptions): Promise<AskResult>;
}

export function createAnsweringService(_dependencies: AnsweringDependencies): AnsweringService {
  return {
    ask: async () => {
      throw new AnswerloopError('internal', 'Answering is being built.');
    },
  };
}
