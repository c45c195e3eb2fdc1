import type { ChatMessage } from './dataset-store.ts';
import type { TokenUsage } from './conversation-store.ts';

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Called with each new piece of text when streaming. */
  onDelta?: (delta: string) => void;
  signal?: AbortSignal;
  /**
   * Hold the reply to a JSON object of this schema (OpenAI structured outputs; a JSON grammar for a local
   * model). The text is still returned as text: the caller parses it.
   */
  responseFormat?: { name: string; schema: Record<string, unknown> };
  /**
   * The question's vector and the stored vectors of the sources' sentences, by sentence text: the offline answer
   * reads them instead of embedding (a model that writes its answer ignores them).
   */
  sentenceVectors?: { question: number[]; sentences: ReadonlyMap<string, number[]> };
}

export interface ChatResponse {
  text: string;
  model: string;
  usage: TokenUsage;
  /** Time spent waiting for the model, so callers can measure their own overhead. */
  modelMs: number;
}

export interface ChatModel {
  /**
   * Throws AnswerloopError: `rate_limited` / `timeout` / `upstream_failed` (isRetryable as the status says),
   * `model_unavailable` when the model does not exist, `context_too_long` when the prompt is over the limit.
   */
  complete(request: ChatRequest): Promise<ChatResponse>;
}
