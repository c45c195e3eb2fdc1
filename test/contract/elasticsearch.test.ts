import { describe } from 'vitest';
import { createElasticsearchStore } from '../../src/core/adapters/elasticsearch/index.ts';
import { silentLogger } from '../../src/core/ports/index.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { defineStoreContract } from './store-contract.ts';

const url = await useElasticsearch();

describe.skipIf(!url)('elasticsearch', () => {
  // A fresh prefix per test: every test starts from an empty store, and parallel files never meet.
  defineStoreContract('elasticsearch', async () => {
    const indexPrefix = uniqueIndexPrefix('contract');
    return {
      store: createElasticsearchStore({
        url: url!,
        indexPrefix,
        analyzer: 'english',
        requestTimeoutMs: 10_000,
        maxRetries: 0,
        bulkSize: 500,
        logger: silentLogger,
      }),
      cleanup: () => deleteIndices(url!, indexPrefix),
    };
  });
});
