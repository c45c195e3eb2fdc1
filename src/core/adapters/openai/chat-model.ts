import type { ChatModel, ChatResponse, Logger } from '../../ports/index.ts';
import { createOpenAiClient, fromOpenAiError } from './openai-errors.ts';

export interface OpenAiChatModelOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
}

/** Chat Completions through the openai SDK, streamed when the caller wants the text as it grows. */
export function createOpenAiChatModel(options: OpenAiChatModelOptions): ChatModel {
  const client = createOpenAiClient(options);
  return {
    async complete(request): Promise<ChatResponse> {
      const started = performance.now();
      const body = {
        model: request.model,
        messages: request.messages,
        temperature: request.temperature,
        max_completion_tokens: request.maxTokens,
        ...(request.responseFormat
          ? {
              response_format: {
                type: 'json_schema' as const,
                json_schema: {
                  name: request.responseFormat.name,
                  schema: request.responseFormat.schema,
                  strict: true,
                },
              },
            }
          : {}),
      };
      try {
        if (!request.onDelta) {
          const completion = await client.chat.completions.create(body, { signal: request.signal });
          const usage = completion.usage;
          return {
            text: completion.choices[0]?.message.content ?? '',
            model: completion.model,
            usage: {
              promptTokens: usage?.prompt_tokens ?? 0,
              completionTokens: usage?.completion_tokens ?? 0,
              totalTokens: usage?.total_tokens ?? 0,
            },
            modelMs: performance.now() - started,
          };
        }
        const stream = await client.chat.completions.create(
          { ...body, stream: true, stream_options: { include_usage: true } },
          { signal: request.signal },
        );
        let text = '';
        let model = request.model;
        let usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
        for await (const chunk of stream) {
          model = chunk.model || model;
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) {
            text += delta;
            request.onDelta(delta);
          }
          if (chunk.usage) {
            usage = {
              promptTokens: chunk.usage.prompt_tokens,
              completionTokens: chunk.usage.completion_tokens,
              totalTokens: chunk.usage.total_tokens,
            };
          }
        }
        return { text, model, usage, modelMs: performance.now() - started };
      } catch (error) {
        throw fromOpenAiError(error, `Chat completion with ${request.model}`);
      }
    },
  };
}
