import { errors, type estypes } from '@elastic/elasticsearch';
import type { Logger } from '../../ports/index.ts';
import { describeErrorBody } from './elasticsearch-errors.ts';
import type { IndexName } from './index-names.ts';
import { type AnalyzerChoice, fallbackAnalyzerName } from './mappings.ts';
import type { StoreContext } from './store-context.ts';

type IndexDefinition = { settings: estypes.IndicesIndexSettings; mappings: estypes.MappingTypeMapping };

/**
 * Creates the versioned index with its alias unless the alias exists. Safe when two processes start at once:
 * the loser of the race sees `resource_already_exists_exception` and only makes sure the alias is there.
 * Returns true when this call created the index.
 */
export async function ensureIndex(
  context: StoreContext,
  name: IndexName,
  definition: IndexDefinition,
): Promise<boolean> {
  const { client } = context;
  const exists = await context.request(`check index ${name.alias}`, () =>
    client.indices.exists({ index: name.alias }),
  );
  if (exists) return false;
  try {
    await client.indices.create({ index: name.index, aliases: { [name.alias]: {} }, ...definition });
    return true;
  } catch (error) {
    if (
      error instanceof errors.ResponseError &&
      describeErrorBody(error.body).type === 'resource_already_exists_exception'
    ) {
      await context.request(`add alias ${name.alias}`, () =>
        client.indices.putAlias({ index: name.index, name: name.alias }),
      );
      return false;
    }
    throw context.translate(error, `create index ${name.index}`);
  }
}

/**
 * The configured analyzer when the cluster has it, else `standard` with English stop words. The dev launcher's
 * node, or a cluster without the analysis-common module, may lack `english`; asking `_analyze` tells.
 */
export async function chooseAnalyzer(
  context: StoreContext,
  requested: string,
  logger: Logger,
): Promise<AnalyzerChoice> {
  try {
    await context.client.indices.analyze({ analyzer: requested, text: 'answerloop checks its analyzer' });
    return { name: requested, requested, fallback: false };
  } catch (error) {
    if (!(error instanceof errors.ResponseError) || error.statusCode !== 400) {
      throw context.translate(error, `check analyzer ${requested}`);
    }
    logger.warn(
      {
        requested,
        fallback: 'standard tokenizer, lowercase, English stop words',
        reason: describeErrorBody(error.body).reason,
      },
      `Analyzer "${requested}" is not available on this Elasticsearch: indexing with the standard analyzer and English stop words (no stemming). Set store.elasticsearch.analyzer to one the cluster has.`,
    );
    return { name: fallbackAnalyzerName, requested, fallback: true };
  }
}

/**
 * Waits until every index of this store has its primary shards (cluster health yellow or better), so reads
 * right after a start do not get 503 `no_shard_available`. Bounded by the request timeout.
 */
export async function waitForShards(context: StoreContext, timeoutMs: number): Promise<void> {
  const { client, names } = context;
  const chunksExist = await context.request('check the chunk index', () =>
    client.indices.exists({ index: names.chunks.alias }),
  );
  const aliases = [
    ...(chunksExist ? [names.chunks.alias] : []),
    ...Object.values(names.records).map((name) => name.alias),
  ];
  const timeout = `${Math.max(1, Math.floor(timeoutMs / 1000))}s`;
  const response = await context.request('wait for the indices to be ready', () =>
    client.cluster.health(
      { index: aliases.join(','), wait_for_status: 'yellow', timeout },
      { ignore: [408] },
    ),
  );
  if (response.timed_out) {
    context.logger.warn(
      { status: response.status, indices: aliases.length },
      'Elasticsearch indices are not ready yet; reads retry briefly',
    );
  }
}
