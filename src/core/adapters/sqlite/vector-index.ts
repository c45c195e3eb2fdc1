/**
 * Exact cosine search over every chunk vector, held in memory as one Float32Array (row-major,
 * `dimensions` floats per chunk). Vectors are stored unit length, so cosine is a dot product.
 * 20k chunks of 384 dimensions take 30 MB and one scan takes a few milliseconds; an approximate index
 * would only pay off far beyond the sizes one machine serves.
 */
export interface VectorRow {
  seq: number;
  source: string;
  tags: string[];
}

export interface VectorFilter {
  tags?: string[];
  sourcePrefixes?: string[];
}

export interface ScoredRow {
  seq: number;
  score: number;
}

/** Scales a vector to unit length (a zero vector stays zero). */
export function normalise(vector: ArrayLike<number>): Float32Array {
  const result = Float32Array.from(vector);
  let sumOfSquares = 0;
  for (let index = 0; index < result.length; index += 1) sumOfSquares += result[index]! * result[index]!;
  const norm = Math.sqrt(sumOfSquares);
  if (norm > 0) for (let index = 0; index < result.length; index += 1) result[index]! /= norm;
  return result;
}

/** A predicate for one request's filters; undefined when nothing is filtered. Empty lists filter nothing. */
export function rowFilter(filters: VectorFilter): ((row: VectorRow) => boolean) | undefined {
  const tags = filters.tags && filters.tags.length > 0 ? new Set(filters.tags) : undefined;
  const prefixes = filters.sourcePrefixes && filters.sourcePrefixes.length > 0 ? filters.sourcePrefixes : undefined;
  if (!tags && !prefixes) return undefined;
  return (row) =>
    (!tags || row.tags.some((tag) => tags.has(tag))) && (!prefixes || prefixes.some((prefix) => row.source.startsWith(prefix)));
}

export class VectorIndex {
  readonly dimensions: number;
  private readonly rows: VectorRow[];
  private readonly matrix: Float32Array;

  constructor(dimensions: number, rows: VectorRow[], matrix: Float32Array) {
    if (matrix.length !== rows.length * dimensions) throw new Error('vector matrix size does not match its rows');
    this.dimensions = dimensions;
    this.rows = rows;
    this.matrix = matrix;
  }

  get size(): number {
    return this.rows.length;
  }

  /** The k rows most similar to the query (unit length) that pass the filter, best first; ties by seq. */
  search(query: Float32Array, k: number, filter?: (row: VectorRow) => boolean): ScoredRow[] {
    const { dimensions, matrix, rows } = this;
    if (k <= 0) return [];
    // The current top k, kept sorted best first; k is small (tens), so insertion beats a heap here.
    const top: ScoredRow[] = [];
    for (let row = 0; row < rows.length; row += 1) {
      if (filter && !filter(rows[row]!)) continue;
      let dot = 0;
      const offset = row * dimensions;
      for (let index = 0; index < dimensions; index += 1) dot += matrix[offset + index]! * query[index]!;
      if (top.length === k && dot <= top[k - 1]!.score) continue;
      let position = top.length;
      while (position > 0 && top[position - 1]!.score < dot) position -= 1;
      top.splice(position, 0, { seq: rows[row]!.seq, score: dot });
      if (top.length > k) top.pop();
    }
    // Float32 rounding can push a unit dot product a hair past 1.
    return top.map((hit) => ({ seq: hit.seq, score: Math.max(-1, Math.min(1, hit.score)) }));
  }
}
