/**
 * The embedded store's vector search, in memory: every chunk's unit vector (Float32, for exact cosine, which is a
 * dot product here) plus a one-bit code of it (the signs of the vector minus the corpus mean: 48 bytes for 384
 * dimensions).
 *
 * Small indexes (up to `exactUpTo` rows passing the filter) are searched exactly: every vector, full precision.
 * Larger ones in two steps: the Hamming distance between the query's code and every row's code (in WebAssembly,
 * a popcount per 64 bits: about 1 ms per 100,000 rows) picks the `rescoreCandidates` nearest rows, and those are
 * scored exactly. The top k therefore has exact scores, and is the exact top k whenever the true best rows are
 * among the candidates, which the benchmark checks (Recall@10 against the exact scan). Filters apply to every row
 * before any ranking, so a filter never empties the top k.
 *
 * Rows are added and removed in place as documents are written, so a search never waits for a reload after the
 * store's own writes; removed rows leave a hole until enough of them pile up to compact.
 */
import { createHammingKernel, type HammingKernel } from './hamming-kernel.ts';

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

export interface VectorIndexOptions {
  /** Search exactly while at most this many rows pass the filter (default 4,000). */
  exactUpTo?: number;
  /** How many best estimates are rescored exactly (default 1,000), never fewer than 20 x k. */
  rescoreCandidates?: number;
}

export interface VectorSearchOptions {
  /** Score every row exactly, however many there are (the benchmark's reference). */
  exact?: boolean;
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
  const prefixes =
    filters.sourcePrefixes && filters.sourcePrefixes.length > 0 ? filters.sourcePrefixes : undefined;
  if (!tags && !prefixes) return undefined;
  return (row) =>
    (!tags || row.tags.some((tag) => tags.has(tag))) &&
    (!prefixes || prefixes.some((prefix) => row.source.startsWith(prefix)));
}

/**
 * The best `capacity` (slot, score) pairs seen, as a min-heap on score (the worst kept one at the root), so a
 * score that cannot enter costs one comparison.
 */
class TopCandidates {
  readonly slots: Int32Array;
  readonly scores: Float32Array;
  size = 0;

  constructor(private readonly capacity: number) {
    this.slots = new Int32Array(capacity);
    this.scores = new Float32Array(capacity);
  }

  /** The score a new entry must beat once full. */
  get floor(): number {
    return this.size < this.capacity ? -Infinity : this.scores[0]!;
  }

  offer(slot: number, score: number): void {
    const { slots, scores } = this;
    if (this.size < this.capacity) {
      let position = this.size++;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (scores[parent]! <= score) break;
        slots[position] = slots[parent]!;
        scores[position] = scores[parent]!;
        position = parent;
      }
      slots[position] = slot;
      scores[position] = score;
      return;
    }
    if (score <= scores[0]!) return;
    // Replace the root and sift down.
    let position = 0;
    const size = this.size;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && scores[right]! < scores[left]! ? right : left;
      if (scores[child]! >= score) break;
      slots[position] = slots[child]!;
      scores[position] = scores[child]!;
      position = child;
    }
    slots[position] = slot;
    scores[position] = score;
  }
}

const initialCapacity = 1024;
/** Bytes at the start of the kernel's memory that hold the query's code. */
const queryCodeBytes = 1024;

export class VectorIndex {
  readonly dimensions: number;
  private readonly exactUpTo: number;
  private readonly rescoreCandidates: number;
  /** 64-bit words of one code: one bit per dimension. */
  private readonly codeWords: number;
  private capacity = 0;
  /** Slots in use, dead ones included; live ones are `slotCount - dead`. */
  private slotCount = 0;
  private dead = 0;
  private rows: Array<VectorRow | undefined> = [];
  /** 1 for a slot holding a row, 0 for a hole: the scans read this rather than `rows`. */
  private live = new Uint8Array(0);
  private matrix = new Float32Array(0);
  private readonly kernel: HammingKernel;
  private readonly slotOfSeq = new Map<number, number>();
  /** The mean the codes are taken around, and the live row count it was computed at. */
  private centre: Float32Array;
  private centreRows = 0;

  constructor(dimensions: number, options: VectorIndexOptions = {}) {
    this.dimensions = dimensions;
    this.exactUpTo = options.exactUpTo ?? 4_000;
    this.rescoreCandidates = options.rescoreCandidates ?? 1_000;
    this.codeWords = Math.ceil(dimensions / 64);
    if (this.codeWords * 8 > queryCodeBytes)
      throw new Error(`vectors of ${dimensions} dimensions are too long for the vector index`);
    this.centre = new Float32Array(dimensions);
    this.kernel = createHammingKernel(queryCodeBytes);
  }

