import { describe, expect, it } from 'vitest';
import { assignSplits, splitFor, stableFraction } from '../../src/core/curation/index.ts';

describe('train/validation split', () => {
  it('puts the same id on the same side every time, whatever else is in the set', () => {
    const ids = Array.from({ length: 200 }, (_, index) => `support:conversation-${index}`);
    const first = assignSplits(
      ids.map((id) => ({ id, split: 'train' as const })),
      0.2,
    );
    const reordered = assignSplits(
      [...ids]
        .reverse()
        .slice(0, 120)
        .map((id) => ({ id, split: 'train' as const })),
      0.2,
    );
    for (const example of reordered) {
      expect(example.split).toBe(first.find((other) => other.id === example.id)?.split);
    }
  });

  it('holds out about the configured share', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => `example-${index}`);
    const validation = ids.filter((id) => splitFor(id, 0.2) === 'validation').length;
    expect(validation / ids.length).toBeGreaterThan(0.17);
    expect(validation / ids.length).toBeLessThan(0.23);
  });

  it('holds out nothing at share 0 and is a pure function of the id', () => {
    expect(['a', 'b', 'c'].map((id) => splitFor(id, 0))).toEqual(['train', 'train', 'train']);
    expect(stableFraction('abc')).toBe(stableFraction('abc'));
    expect(stableFraction('abc')).not.toBe(stableFraction('abd'));
  });
});
