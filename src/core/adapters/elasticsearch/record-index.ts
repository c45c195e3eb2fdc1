import { errors, type estypes } from '@elastic/elasticsearch';
import { runBulk } from './bulk-writes.ts';
import { isIndexMissing, retryWhileShardStarts } from './elasticsearch-errors.ts';
import type { RecordKind } from './index-names.ts';
import type { StoreContext } from './store-context.ts';

/** Elasticsearch's default index.max_result_window: from + size may not pass it. */
const resultWindow = 10_000;
const pageSize = 1000;

export interface RecordQuery {
  filter?: estypes.QueryDslQueryContainer[];
  /** Must end with a unique field (record_id) so paging past the result window is stable. */
  sort: estypes.SortCombinations[];
  offset?: number;
  /** No limit when absent. */
  limit?: number;
}

const totalOf = (total: number | estypes.SearchTotalHits | undefined) =>
  typeof total === 'number' ? total : (total?.value ?? 0);

/**
 * One kind of record in its own index: the whole record under `record` (stored, not indexed) beside the few
 * fields queries need. The index is created by the first write; until then reads find nothing. Every write
 * refreshes, so a list right after a save sees it, as in the embedded store.
 */
export function createRecordIndex<T>(
  context: StoreContext,
  kind: RecordKind,
  describe: { idOf(record: T): string; fieldsOf(record: T): Record<string, unknown> },
) {
  const { client } = context;
  const alias = context.names.records[kind].alias;
  const document = (record: T) => ({
    record_id: describe.idOf(record),
    record,
    ...describe.fieldsOf(record),
  });

  async function searchPage(
    query: RecordQuery,
    page: { from?: number; size: number; searchAfter?: estypes.SortResults },
  ) {
    const response = await retryWhileShardStarts(() =>
      client.search<{ record: T }>({
        index: alias,
        query: { bool: { filter: query.filter ?? [] } },
        sort: query.sort,
        from: page.from,
        size: page.size,
        search_after: page.searchAfter,
        track_total_hits: true,
        _source: ['record'],
      }),
    );
    return {
      items: response.hits.hits.flatMap((hit) => (hit._source ? [hit._source.record] : [])),
      total: totalOf(response.hits.total),
      lastSort: response.hits.hits.at(-1)?.sort,
      count: response.hits.hits.length,
    };
  }

  /** Beyond the 10,000-hit window (or with no limit), walks the pages with search_after, skipping `offset`. */
  async function searchAll(query: RecordQuery, offset: number, limit: number | undefined) {
    const items: T[] = [];
    let skipped = 0;
    let searchAfter: estypes.SortResults | undefined;
    for (;;) {
      const page = await searchPage(query, { size: pageSize, searchAfter });
      for (const item of page.items) {
        if (skipped < offset) skipped += 1;
        else if (limit === undefined || items.length < limit) items.push(item);
      }
      const full = limit !== undefined && items.length >= limit;
      if (full || page.count < pageSize) return { items, total: page.total };
      searchAfter = page.lastSort;
    }
  }

  /** Matching records in the query's order, with the total count of matches. */
  async function search(query: RecordQuery): Promise<{ items: T[]; total: number }> {
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = query.limit === undefined ? undefined : Math.max(0, Math.floor(query.limit));
    try {
      if (limit !== undefined && offset + limit <= resultWindow) {
        const page = await searchPage(query, { from: offset, size: limit });
        return { items: page.items, total: page.total };
      }
      return await searchAll(query, offset, limit);
    } catch (error) {
      // Nothing of this kind was ever saved: its index does not exist yet.
      if (isIndexMissing(error)) return { items: [], total: 0 };
      throw context.translate(error, `list ${kind}`);
    }
  }

  return {
    async put(record: T): Promise<void> {
      await context.ensureRecordIndex(kind);
      const id = describe.idOf(record);
      await context.request(`save ${kind} ${id}`, () =>
        client.index({ index: alias, id, document: document(record), refresh: true, require_alias: true }),
      );
    },

    /** Writes only when no record has the id; false when one had it (Elasticsearch answers 409). */
    async putIfAbsent(record: T): Promise<boolean> {
      await context.ensureRecordIndex(kind);
      const id = describe.idOf(record);
      try {
        await client.index({
          index: alias,
          id,
          document: document(record),
          op_type: 'create',
          refresh: true,
          require_alias: true,
        });
        return true;
      } catch (error) {
        if (error instanceof errors.ResponseError && error.statusCode === 409) return false;
        throw context.translate(error, `create ${kind} ${id}`);
      }
    },

    /** Undefined when the record, or its whole index, does not exist. */
    async get(id: string): Promise<T | undefined> {
      try {
        const response = await retryWhileShardStarts(() => client.get<{ record: T }>({ index: alias, id }));
        return response._source?.record;
      } catch (error) {
        if (error instanceof errors.ResponseError && error.statusCode === 404) return undefined;
        throw context.translate(error, `read ${kind} ${id}`);
      }
    },

    async remove(id: string): Promise<void> {
      try {
        await client.delete({ index: alias, id, refresh: true });
      } catch (error) {
        if (error instanceof errors.ResponseError && error.statusCode === 404) return;
        throw context.translate(error, `delete ${kind} ${id}`);
      }
    },

    /**
     * Deletes the first `limit` records matching the query (in its order) by id with `_bulk`, then refreshes, so
     * a search right after no longer finds them; how many it deleted. Needs no `_delete_by_query`.
     */
    async removeMatching(query: RecordQuery & { limit: number }): Promise<number> {
      const { items } = await search(query);
      if (items.length === 0) return 0;
      const ids = items.map((record) => describe.idOf(record));
      await runBulk(
        context,
        alias,
        ids.map((id) => ({ kind: 'delete', id, source: kind })),
        `delete ${ids.length} ${kind} records`,
      );
      await context.request(`refresh ${alias}`, () => client.indices.refresh({ index: alias }));
      return ids.length;
    },

    search,
  };
}
