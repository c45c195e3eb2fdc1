import { AnswerloopError } from '../../errors/index.ts';
import type { ChatModel } from '../../ports/index.ts';

export function createExtractiveChatModel(): ChatModel {
  return {
    complete: async () => {
      throw new AnswerloopError('internal', 'The extractive answerer is being built.');
    },
  };
}
