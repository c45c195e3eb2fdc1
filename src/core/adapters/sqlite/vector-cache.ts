import type { Logger } from '../../ports/index.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { VectorIndex, type VectorIndexOptions, type VectorRow } from './vector-index.ts';

/** A chunk row as a write leaves it: what the vector index needs to find it. */
export interface WrittenVector {
  row: VectorRow;
  vector: Float32Array;
  /** The chunk's id, document hash and content hash, joined by newlines (as `identityColumns` reads them). */
  identity: string;
}

export interface VectorCache {
  /** The index of every chunk's vector, read from the file on first use and again after another process wrote. */
  index(connection: SqliteConnection, dimensions: number): VectorIndex;
  /** Brings a loaded index up to date after this connection committed a write: no reload for our own writes. */
  written(connection: SqliteConnection, removedSeqs: number[], added: WrittenVector[]): void;
  /** Forgets the index (the knowledge base was emptied). */
  clear(): void;
}

const dataVersion = (connection: SqliteConnection) =>
  connection.database.pragma('data_version', { simple: true }) as number;

/** What identifies a chunk row's vector: a row id can be used again after the last rows are deleted. */
const identityColumns =
  'c.seq AS seq, c.id || char(10) || c.document_hash || char(10) || c.content_hash AS identity';
const vectorColumns = 'c.seq AS seq, c.source AS source, c.tags AS tags, contents.embedding AS embedding';

/**
 * The in-memory vector index of one store, with the `data_version` it matches: that number changes when another
 * connection (another process: an ingest beside the bot) commits, never for this connection's own writes, which
 * are applied to the index in place. After another process's commit, only the rows that changed are read again
 * (the list of row identities is compared first), so an ingest in another process does not make every search
 * read every vector.
 */
export function createVectorCache(logger: Logger, options: VectorIndexOptions = {}): VectorCache {
  let cached: { index: VectorIndex; dataVersion: number; identities: Map<number, string> } | undefined;

  const addRows = (
    index: VectorIndex,
    rows: Iterable<{ seq: number; source: string; tags: string; embedding: Buffer }>,
  ) => {
    const bytesPerVector = index.dimensions * Float32Array.BYTES_PER_ELEMENT;
    for (const row of rows) {
      if (row.embedding.byteLength !== bytesPerVector) continue;
      // Copy into an aligned buffer: the blob's bytes may start at any offset.
      const vector = new Float32Array(Uint8Array.from(row.embedding).buffer);
      index.add({ seq: row.seq, source: row.source, tags: JSON.parse(row.tags) as string[] }, vector);
    }
  };

  const readIdentities = (connection: SqliteConnection) => {
    const identities = new Map<number, string>();
    for (const row of connection
      .statement(`SELECT ${identityColumns} FROM chunks AS c`)
      .iterate() as IterableIterator<{ seq: number; identity: string }>) {
      identities.set(row.seq, row.identity);
    }
    return identities;
  };

  const load = (connection: SqliteConnection, dimensions: number) => {
    const started = performance.now();
    const index = new VectorIndex(dimensions, options);
    const identities = readIdentities(connection);
    addRows(
      index,
      connection
        .statement(
          `SELECT ${vectorColumns} FROM chunks AS c JOIN chunk_contents AS contents ON contents.seq = c.seq ORDER BY c.seq`,
        )
        .iterate() as IterableIterator<{ seq: number; source: string; tags: string; embedding: Buffer }>,
    );
    logger.debug({ chunks: index.size, ms: Math.round(performance.now() - started) }, 'vector index loaded');
    return { index, identities };
  };

  /** Applies another process's changes: false when so much changed that reading everything is cheaper. */
  const refresh = (connection: SqliteConnection, current: NonNullable<typeof cached>): boolean => {
    const started = performance.now();
    const identities = readIdentities(connection);
    const changed: number[] = [];
    const removed: number[] = [];
    for (const [seq, identity] of identities) if (current.identities.get(seq) !== identity) changed.push(seq);
    for (const [seq, identity] of current.identities) if (identities.get(seq) !== identity) removed.push(seq);
    if (changed.length > identities.size / 2) return false;
    for (const seq of removed) current.index.remove(seq);
    if (changed.length > 0) {
      addRows(
        current.index,
        connection
          .statement(
            `SELECT ${vectorColumns} FROM chunks AS c JOIN chunk_contents AS contents ON contents.seq = c.seq WHERE c.seq IN (SELECT value FROM json_each(?))`,
          )
          .all(JSON.stringify(changed)) as Array<{
          seq: number;
          source: string;
          tags: string;
          embedding: Buffer;
        }>,
      );
    }
    current.identities = identities;
    logger.debug(
      { added: changed.length, removed: removed.length, ms: Math.round(performance.now() - started) },
      'vector index refreshed',
    );
    return true;
  };

  return {
    index(connection, dimensions) {
      const version = dataVersion(connection);
      if (cached && cached.index.dimensions === dimensions) {
        if (cached.dataVersion === version) return cached.index;
        if (refresh(connection, cached)) {
          cached.dataVersion = version;
          return cached.index;
        }
      }
      cached = { ...load(connection, dimensions), dataVersion: version };
      return cached.index;
    },
    written(connection, removedSeqs, added) {
      if (!cached) return;
      // Another process committed since the index was read: it is stale anyway, read it afresh at the next search.
      if (
        cached.dataVersion !== dataVersion(connection) ||
        added.some((written) => written.vector.length !== cached!.index.dimensions)
      ) {
        cached = undefined;
        return;
      }
      for (const seq of removedSeqs) {
        cached.index.remove(seq);
        cached.identities.delete(seq);
      }
      for (const written of added) {
        cached.index.add(written.row, written.vector);
        cached.identities.set(written.row.seq, written.identity);
      }
    },
    clear() {
      cached = undefined;
    },
  };
}
