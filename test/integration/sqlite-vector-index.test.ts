import { describe, expect, it } from 'vitest';
import { createHammingKernel } from '../../src/core/adapters/sqlite/hamming-kernel.ts';
import { normalise, rowFilter, VectorIndex } from '../../src/core/adapters/sqlite/vector-index.ts';
import { createRandom } from '../../bench/synthetic-corpus.ts';

const dimensions = 384;

/** Unit vectors in clusters, as sentence vectors of one corpus are: `clusters` centres, rows scattered around them. */
function clusteredVectors(count: number, clusters: number, seed: number): Float32Array[] {
  const random = createRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: clusters }, () =>
    normalise(Array.from({ length: dimensions }, gaussian)),
  );
  return Array.from({ length: count }, (_, index) => {
    const centre = centres[index % clusters]!;
    return normalise(Array.from(centre, (value) => value + (gaussian() * 0.8) / Math.sqrt(dimensions)));
  });
}

function filledIndex(
  vectors: Float32Array[],
  options?: ConstructorParameters<typeof VectorIndex>[1],
): VectorIndex {
  const index = new VectorIndex(dimensions, options);
  vectors.forEach((vector, position) =>
    index.add(
      {
        seq: position + 1,
        source: `docs/${position % 10 === 0 ? 'billing' : 'guide'}/page-${position}.md`,
        tags: position % 7 === 0 ? ['api'] : [],
      },
      vector,
    ),
  );
  return index;
}

const seqs = (hits: Array<{ seq: number }>) => hits.map((hit) => hit.seq);

describe('the Hamming kernel', () => {
  it('counts the differing bits of every code, as a plain popcount does', () => {
    const rows = 300;
    const words = 6;
    const kernel = createHammingKernel(64 + rows * words * 8 + rows * 2);
    const memory = new Uint8Array(kernel.memory.buffer);
    const random = createRandom(7);
    for (let offset = 0; offset < 64 + rows * words * 8; offset += 1)
      memory[offset] = Math.floor(random() * 256);
    const out = 64 + rows * words * 8;
    kernel.hamming(64, rows, words, 0, out);
    const distances = new Uint16Array(kernel.memory.buffer, out, rows);
    const bitsOf = (byte: number) => byte.toString(2).replaceAll('0', '').length;
    for (let row = 0; row < rows; row += 1) {
      let expected = 0;
      for (let byte = 0; byte < words * 8; byte += 1)
        expected += bitsOf(memory[64 + row * words * 8 + byte]! ^ memory[byte]!);
      expect(distances[row]).toBe(expected);
    }
  });
});

describe('VectorIndex', () => {
  const vectors = clusteredVectors(3_000, 40, 1);
  // Small thresholds so that 3,000 rows take the path large knowledge bases take: codes first, then exact scores.
  const options = { exactUpTo: 200, rescoreCandidates: 300 };

  it('finds with the codes what the exact scan finds, with exact scores', () => {
    const index = filledIndex(vectors, options);
    for (const probe of [5, 444, 2_999]) {
      const query = normalise(
        Array.from(vectors[probe]!, (value, position) => value + (position % 3 === 0 ? 0.01 : -0.01)),
      );
      const found = index.search(query, 10);
      const exact = index.search(query, 10, undefined, { exact: true });
      expect(seqs(found)).toEqual(seqs(exact));
      expect(found.map((hit) => hit.score)).toEqual(exact.map((hit) => hit.score));
      expect(found[0]!.seq).toBe(probe + 1);
    }
  });

  it('applies filters before the top k, so a filter matching few rows still fills it', () => {
    const index = filledIndex(vectors, options);
    const filter = rowFilter({ tags: ['api'], sourcePrefixes: ['docs/billing/'] })!;
    // Rows with both: position divisible by 7 and by 10, 43 of 3,000.
    const found = index.search(vectors[1]!, 10, filter);
    expect(found).toHaveLength(10);
    for (const hit of found) expect((hit.seq - 1) % 70).toBe(0);
    expect(seqs(found)).toEqual(seqs(index.search(vectors[1]!, 10, filter, { exact: true })));
    // A filter that most rows pass (all but every tenth) goes through the codes, and still returns only passing rows.
    const guide = rowFilter({ sourcePrefixes: ['docs/guide/'] })!;
    const guided = index.search(vectors[20]!, 10, guide);
    expect(guided).toHaveLength(10);
    for (const hit of guided) expect((hit.seq - 1) % 10).not.toBe(0);
    expect(seqs(guided)).toEqual(seqs(index.search(vectors[20]!, 10, guide, { exact: true })));
  });

  it('never returns a removed row, and finds the rest after holes are compacted away', () => {
    const index = filledIndex(vectors, options);
    for (let seq = 1; seq <= 2_000; seq += 1) index.remove(seq);
    expect(index.size).toBe(1_000);
    for (const probe of [0, 1_999, 2_000, 2_500]) {
      const found = index.search(vectors[probe]!, 5);
      for (const hit of found) expect(hit.seq).toBeGreaterThan(2_000);
      if (probe >= 2_000) expect(found[0]!.seq).toBe(probe + 1);
    }
  });

  it('replaces a row added again under the same seq', () => {
    const index = filledIndex(vectors.slice(0, 500), options);
    index.add({ seq: 1, source: 'docs/moved.md', tags: [] }, vectors[400]!);
    expect(index.size).toBe(500);
    const found = index.search(vectors[400]!, 2);
    expect(seqs(found).sort((a, b) => a - b)).toEqual([1, 401]);
    expect(index.search(vectors[0]!, 1)[0]!.seq).not.toBe(1);
  });

  it('keeps finding rows added after it was first searched, as a growing knowledge base adds them', () => {
    const index = new VectorIndex(dimensions, options);
    for (let position = 0; position < 3_000; position += 1) {
      index.add({ seq: position + 1, source: 'docs/page.md', tags: [] }, vectors[position]!);
      if (position % 997 === 0) expect(index.search(vectors[position]!, 1)[0]!.seq).toBe(position + 1);
    }
    expect(index.search(vectors[2_998]!, 1)[0]!.seq).toBe(2_999);
  });

  it('rejects a query of the wrong size', () => {
    expect(() => filledIndex(vectors.slice(0, 10)).search(new Float32Array(12), 3)).toThrow(/12 dimensions/);
  });
});