  /** Rows that can be found. */
  get size(): number {
    return this.slotCount - this.dead;
  }

  has(seq: number): boolean {
    return this.slotOfSeq.has(seq);
  }

  /** Adds (or replaces) a row; `vector` must be unit length and of `dimensions` floats. */
  add(row: VectorRow, vector: Float32Array): void {
    if (vector.length !== this.dimensions)
      throw new Error(`vector has ${vector.length} dimensions, the index ${this.dimensions}`);
    this.remove(row.seq);
    if (this.slotCount === this.capacity) this.grow(Math.max(initialCapacity, this.capacity * 2));
    const slot = this.slotCount++;
    this.rows[slot] = row;
    this.live[slot] = 1;
    this.matrix.set(vector, slot * this.dimensions);
    this.encode(
      this.matrix.subarray(slot * this.dimensions, (slot + 1) * this.dimensions),
      this.codeOffset(slot),
    );
    this.slotOfSeq.set(row.seq, slot);
    // The codes are taken around the mean of the rows seen when it was last computed; recompute it (and every
    // code) each time the index has doubled, so it follows a knowledge base that grows from nothing.
    if (this.size >= 2 * Math.max(this.centreRows, 500)) this.recentre();
  }

  remove(seq: number): void {
    const slot = this.slotOfSeq.get(seq);
    if (slot === undefined) return;
    this.slotOfSeq.delete(seq);
    this.rows[slot] = undefined;
    this.live[slot] = 0;
    this.dead += 1;
    if (this.dead > 1_000 && this.dead > this.size / 4) this.compact();
  }

  /** The k rows most similar to the query (unit length) that pass the filter, best first; ties by seq. */
  search(
    query: Float32Array,
    k: number,
    filter?: (row: VectorRow) => boolean,
    options: VectorSearchOptions = {},
  ): ScoredRow[] {
    if (k <= 0 || this.size === 0) return [];
    if (query.length !== this.dimensions)
      throw new Error(`query has ${query.length} dimensions, the index ${this.dimensions}`);
    let passing: Int32Array | undefined;
    if (filter) {
      const slots: number[] = [];
      for (let slot = 0; slot < this.slotCount; slot += 1) {
        const row = this.rows[slot];
        if (row && filter(row)) slots.push(slot);
      }
      passing = Int32Array.from(slots);
    }
    const candidateCount = passing ? passing.length : this.size;
    const rescore = Math.max(this.rescoreCandidates, 20 * k);
    if (options.exact || candidateCount <= Math.max(this.exactUpTo, rescore))
      return this.exactTop(query, k, passing);
    return this.exactTop(query, k, this.nearestByCode(query, rescore, passing));
  }

  /** Exact dot products over the given slots (every live slot when undefined). */
  private exactTop(query: Float32Array, k: number, slots: Int32Array | undefined): ScoredRow[] {
    const top = new TopCandidates(k);
    const { dimensions, matrix, rows, live } = this;
    const count = slots ? slots.length : this.slotCount;
    for (let index = 0; index < count; index += 1) {
      const slot = slots ? slots[index]! : index;
      if (live[slot] === 0) continue;
      const offset = slot * dimensions;
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      let dimension = 0;
      for (; dimension + 3 < dimensions; dimension += 4) {
        a += matrix[offset + dimension]! * query[dimension]!;
        b += matrix[offset + dimension + 1]! * query[dimension + 1]!;
        c += matrix[offset + dimension + 2]! * query[dimension + 2]!;
        d += matrix[offset + dimension + 3]! * query[dimension + 3]!;
      }
      for (; dimension < dimensions; dimension += 1) a += matrix[offset + dimension]! * query[dimension]!;
      top.offer(slot, a + b + c + d);
    }
    const hits: ScoredRow[] = [];
    for (let index = 0; index < top.size; index += 1) {
      // Float32 rounding can push a unit dot product a hair past 1.
      hits.push({ seq: rows[top.slots[index]!]!.seq, score: Math.max(-1, Math.min(1, top.scores[index]!)) });
    }
    return hits.sort((left, right) => right.score - left.score || left.seq - right.seq);
  }

