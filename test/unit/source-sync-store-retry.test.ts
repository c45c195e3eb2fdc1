import { describe, expect, it } from 'vitest';
import { AnswerloopError } from '../../src/core/errors/index.ts';
import { createSourceSync } from '../../src/core/knowledge/source-sync.ts';
import { type KeyValueStore, silentLogger, systemClock } from '../../src/core/ports/index.ts';
import { createInMemoryStore } from '../fakes/in-memory-store.ts';

/** The in-memory store, whose reads fail retryably `failures` times first, as a store starting an index does. */
function startingStore(
  failures: number,
  error = () => new AnswerloopError('store_unavailable', 'starting', { isRetryable: true }),
) {
  const store = createInMemoryStore();
  let left = failures;
  const reads = { count: 0 };
  const flaky: KeyValueStore = {
    getValue: async (namespace, key) => {
      reads.count += 1;
      if (left > 0) {
        left -= 1;
        throw error();
      }
      return store.getValue(namespace, key);
    },
    setValue: (namespace, key, value) => store.setValue(namespace, key, value),
    putIfAbsent: (namespace, key, value) => store.putIfAbsent(namespace, key, value),
    listValues: (namespace) => store.listValues(namespace),
    deleteValues: (namespace, limit) => store.deleteValues(namespace, limit),
  };
  return { flaky, reads };
}

function sourceSync(store: KeyValueStore) {
  return createSourceSync({
    sources: [{ name: 'guide', location: 'docs/', tags: [], include: [], exclude: [], refreshMinutes: 60 }],
    createSource: () => {
      throw new Error('not used');
    },
    ingest: () => Promise.reject(new Error('not used')),
    store,
    logger: silentLogger,
    clock: systemClock,
  });
}

describe('source sync reading its records from a store that is starting', () => {
  it('tries a read twice more when the store answers retryably, then reads', async () => {
    const { flaky, reads } = startingStore(2);
    const [status] = await sourceSync(flaky).list();
    expect(status).toMatchObject({ name: 'guide', lastSync: null });
    expect(reads.count).toBe(3);
  });

  it('gives up after three reads, and at once on a failure that is not retryable', async () => {
    const starting = startingStore(5);
    await expect(sourceSync(starting.flaky).list()).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(starting.reads.count).toBe(3);

    const broken = startingStore(5, () => new AnswerloopError('store_failed', 'mapping refused'));
    await expect(sourceSync(broken.flaky).list()).rejects.toMatchObject({ code: 'store_failed' });
    expect(broken.reads.count).toBe(1);
  });
});
