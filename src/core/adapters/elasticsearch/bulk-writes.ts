import type { estypes } from '@elastic/elasticsearch';
import { AnswerloopError } from '../../errors/index.ts';
import type { StoreContext } from './store-context.ts';

/** One document write or delete; `source` says where the document came from, for the failure report. */
export type BulkAction =
  | { kind: 'index'; id: string; document: Record<string, unknown>; source: string }
  | { kind: 'delete'; id: string; source: string };

export interface BulkFailure {
  id: string;
  action: 'index' | 'delete';
  source: string;
  status: number;
  type: string;
  reason: string;
}

/**
 * Sends the actions in `_bulk` requests of `context.bulkSize` and throws one `store_failed` error listing every
 * item Elasticsearch rejected, with its source and reason. Deleting a document that is already gone is no failure.
 * Writes must go to an alias (`require_alias`), so a missing index is an error instead of a new index with
 * guessed field types.
 */
export async function runBulk(
  context: StoreContext,
  alias: string,
  actions: BulkAction[],
  what: string,
): Promise<void> {
  const failures: BulkFailure[] = [];
  for (let start = 0; start < actions.length; start += context.bulkSize) {
    const batch = actions.slice(start, start + context.bulkSize);
    const operations: Array<estypes.BulkOperationContainer | Record<string, unknown>> = [];
    for (const action of batch) {
      if (action.kind === 'index')
        operations.push({ index: { _index: alias, _id: action.id } }, action.document);
      else operations.push({ delete: { _index: alias, _id: action.id } });
    }
    const response = await context.request(what, () =>
      context.client.bulk({ operations, require_alias: true }),
    );
    if (!response.errors) continue;
    response.items.forEach((item, index) => {
      const action = batch[index]!;
      const result = item[action.kind];
      if (!result?.error) return;
      if (action.kind === 'delete' && result.status === 404) return;
      failures.push({
        id: action.id,
        action: action.kind,
        source: action.source,
        status: result.status,
        type: result.error.type,
        reason: result.error.reason ?? 'no reason given',
      });
    });
  }
  if (failures.length === 0) return;
  const listed = failures.map(
    (failure) =>
      `${failure.action} ${failure.id} (${failure.source}): ${failure.status} ${failure.type}: ${failure.reason}`,
  );
  throw new AnswerloopError(
    'store_failed',
    `Elasticsearch rejected ${failures.length} of ${actions.length} writes to ${alias} while trying to ${what}:\n  - ${listed.join('\n  - ')}`,
    {
      details: { failures },
      isRetryable: failures.every((failure) => failure.status === 429 || failure.status >= 500),
    },
  );
}