  /** The `count` live slots (of `slots`, or of all) whose codes are nearest the query's, in slot order. */
  private nearestByCode(query: Float32Array, count: number, slots: Int32Array | undefined): Int32Array {
    const { kernel, codeWords, live } = this;
    this.encode(query, 0);
    const distancesOffset = this.codeOffset(this.capacity);
    kernel.hamming(this.codeOffset(0), this.slotCount, codeWords, 0, distancesOffset);
    const distances = new Uint16Array(kernel.memory.buffer, distancesOffset, this.slotCount);
    // A histogram of the distances finds the cut-off in two passes, without sorting.
    const histogram = new Uint32Array(codeWords * 64 + 1);
    const total = slots ? slots.length : this.slotCount;
    for (let index = 0; index < total; index += 1) {
      const slot = slots ? slots[index]! : index;
      if (live[slot] === 1) histogram[distances[slot]!]! += 1;
    }
    let cutOff = 0;
    for (let seen = 0; cutOff < histogram.length; cutOff += 1) {
      seen += histogram[cutOff]!;
      if (seen >= count) break;
    }
    const chosen = new Int32Array(count);
    let taken = 0;
    let atCutOff = count;
    for (let distance = 0; distance < cutOff; distance += 1) atCutOff -= histogram[distance]!;
    for (let index = 0; index < total && taken < count; index += 1) {
      const slot = slots ? slots[index]! : index;
      if (live[slot] === 0) continue;
      const distance = distances[slot]!;
      if (distance < cutOff || (distance === cutOff && atCutOff-- > 0)) chosen[taken++] = slot;
    }
    return chosen.subarray(0, taken);
  }

  /** Where a slot's code lives in the kernel's memory (the query's code is at 0). */
  private codeOffset(slot: number): number {
    return queryCodeBytes + slot * this.codeWords * 8;
  }

  /** Writes the code of `vector` (the signs of vector - centre) at `offset` in the kernel's memory. */
  private encode(vector: Float32Array, offset: number): void {
    const { dimensions, centre } = this;
    const bytes = new Uint8Array(this.kernel.memory.buffer, offset, this.codeWords * 8);
    bytes.fill(0);
    for (let dimension = 0; dimension < dimensions; dimension += 1) {
      if (vector[dimension]! > centre[dimension]!) bytes[dimension >> 3]! |= 1 << (dimension & 7);
    }
  }

  private recentre(): void {
    const { dimensions, matrix } = this;
    const sum = new Float64Array(dimensions);
    let live = 0;
    for (let slot = 0; slot < this.slotCount; slot += 1) {
      if (!this.rows[slot]) continue;
      live += 1;
      const offset = slot * dimensions;
      for (let dimension = 0; dimension < dimensions; dimension += 1)
        sum[dimension]! += matrix[offset + dimension]!;
    }
    this.centre = Float32Array.from(sum, (value) => (live > 0 ? value / live : 0));
    this.centreRows = live;
    for (let slot = 0; slot < this.slotCount; slot += 1) {
      if (this.rows[slot])
        this.encode(matrix.subarray(slot * dimensions, (slot + 1) * dimensions), this.codeOffset(slot));
    }
  }

  private grow(capacity: number): void {
    const matrix = new Float32Array(capacity * this.dimensions);
    matrix.set(this.matrix.subarray(0, this.slotCount * this.dimensions));
    this.matrix = matrix;
    const live = new Uint8Array(capacity);
    live.set(this.live.subarray(0, this.slotCount));
    this.live = live;
    // Codes, then one uint16 distance per slot as the kernel's scratch.
    const needed = this.codeOffset(capacity) + capacity * 2;
    const { memory } = this.kernel;
    if (needed > memory.buffer.byteLength)
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65_536));
    this.capacity = capacity;
  }

  /** Moves the live rows together, dropping the holes removals left. */
  private compact(): void {
    const { dimensions } = this;
    const codeBytes = this.codeWords * 8;
    const codes = new Uint8Array(this.kernel.memory.buffer);
    let target = 0;
    for (let slot = 0; slot < this.slotCount; slot += 1) {
      const row = this.rows[slot];
      if (!row) continue;
      if (target !== slot) {
        this.rows[target] = row;
        this.live[target] = 1;
        this.matrix.copyWithin(target * dimensions, slot * dimensions, (slot + 1) * dimensions);
        codes.copyWithin(this.codeOffset(target), this.codeOffset(slot), this.codeOffset(slot) + codeBytes);
        this.slotOfSeq.set(row.seq, target);
      }
      target += 1;
    }
    this.rows.length = target;
    this.live.fill(0, target, this.slotCount);
    this.slotCount = target;
    this.dead = 0;
  }
}
