import { errors } from '@elastic/elasticsearch';
import pRetry from 'p-retry';
import { AnswerloopError, isRetryableStatus } from '../../errors/index.ts';

/** The cluster URL without any user name or password, safe for messages and logs. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

interface ElasticsearchErrorBody {
  error?: { type?: string; reason?: string; root_cause?: Array<{ type?: string; reason?: string }> } | string;
  status?: number;
}

/** `type: reason` of an Elasticsearch error body, preferring the root cause, which names the real problem. */
export function describeErrorBody(body: unknown): { type?: string; reason: string } {
  const error = (body as ElasticsearchErrorBody | undefined)?.error;
  if (typeof error === 'string') return { reason: error };
  if (!error) return { reason: typeof body === 'string' && body ? body.slice(0, 300) : 'no reason given' };
  const root = error.root_cause?.[0];
  const type = root?.type ?? error.type;
  const reason = root?.reason ?? error.reason ?? 'no reason given';
  return { type, reason };
}

/** True when Elasticsearch answered 404 because an index or alias does not exist. */
export function isIndexMissing(error: unknown): boolean {
  if (!(error instanceof errors.ResponseError) || error.statusCode !== 404) return false;
  const { type } = describeErrorBody(error.body);
  return type === 'index_not_found_exception' || type === 'aliases_not_found_exception' || type === undefined;
}

/**
 * Turns what the Elasticsearch client throws into an AnswerloopError: `store_unavailable` (retryable) when the
 * cluster cannot be reached, `store_failed` with the status and Elasticsearch's reason otherwise.
 */
export function fromElasticsearchError(
  error: unknown,
  what: string,
  url: string,
  timeoutMs: number,
): AnswerloopError {
  if (error instanceof AnswerloopError) return error;
  const where = displayUrl(url);
  const fix = 'start it with `npm run es -- start` or set store.elasticsearch.url';
  if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
    return new AnswerloopError('store_unavailable', `Elasticsearch at ${where} is not reachable: ${fix}.`, {
      cause: error,
      isRetryable: true,
      details: { operation: what, reason: error.message },
    });
  }
  if (error instanceof errors.TimeoutError) {
    return new AnswerloopError(
      'store_unavailable',
      `Elasticsearch at ${where} did not answer within ${timeoutMs} ms: ${fix}.`,
      {
        cause: error,
        isRetryable: true,
        details: { operation: what, reason: error.message },
      },
    );
  }
  if (error instanceof errors.ProductNotSupportedError) {
    return new AnswerloopError(
      'store_failed',
      `The server at ${where} does not identify as Elasticsearch: check store.elasticsearch.url.`,
      {
        cause: error,
        details: { operation: what },
      },
    );
  }
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode;
    const { type, reason } = describeErrorBody(error.body);
    const hint =
      status === 401 || status === 403
        ? " Check ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, and the key's privileges."
        : '';
    return new AnswerloopError(
      'store_failed',
      `Elasticsearch failed to ${what} (${status ?? 'no status'} ${type ?? 'error'}: ${reason}).${hint}`,
      {
        cause: error,
        isRetryable: isRetryableStatus(status),
        details: { operation: what, status, type, reason },
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AnswerloopError('store_failed', `Elasticsearch failed to ${what}: ${message}`, {
    cause: error,
    details: { operation: what },
  });
}

/** 503 because a shard is still starting: an index another process just created, or a node recovering. */
export function isShardStarting(error: unknown): boolean {
  if (!(error instanceof errors.ResponseError) || error.statusCode !== 503) return false;
  const { type } = describeErrorBody(error.body);
  return (
    type === 'no_shard_available_action_exception' ||
    type === 'illegal_index_shard_state_exception' ||
    type === 'unavailable_shards_exception' ||
    type === 'search_phase_execution_exception' ||
    type === 'cluster_block_exception'
  );
}

/**
 * Runs `send`, retrying a few times within about four seconds while the shard it needs is starting, so a read
 * right after another replica created the index waits briefly instead of failing the question.
 */
export function retryWhileShardStarts<T>(send: () => Promise<T>): Promise<T> {
  // Eight retries after 50, 100, 200, 400 and 800 ms, then every 800 ms: about four seconds in all.
  return pRetry(send, {
    retries: 8,
    minTimeout: 50,
    factor: 2,
    maxTimeout: 800,
    shouldRetry: ({ error }) => isShardStarting(error),
  });
}
