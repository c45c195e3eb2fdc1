import { AnswerloopError } from '../../errors/index.ts';
import type { ChatModel, Logger } from '../../ports/index.ts';

export interface OpenAiChatModelOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;

}

export function createOpenAiChatModel(_options: OpenAiChatModelOptions): ChatModel {
  throw new AnswerloopError('internal', 'Being built.');
}
