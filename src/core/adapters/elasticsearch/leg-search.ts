import type { estypes } from '@elastic/elasticsearch';
import { AnswerloopError } from '../../errors/index.ts';
import { dotProduct } from '../../math/vector-math.ts';
import type { LegHit, LegSearchRequest, LegSearchResult, SearchFilters } from '../../ports/index.ts';
import { type ChunkDocument, fromChunkDocument, withoutEmbedding } from './chunk-documents.ts';
import { describeErrorBody, isIndexMissing } from './elasticsearch-errors.ts';
import type { FieldScoring, StoreContext } from './store-context.ts';

/** Elasticsearch caps num_candidates (and so k) at 10,000. */
const maxCandidates = 10_000;

/** Filters as Elasticsearch clauses; both legs get the same ones, so fusion compares like with like. */
export function filterClauses(filters: SearchFilters): estypes.QueryDslQueryContainer[] {
  const clauses: estypes.QueryDslQueryContainer[] = [];
  if (filters.tags && filters.tags.length > 0) clauses.push({ terms: { tags: filters.tags } });
  if (filters.sourcePrefixes && filters.sourcePrefixes.length > 0) {
    clauses.push({
      bool: {
        should: filters.sourcePrefixes.map((prefix) => ({ prefix: { source: prefix } })),
        minimum_should_match: 1,
      },
    });
  }
  return clauses;
}

/** `title^2`-style field list, leaving out fields boosted to zero. */
export function boostedFields(boosts: LegSearchRequest['boosts']): string[] {
  return [
    ['title', boosts.title],
    ['headings', boosts.headings],
    ['text', boosts.text],
  ]
    .filter(([, boost]) => Number(boost) > 0)
    .map(([field, boost]) => `${field}^${boost}`);
}

/**
 * The BM25 leg's query. `combined`: one BM25 over the fields taken together (`combined_fields`, BM25F), the boosts
 * acting as field weights, as SQLite's FTS5 adds up its weighted columns; Elasticsearch takes no weight under 1, so
 * they are scaled to make the smallest 1 (their ratios kept). `best`: the best field's score plus 0.3 of the others'
 * (`multi_match` `best_fields`). Undefined when every field is boosted to zero.
 */
export function bm25Query(
  text: string,
  boosts: LegSearchRequest['boosts'],
  scoring: FieldScoring,
): estypes.QueryDslQueryContainer | undefined {
  if (scoring === 'best') {
    const fields = boostedFields(boosts);
    return fields.length > 0
      ? { multi_match: { query: text, fields, type: 'best_fields', tie_breaker: 0.3 } }
      : undefined;
  }
  const positive = [boosts.title, boosts.headings, boosts.text].filter((boost) => Number(boost) > 0);
  if (positive.length === 0) return undefined;
  const smallest = Math.min(...positive);
  const fields = boostedFields({
    title: boosts.title / smallest,
    headings: boosts.headings / smallest,
    text: boosts.text / smallest,
  });
  return { combined_fields: { query: text, fields } };
}

/** Elasticsearch scores dot_product kNN hits as (1 + dot) / 2 to keep them positive; callers want the cosine back. */
export function cosineFromDotProductScore(score: number): number {
  return Math.min(1, Math.max(-1, 2 * score - 1));
}

/**
 * The int8_hnsw index scores a hit from its quantised vector, so a cosine is off in the third decimal, and by a
 * different amount after every rebuild (the quantiles are a segment's). The stored float vector gives the exact
 * cosine, the same as the embedded store's; without it (never, for chunks this store wrote) the index's score stands.
 */
function exactCosine(
  query: readonly number[],
  embedding: readonly number[] | undefined,
  score: number,
): number {
  if (!embedding || embedding.length !== query.length) return cosineFromDotProductScore(score);
  return Math.min(1, Math.max(-1, dotProduct(query, embedding)));
}

type Leg = 'bm25' | 'vector';

/**
 * BM25 and kNN as two searches of one `_msearch`: one round trip, and each leg keeps its own raw scores, which
 * core fuses (reciprocal rank fusion) and thresholds. A single search with both `query` and `knn` would add the
 * scores together, losing them.
 */
export async function searchLegs(
  context: StoreContext,
  request: LegSearchRequest,
  checkVector: (vector: number[]) => void,
): Promise<LegSearchResult> {
  const alias = context.names.chunks.alias;
  const filter = filterClauses(request.filters);
  const k = Math.min(Math.max(0, Math.floor(request.k)), maxCandidates);
  const searches: estypes.MsearchRequestItem[] = [];
  const legs: Leg[] = [];

  const text = request.text?.trim();
  const query = text ? bm25Query(text, request.boosts, context.fieldScoring) : undefined;
  if (query && k > 0) {
    legs.push('bm25');
    searches.push(
      { index: alias },
      {
        size: k,
        _source: withoutEmbedding,
        query: {
          bool: { must: [query], filter },
        },
      },
    );
  }
  if (request.vector && request.vector.length > 0 && k > 0) {
    checkVector(request.vector);
    legs.push('vector');
    searches.push(
      { index: alias },
      {
        size: k,
        // The vector comes back so the hit is scored by its exact cosine (below), not the int8 approximation.
        _source: { excludes: ['sentences'] },
        knn: {
          field: 'embedding',
          query_vector: request.vector,
          k,
          num_candidates: Math.min(Math.max(request.numCandidates, k), maxCandidates),
          filter,
        },
      },
    );
  }
  const result: LegSearchResult = { bm25: [], vector: [] };
  if (legs.length === 0) return result;

  let response: estypes.MsearchResponse<ChunkDocument>;
  try {
    response = await context.client.msearch<ChunkDocument>({ searches });
  } catch (error) {
    if (isIndexMissing(error)) return result;
    throw context.translate(error, 'search chunks');
  }
  response.responses.forEach((item, index) => {
    const leg = legs[index]!;
    if ('error' in item) {
      if (item.status === 404) return; // no chunk index yet: nothing to find
      const { type, reason } = describeErrorBody(item);
      throw new AnswerloopError(
        'store_failed',
        `Elasticsearch failed the ${leg} search of ${alias} (${item.status} ${type ?? 'error'}: ${reason}).`,
        {
          details: { leg, status: item.status, type, reason },
          isRetryable: item.status === 429 || item.status >= 500,
        },
      );
    }
    result[leg] = item.hits.hits.flatMap((hit): LegHit[] => {
      if (!hit._source || hit._score === undefined || hit._score === null) return [];
      if (leg === 'bm25') return [{ chunk: fromChunkDocument(hit._source), score: hit._score }];
      const { embedding, ...rest } = hit._source;
      return [{ chunk: fromChunkDocument(rest), score: exactCosine(request.vector!, embedding, hit._score) }];
    });
    // The int8 index finds the candidates; their exact cosines order them, as the embedded store's scan does.
    if (leg === 'vector') result.vector.sort((a, b) => b.score - a.score);
  });
  result.engineTookMs = response.took;
  return result;
}
