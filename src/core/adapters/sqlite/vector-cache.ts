import type { Logger } from '../../ports/index.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { VectorIndex, type VectorIndexOptions, type VectorRow } from './vector-index.ts';

/** A chunk row as a write leaves it: what the vector index needs to find it. */
export interface WrittenVector {
  row: VectorRow;
  vector: Float32Array;
}

export interface VectorCache {
  /** The index of every chunk's vector, read from the file on first use and again after another process wrote. */
  index(connection: SqliteConnection, dimensions: number): VectorIndex;
  /** Brings a loaded index up to date after this connection committed a write: no reload for our own writes. */
  written(connection: SqliteConnection, removedSeqs: number[], added: WrittenVector[]): void;
  /** Forgets the index (the knowledge base was emptied). */
  clear(): void;
}

const dataVersion = (connection: SqliteConnection) => connection.database.pragma('data_version', { simple: true }) as number;

/**
 * The in-memory vector index of one store, with the `data_version` it matches: that number changes when another
 * connection (another process: an ingest beside the bot) commits, never for this connection's own writes, which
 * are applied to the index in place.
 */
export function createVectorCache(logger: Logger, options: VectorIndexOptions = {}): VectorCache {
  let cached: { index: VectorIndex; dataVersion: number } | undefined;

  const load = (connection: SqliteConnection, dimensions: number): VectorIndex => {
    const started = performance.now();
    const index = new VectorIndex(dimensions, options);
    const bytesPerVector = dimensions * Float32Array.BYTES_PER_ELEMENT;
    for (const row of connection
      .statement(
        'SELECT c.seq AS seq, c.source AS source, c.tags AS tags, contents.embedding AS embedding FROM chunks AS c JOIN chunk_contents AS contents ON contents.seq = c.seq ORDER BY c.seq',
      )
      .iterate() as IterableIterator<{ seq: number; source: string; tags: string; embedding: Buffer }>) {
      if (row.embedding.byteLength !== bytesPerVector) continue;
      // Copy into an aligned buffer: the blob's bytes may start at any offset.
      const vector = new Float32Array(Uint8Array.from(row.embedding).buffer);
      index.add({ seq: row.seq, source: row.source, tags: JSON.parse(row.tags) as string[] }, vector);
    }
    logger.debug({ chunks: index.size, ms: Math.round(performance.now() - started) }, 'vector index loaded');
    return index;
  };

  return {
    index(connection, dimensions) {
      const version = dataVersion(connection);
      if (cached && cached.dataVersion === version && cached.index.dimensions === dimensions) return cached.index;
      cached = { index: load(connection, dimensions), dataVersion: version };
      return cached.index;
    },
    written(connection, removedSeqs, added) {
      if (!cached) return;
      // Another process committed since the index was read: it is stale anyway, read it afresh at the next search.
      if (cached.dataVersion !== dataVersion(connection) || added.some((written) => written.vector.length !== cached!.index.dimensions)) {
        cached = undefined;
        return;
      }
      for (const seq of removedSeqs) cached.index.remove(seq);
      for (const written of added) cached.index.add(written.row, written.vector);
    },
    clear() {
      cached = undefined;
    },
  };
}
