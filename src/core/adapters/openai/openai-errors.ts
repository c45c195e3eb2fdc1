import OpenAI from 'openai';
import { AnswerloopError, isRetryableStatus } from '../../errors/index.ts';

/** Turns an openai SDK error into an AnswerloopError that says what happened and whether to try again. */
export function fromOpenAiError(error: unknown, what: string): AnswerloopError {
  if (error instanceof AnswerloopError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new AnswerloopError('timeout', `${what}: OpenAI did not answer in time.`, {
      cause: error,
      isRetryable: true,
    });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new AnswerloopError('upstream_failed', `${what}: OpenAI is not reachable (${error.message}).`, {
      cause: error,
      isRetryable: true,
    });
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const code = typeof error.code === 'string' ? error.code : undefined;
    const details = { status, code, requestId: error.requestID };
    const reason = error.message.replace(/^\d{3}\s*/, '');
    if (code === 'context_length_exceeded' || /maximum context length|context length/i.test(reason)) {
      return new AnswerloopError(
        'context_too_long',
        `${what}: the prompt is over the model's context length.`,
        { cause: error, details },
      );
    }
    if (status === 404 || code === 'model_not_found') {
      return new AnswerloopError(
        'model_unavailable',
        `${what}: the model does not exist or this key cannot use it (${reason}).`,
        { cause: error, details },
      );
    }
    if (status === 401 || status === 403) {
      return new AnswerloopError(
        'config_invalid',
        `${what}: OpenAI refused the API key (${status}): check OPENAI_API_KEY.`,
        { cause: error, details },
      );
    }
    if (status === 429) {
      return new AnswerloopError('rate_limited', `${what}: OpenAI rate limit or quota reached (${reason}).`, {
        cause: error,
        details,
        isRetryable: true,
      });
    }
    return new AnswerloopError(
      'upstream_failed',
      `${what}: OpenAI answered ${status ?? 'an error'} (${reason}).`,
      {
        cause: error,
        details,
        isRetryable: isRetryableStatus(status),
      },
    );
  }
  return new AnswerloopError(
    'upstream_failed',
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

export function createOpenAiClient(options: {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
}): OpenAI {
  // The SDK retries 408/409/429/5xx and timeouts with exponential backoff and jitter, honouring retry-after.
  return new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
  });
}
