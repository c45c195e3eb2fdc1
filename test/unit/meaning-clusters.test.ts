import { describe, expect, it } from 'vitest';
import { centralMember, centred, clusterByMeaning } from '../../src/core/insights/meaning-clusters.ts';

const unit = (values: number[]) => {
  const length = Math.hypot(...values);
  return values.map((value) => value / length);
};

describe('clusterByMeaning', () => {
  it('puts every vector in exactly one group, ordered by first member', () => {
    const vectors = [
      unit([1, 0, 0]),
      unit([0, 1, 0]),
      unit([0.95, 0.1, 0]),
      unit([0, 0.9, 0.2]),
      unit([0, 0, 1]),
    ];
    expect(clusterByMeaning(vectors, 0.8)).toEqual([[0, 2], [1, 3], [4]]);
    expect(clusterByMeaning([], 0.5)).toEqual([]);
    expect(clusterByMeaning([unit([1, 1])], 0.5)).toEqual([[0]]);
  });

  it('does not chain: a bridge between two topics does not join them when the groups are far apart on average', () => {
    // a0, a1 close; b0, b1 close; the bridge sits between a1 and b0 (single linkage would join all five).
    const vectors = [
      unit([1, 0.05, 0]),
      unit([1, 0.3, 0]),
      unit([1, 1, 0]),
      unit([0.3, 1, 0]),
      unit([0.05, 1, 0]),
    ];
    const groups = clusterByMeaning(vectors, 0.85);
    expect(groups.flat().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(groups.some((group) => group.includes(0) && group.includes(4))).toBe(false);
  });

  it('gives the same groups for the same input, ties included', () => {
    const tied = [unit([1, 0]), unit([1, 0]), unit([0, 1]), unit([0, 1])];
    expect(clusterByMeaning(tied, 0.5)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(clusterByMeaning(tied, 0.5)).toEqual(clusterByMeaning(tied, 0.5));
  });

  it('names the most central member', () => {
    const vectors = [unit([1, 0.4]), unit([1, 0.1]), unit([1, -0.2])];
    expect(centralMember(vectors, [0, 1, 2])).toBe(1);
  });

  it('takes away the direction every vector shares, so topics that share a vocabulary come apart', () => {
    // Two topics on one product: a strong shared component, and a small one of their own.
    const vectors = [unit([1, 0.3, 0]), unit([1, 0.32, 0.01]), unit([1, 0, 0.3]), unit([1, 0.01, 0.32])];
    expect(clusterByMeaning(vectors, 0.8)).toEqual([[0, 1, 2, 3]]);
    const apart = centred(vectors);
    for (const vector of apart) expect(Math.hypot(...vector)).toBeCloseTo(1);
    expect(clusterByMeaning(apart, 0.8)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });
});
