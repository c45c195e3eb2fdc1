/**
 * Every failure that crosses a layer boundary is an AnswerloopError: a stable code for programs,
 * a message that says what to do for people, the original cause, and whether trying again can help.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'input_invalid'
  | 'not_found'
  | 'conflict'
  | 'store_unavailable'
  | 'store_failed'
  | 'dimension_mismatch'
  | 'embedder_failed'
  | 'model_unavailable'
  | 'rate_limited'
  | 'timeout'
  | 'upstream_failed'
  | 'context_too_long'
  | 'dataset_invalid'
  | 'internal';

export interface AnswerloopErrorOptions {
  cause?: unknown;
  isRetryable?: boolean;
  /** Extra facts for the operator log (never secrets). */
  details?: Record<string, unknown>;
}

export class AnswerloopError extends Error {
  readonly code: ErrorCode;
  readonly isRetryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AnswerloopErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AnswerloopError';
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
    this.details = options.details ?? {};
  }

  static is(value: unknown): value is AnswerloopError {
    return value instanceof AnswerloopError;
  }
}

/** Configuration that cannot be used; `problems` lists every bad path at once. */
export class ConfigError extends AnswerloopError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('config_invalid', `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Bad input from a user or an operator: the message says what to send instead. */
export class InputError extends AnswerloopError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('input_invalid', message, { details });
    this.name = 'InputError';
  }
}

/** HTTP statuses where the same request may succeed later. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500);
}

/** Wraps anything thrown into an AnswerloopError, keeping typed errors as they are. */
export function toAnswerloopError(error: unknown, fallbackCode: ErrorCode = 'internal'): AnswerloopError {
  if (error instanceof AnswerloopError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AnswerloopError(fallbackCode, message, { cause: error });
}
