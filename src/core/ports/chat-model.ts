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

/**
 * A yes-or-no decision read from the model's probabilities instead of its written word: the model is asked for a
 * JSON reply whose first field is a boolean, and the probability it gives `true` there is returned (no text is
 * written, so a threshold decides rather than the greedy choice).
 */
export interface DecisionRequest {
  model: string;
  messages: ChatMessage[];
  /** The boolean field the reply opens with (`{"<field>": true|false, ...}`). */
  field: string;
  signal?: AbortSignal;
}

export interface DecisionResponse {
  /** The model's probability of yes, 0..1. */
  probability: number;
  model: string;
  usage: TokenUsage;
  modelMs: number;
}

export interface ChatModel {
  /**
   * Throws AnswerloopError: `rate_limited` / `timeout` / `upstream_failed` (isRetryable as the status says),
   * `model_unavailable` when the model does not exist, `context_too_long` when the prompt is over the limit.
   */
  complete(request: ChatRequest): Promise<ChatResponse>;
  /** The probability of a yes-or-no decision, when the model can give one (same errors as complete). */
  decide?(request: DecisionRequest): Promise<DecisionResponse>;
}
