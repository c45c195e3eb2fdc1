/**
 * Versioned short-lived records that several processes on one store coordinate through: delivery claims,
 * leases for background work, shared rate-limit counters. Every change after the first write is conditional
 * on the version read, so of two processes racing to change one record exactly one wins.
 */
export interface CoordinationRecord {
  key: string;
  /** Opaque, changed by every write; conditional writes and deletes compare it. */
  version: string;
  /** What the owning service lists by ('working', 'answered', 'held'...). */
  state: string;
  /** Epoch milliseconds when the record is due: a claim's deadline, a lease's expiry, a finished record's purge time. */
  dueAt: number;
  /** The service's own data, usually JSON. */
  value: string;
}

export interface CoordinationWrite {
  state: string;
  dueAt: number;
  value: string;
}

export interface DueRecordQuery {
  /** Only records in one of these states. */
  states: string[];
  /** Records with dueAt at or before this time (epoch ms). */
  dueBefore: number;
  limit: number;
}

export interface CounterIncrement {
  /** Added to the count (negative to take back). */
  by: number;
  /** The counter's dueAt when this increment creates it (when it may be purged); an existing counter keeps its own. */
  dueAt: number;
}

export interface CoordinationStore {
  /**
   * Creates everything the store keeps (every index, every table) and waits until it can serve reads. A process
   * about to take traffic calls it once after init; other commands create what they need on first write.
   */
  prepare(): Promise<void>;
  readRecord(namespace: string, key: string): Promise<CoordinationRecord | undefined>;
  /** Writes the record only when the key is absent; the stored record, or undefined when one existed. */
  createRecord(
    namespace: string,
    key: string,
    write: CoordinationWrite,
  ): Promise<CoordinationRecord | undefined>;
  /**
   * Replaces the record only when its version is still `version`; the stored record, or undefined when another
   * write came first or the record is gone.
   */
  replaceRecord(
    namespace: string,
    key: string,
    write: CoordinationWrite,
    version: string,
  ): Promise<CoordinationRecord | undefined>;
  /** Deletes the record only when its version is still `version`; false when it changed or is gone. */
  deleteRecord(namespace: string, key: string, version: string): Promise<boolean>;
  /**
   * Adds to a counter atomically across processes, creating it (state `counter`, value the count in decimal) when
   * absent; resolves to the count after this change. Every increment of every process is counted exactly once.
   */
  incrementCounter(namespace: string, key: string, increment: CounterIncrement): Promise<number>;
  /** Records of the namespace that are due, earliest first. */
  listDueRecords(namespace: string, query: DueRecordQuery): Promise<CoordinationRecord[]>;
}
