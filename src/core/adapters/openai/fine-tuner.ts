import { AnswerloopError } from '../../errors/index.ts';
import type { FineTuner, Logger } from '../../ports/index.ts';

export interface OpenAiFineTunerOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;

}

export function createOpenAiFineTuner(_options: OpenAiFineTunerOptions): FineTuner {
  throw new AnswerloopError('internal', 'Being built.');
}
