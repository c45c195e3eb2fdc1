import { createHash } from 'node:crypto';
import type { KeyValueStore } from '../../ports/index.ts';
import { createRecordIndex } from './record-index.ts';
import type { StoreContext } from './store-context.ts';

interface KeyValueRecord {
  namespace: string;
  key: string;
  value: string;
}

/**
 * A document id unique to the pair: the namespace's length keeps ('a:b', 'c') apart from ('a', 'b:c').
 * Ids over Elasticsearch's 512-byte limit are hashed.
 */
export function keyValueId(namespace: string, key: string): string {
  const id = `${namespace.length}:${namespace}:${key}`;
  return Buffer.byteLength(id) <= 512 ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

export function createKeyValueRecords(context: StoreContext): KeyValueStore {
  const values = createRecordIndex<KeyValueRecord>(context, 'key-values', {
    idOf: (record) => keyValueId(record.namespace, record.key),
    fieldsOf: (record) => ({ namespace: record.namespace, key: record.key }),
  });
  return {
    async getValue(namespace, key) {
      return (await values.get(keyValueId(namespace, key)))?.value;
    },
    setValue: (namespace, key, value) => values.put({ namespace, key, value }),
    // `create` is atomic in Elasticsearch: of two replicas claiming one event, exactly one gets true.
    putIfAbsent: (namespace, key, value) => values.putIfAbsent({ namespace, key, value }),
    async listValues(namespace) {
      const { items } = await values.search({
        filter: [{ term: { namespace } }],
        sort: [{ key: 'asc' }, { record_id: 'asc' }],
      });
      return items.map(({ key, value }) => ({ key, value }));
    },
    async deleteValues(namespace, limit) {
      if (!(limit >= 1)) return 0;
      return values.removeMatching({
        filter: [{ term: { namespace } }],
        sort: [{ record_id: 'asc' }],
        limit: Math.floor(limit),
      });
    },
  };
}
