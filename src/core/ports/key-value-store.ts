/** Small durable facts: the active model pointer, seen Slack event ids, ingest checkpoints. */
export interface KeyValueStore {
  getValue(namespace: string, key: string): Promise<string | undefined>;
  setValue(namespace: string, key: string, value: string): Promise<void>;
  /**
   * Stores the value only if the key is absent; true when this call stored it. The basis of exactly-once
   * handling of retried platform events, across restarts and replicas sharing one store.
   */
  putIfAbsent(namespace: string, key: string, value: string): Promise<boolean>;
  /** Every key of a namespace with its value, ordered by key; for small namespaces (verified answers). */
  listValues(namespace: string): Promise<Array<{ key: string; value: string }>>;
  /** Deletes up to `limit` keys of a namespace (any of them); how many. Called again until 0 empties it. */
  deleteValues(namespace: string, limit: number): Promise<number>;
}
