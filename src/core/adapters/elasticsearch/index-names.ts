/** Indices that hold records other than chunks, one per kind of record. */
export const recordKinds = [
  'conversations',
  'examples',
  'datasets',
  'dataset-versions',
  'models',
  'training-jobs',
  'evaluations',
  'key-values',
  'coordination',
  'thread-messages',
] as const;
export type RecordKind = (typeof recordKinds)[number];

/**
 * Every index is versioned and reached through an alias, so a new mapping can be built beside the old one
 * and swapped in at once. Code reads and writes through the alias only.
 */
export interface IndexName {
  alias: string;
  index: string;
}

export interface IndexNames {
  chunks: IndexName;
  records: Record<RecordKind, IndexName>;
}

/** Bump when a mapping changes in a way existing indices cannot take. */
export const mappingVersion = 1;

export function indexNames(prefix: string): IndexNames {
  const name = (kind: string): IndexName => ({
    alias: `${prefix}-${kind}`,
    index: `${prefix}-${kind}-v${mappingVersion}`,
  });
  const records = Object.fromEntries(recordKinds.map((kind) => [kind, name(kind)])) as Record<
    RecordKind,
    IndexName
  >;
  return { chunks: name('chunks'), records };
}
