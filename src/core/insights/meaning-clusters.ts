import { dotProduct as cosine } from '../math/vector-math.ts';

/**
 * Groups unit vectors by meaning: average-linkage agglomerative clustering, cut where the average cosine between
 * two groups falls below `threshold`. Average linkage (not single) keeps a chain of loosely related questions from
 * pulling two topics into one group. The nearest-neighbour chain finds the same merges as the textbook greedy
 * algorithm in O(n²) time; ties go to the lower index, so the same input always gives the same groups.
 *
 * Returns groups of indexes, each sorted, ordered by their first index; every index is in exactly one group.
 */
export function clusterByMeaning(vectors: readonly (readonly number[])[], threshold: number): number[][] {
  const count = vectors.length;
  if (count === 0) return [];
  // similarity[i * count + j] between the groups led by i and j (a group is named by its first member).
  const similarity = new Float64Array(count * count);
  for (let row = 0; row < count; row += 1)
    for (let column = row + 1; column < count; column += 1) {
      const value = cosine(vectors[row]!, vectors[column]!);
      similarity[row * count + column] = value;
      similarity[column * count + row] = value;
    }
  const size = new Array<number>(count).fill(1);
  const active = new Array<boolean>(count).fill(true);
  const merges: Array<{ left: number; right: number; similarity: number }> = [];
  const chain: number[] = [];
  let remaining = count;

  const nearest = (group: number): { other: number; value: number } => {
    let other = -1;
    let value = Number.NEGATIVE_INFINITY;
    for (let candidate = 0; candidate < count; candidate += 1) {
      if (candidate === group || !active[candidate]) continue;
      const current = similarity[group * count + candidate]!;
      if (current > value) {
        value = current;
        other = candidate;
      }
    }
    return { other, value };
  };

  while (remaining > 1) {
    if (chain.length === 0) chain.push(active.indexOf(true));
    const top = chain.at(-1)!;
    const { other, value } = nearest(top);
    const previous = chain.length > 1 ? chain.at(-2)! : -1;
    // Reciprocal nearest neighbours (the previous link wins a tie, so the chain cannot cycle): merge them.
    if (previous !== -1 && (other === previous || similarity[top * count + previous]! >= value)) {
      chain.pop();
      chain.pop();
      const kept = Math.min(top, previous);
      const gone = Math.max(top, previous);
      merges.push({ left: kept, right: gone, similarity: similarity[top * count + previous]! });
      // Lance-Williams for average linkage: the merged group's similarity to any other is the size-weighted mean.
      for (let candidate = 0; candidate < count; candidate += 1) {
        if (!active[candidate] || candidate === kept || candidate === gone) continue;
        const merged =
          (size[kept]! * similarity[kept * count + candidate]! +
            size[gone]! * similarity[gone * count + candidate]!) /
          (size[kept]! + size[gone]!);
        similarity[kept * count + candidate] = merged;
        similarity[candidate * count + kept] = merged;
      }
      size[kept] = size[kept]! + size[gone]!;
      active[gone] = false;
      remaining -= 1;
    } else {
      chain.push(other);
    }
  }

  // Average linkage is monotone, so cutting the dendrogram at the threshold keeps exactly the merges above it.
  const parent = Array.from({ length: count }, (_, index) => index);
  const root = (index: number): number => {
    let current = index;
    while (parent[current] !== current) current = parent[current]!;
    return current;
  };
  for (const merge of merges) {
    if (merge.similarity < threshold) continue;
    const left = root(merge.left);
    const right = root(merge.right);
    if (left !== right) parent[Math.max(left, right)] = Math.min(left, right);
  }
  const groups = new Map<number, number[]>();
  for (let index = 0; index < count; index += 1) {
    const key = root(index);
    const group = groups.get(key) ?? [];
    group.push(index);
    groups.set(key, group);
  }
  return [...groups.values()].sort((left, right) => left[0]! - right[0]!);
}

/** The member most similar on average to the others (the lowest index on a tie): a group's most central question. */
export function centralMember(vectors: readonly (readonly number[])[], members: readonly number[]): number {
  let best = members[0]!;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const member of members) {
    let score = 0;
    for (const other of members) if (other !== member) score += cosine(vectors[member]!, vectors[other]!);
    if (score > bestScore) {
      bestScore = score;
      best = member;
    }
  }
  return best;
}

/**
 * The vectors less their mean, made unit length again. Questions to one product share a direction (its
 * vocabulary, the shape of a question) that makes different topics look alike; taking it away leaves what tells
 * them apart. Needs enough questions for the mean to be the shared direction rather than one topic's.
 */
export function centred(vectors: readonly (readonly number[])[]): number[][] {
  if (vectors.length === 0) return [];
  const dimensions = vectors[0]!.length;
  const mean = new Array<number>(dimensions).fill(0);
  for (const vector of vectors)
    for (let index = 0; index < dimensions; index += 1) mean[index]! += vector[index]!;
  for (let index = 0; index < dimensions; index += 1) mean[index]! /= vectors.length;
  return vectors.map((vector) => {
    const difference = vector.map((value, index) => value - mean[index]!);
    const length = Math.hypot(...difference) || 1;
    return difference.map((value) => value / length);
  });
}
