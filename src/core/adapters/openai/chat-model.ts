import type { ChatModel, ChatResponse, DecisionResponse, Logger, TokenUsage } from '../../ports/index.ts';
import { AnswerloopError } from '../../errors/index.ts';
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
          return {
            text: completion.choices[0]?.message.content ?? '',
            model: completion.model,
            usage: usageOf(completion.usage),
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
          if (chunk.usage) usage = usageOf(chunk.usage);
        }
        return { text, model, usage, modelMs: performance.now() - started };
      } catch (error) {
        throw fromOpenAiError(error, `Chat completion with ${request.model}`);
      }
    },

    /**
     * The reply is held to `{"<field>": boolean}` (structured outputs) and asked with log probabilities: the
     * probability of true is read from the alternatives OpenAI gives for the token where the boolean is written.
     */
    async decide(request): Promise<DecisionResponse> {
      const started = performance.now();
      let completion;
      try {
        completion = await client.chat.completions.create(
          {
            model: request.model,
            messages: request.messages,
            temperature: 0,
            max_completion_tokens: 16,
            logprobs: true,
            top_logprobs: 5,
            response_format: {
              type: 'json_schema' as const,
              json_schema: {
                name: 'decision',
                schema: {
                  type: 'object',
                  properties: { [request.field]: { type: 'boolean' } },
                  required: [request.field],
                  additionalProperties: false,
                },
                strict: true,
              },
            },
          },
          { signal: request.signal },
        );
      } catch (error) {
        throw fromOpenAiError(error, `Decision with ${request.model}`);
      }
      const probability = probabilityOfTrue(completion.choices[0]?.logprobs?.content ?? []);
      if (probability === null)
        throw new AnswerloopError(
          'upstream_failed',
          `Decision with ${request.model}: the reply gave no log probabilities for its ${request.field} (a model without logprobs, such as a reasoning model, cannot decide this way; use the verdict judge).`,
        );
      return {
        probability,
        model: completion.model,
        usage: usageOf(completion.usage),
        modelMs: performance.now() - started,
      };
    },
  };
}

/** OpenAI's token counts as ours (0 where a reply gives none). */
function usageOf(
  usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined | null,
): TokenUsage {
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    totalTokens: usage?.total_tokens ?? 0,
  };
}

interface TokenLogprob {
  token: string;
  logprob: number;
  top_logprobs?: Array<{ token: string; logprob: number }>;
}

/**
 * The probability of true at the first token that writes a boolean: true against false among that token's
 * alternatives (one missing from the top alternatives counts as impossible). null when no token writes one.
 */
export function probabilityOfTrue(tokens: readonly TokenLogprob[]): number | null {
  const word = (token: string) => token.trim().toLowerCase();
  const at = tokens.find((entry) => ['true', 'false'].includes(word(entry.token)));
  if (!at) return null;
  const alternatives = at.top_logprobs?.length ? at.top_logprobs : [at];
  const mass = (value: string) =>
    alternatives
      .filter((entry) => word(entry.token) === value)
      .reduce((sum, entry) => sum + Math.exp(entry.logprob), 0);
  const yes = mass('true');
  const no = mass('false');
  return yes + no === 0 ? null : yes / (yes + no);
}
