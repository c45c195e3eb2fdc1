import { createHash } from 'node:crypto';
import type { Split } from '../ports/index.ts';

/** A number in [0, 1) that depends only on the id: the same example lands on the same side in every snapshot. */
export function stableFraction(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32;
}

export function splitFor(id: string, validationShare: number): Split {
  return stableFraction(id) < validationShare ? 'validation' : 'train';
}

/** Assigns each example its split by the hash of its id; returns new objects. */
export function assignSplits<T extends { id: string; split: Split }>(
  examples: T[],
  validationShare: number,
): T[] {
  return examples.map((example) => ({ ...example, split: splitFor(example.id, validationShare) }));
}
