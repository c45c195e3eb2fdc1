import type { ChatModel, ChatRequest, ChatResponse } from '../../src/core/ports/index.ts';

/** A chat model that records every request and answers from a script: a fixed text, a function, or an error. */
export interface RecordingChatModel extends ChatModel {
  readonly requests: ChatRequest[];
}

export function createRecordingChatModel(
  reply: string | Error | ((request: ChatRequest) => string | Error),
): RecordingChatModel {
  const requests: ChatRequest[] = [];
  return {
    requests,
    complete(request): Promise<ChatResponse> {
      requests.push(request);
      const outcome = typeof reply === 'function' ? reply(request) : reply;
      if (outcome instanceof Error) return Promise.reject(outcome);
      const promptTokens = request.messages.reduce((sum, message) => sum + message.content.length, 0);
      return Promise.resolve({
        text: outcome,
        model: request.model,
        usage: { promptTokens, completionTokens: outcome.length, totalTokens: promptTokens + outcome.length },
        modelMs: 0,
      });
    },
  };
}
