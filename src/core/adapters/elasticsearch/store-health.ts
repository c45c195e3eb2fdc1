import type { StoreHealth } from '../../ports/index.ts';
import type { ChunkIndex } from './chunk-index.ts';
import { recordKinds } from './index-names.ts';
import type { StoreContext } from './store-context.ts';

/** Cluster status, version and our indices' document counts; never throws, so `doctor` can always report. */
export async function checkHealth(context: StoreContext, chunkIndex: ChunkIndex): Promise<StoreHealth> {
  const { client, names } = context;
  try {
    await chunkIndex.refreshIfWritten();
    const cluster = await context.request('read cluster health', () => client.cluster.health());
    // GET / needs the monitor privilege, which a narrow API key may lack: the version is then unknown.
    const version = await client.info().then(
      (info) => info.version.number,
      () => 'unknown',
    );
    const aliases = [names.chunks.alias, ...recordKinds.map((kind) => names.records[kind].alias)];
    const stats = await context.request('read index stats', () =>
      // The typings lack ignore_unavailable: before the first init some of the indices do not exist.
      client.indices.stats(
        { index: aliases, metric: 'docs' },
        { querystring: { ignore_unavailable: true, allow_no_indices: true } },
      ),
    );
    const documents: Record<string, number> = {};
    for (const [index, indexStats] of Object.entries(stats.indices ?? {}))
      documents[index] = indexStats.primaries?.docs?.count ?? 0;
    const analyzer = await chunkIndex.analyzer();
    return {
      ok: cluster.status !== 'red',
      kind: 'elasticsearch',
      status: cluster.status,
      details: {
        url: context.url,
        version,
        cluster: cluster.cluster_name,
        nodes: cluster.number_of_nodes,
        documents,
        analyzer: analyzer
          ? analyzer.fallback
            ? `${analyzer.name} (fallback for ${analyzer.requested})`
            : analyzer.name
          : 'no chunk index yet',
      },
    };
  } catch (error) {
    const failure = context.translate(error, 'check health');
    return {
      ok: false,
      kind: 'elasticsearch',
      status: failure.code === 'store_unavailable' ? 'unreachable' : 'error',
      details: { url: context.url, error: failure.message },
    };
  }
}
