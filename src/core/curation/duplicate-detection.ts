/** One example as duplicate detection sees it: the user's question and the answer taught for it. */
export interface DuplicateCandidate {
  id: string;
  question: string;
  answer: string;
}

export interface DroppedDuplicate {
  id: string;
  /** The kept example it repeats. */
  duplicateOf: string;
  kind: 'exact' | 'near';
  /** Word 3-gram Jaccard similarity (1 for exact duplicates). */
  similarity: number;
}

export interface DuplicateReport {
  keptIds: string[];
  dropped: DroppedDuplicate[];
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Word 3-grams; a text shorter than three words contributes itself as one shingle, so it still compares. */
export function wordTrigrams(text: string): Set<string> {
  const tokens = words(text);
  if (tokens.length < 3) return new Set(tokens.length > 0 ? [tokens.join(' ')] : []);
  const shingles = new Set<string>();
  for (let index = 0; index + 3 <= tokens.length; index += 1)
    shingles.add(tokens.slice(index, index + 3).join(' '));
  return shingles;
}

export function jaccardSimilarity(left: Set<string>, right: Set<string>): number {
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  const [smaller, larger] = left.size <= right.size ? [left, right] : [right, left];
  for (const shingle of smaller) if (larger.has(shingle)) shared += 1;
  return shared / (left.size + right.size - shared);
}

/**
 * Keeps the first of each group of exact or near duplicates (in input order, so callers put the example
 * they prefer first). Near means word 3-gram Jaccard similarity of question + answer at least `threshold`.
 * A threshold above 1 turns near-duplicate detection off; exact duplicates are always dropped.
 */
export function findDuplicates(candidates: DuplicateCandidate[], threshold: number): DuplicateReport {
  const keptIds: string[] = [];
  const dropped: DroppedDuplicate[] = [];
  const exactSeen = new Map<string, string>();
  const kept: Array<{ id: string; shingles: Set<string> }> = [];
  for (const candidate of candidates) {
    const exactKey = `${normalise(candidate.question)}\u0000${normalise(candidate.answer)}`;
    const exactOf = exactSeen.get(exactKey);
    if (exactOf !== undefined) {
      dropped.push({ id: candidate.id, duplicateOf: exactOf, kind: 'exact', similarity: 1 });
      continue;
    }
    const shingles = wordTrigrams(`${candidate.question} ${candidate.answer}`);
    let nearest: { id: string; similarity: number } | undefined;
    if (threshold <= 1) {
      for (const other of kept) {
        // Jaccard can reach the threshold only when the smaller set is at least threshold x the larger one.
        const sizes = [shingles.size, other.shingles.size].sort((a, b) => a - b) as [number, number];
        if (sizes[1] > 0 && sizes[0] / sizes[1] < threshold) continue;
        const similarity = jaccardSimilarity(shingles, other.shingles);
        if (similarity >= threshold && (!nearest || similarity > nearest.similarity))
          nearest = { id: other.id, similarity };
      }
    }
    if (nearest) {
      dropped.push({
        id: candidate.id,
        duplicateOf: nearest.id,
        kind: 'near',
        similarity: Number(nearest.similarity.toFixed(4)),
      });
      continue;
    }
    exactSeen.set(exactKey, candidate.id);
    kept.push({ id: candidate.id, shingles });
    keptIds.push(candidate.id);
  }
  return { keptIds, dropped };
}
