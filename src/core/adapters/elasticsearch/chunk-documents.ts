import type { Chunk } from '../../ports/index.ts';

/** A chunk as stored in the chunk index: snake_case fields, as the mapping in mappings.ts declares them. */
export interface ChunkDocument {
  id: string;
  doc_id: string;
  source: string;
  title: string;
  headings: string[];
  text: string;
  embedding?: number[];
  tags: string[];
  updated_at: string;
  content_hash: string;
  document_hash: string;
  ordinal: number;
}

export function toChunkDocument(chunk: Chunk): ChunkDocument {
  return {
    id: chunk.id,
    doc_id: chunk.docId,
    source: chunk.source,
    title: chunk.title,
    headings: chunk.headingPath,
    text: chunk.text,
    embedding: chunk.embedding,
    tags: chunk.tags,
    updated_at: chunk.updatedAt,
    content_hash: chunk.contentHash,
    document_hash: chunk.documentHash,
    ordinal: chunk.ordinal,
  };
}

/** Search hits leave the vector out (it is large and useless to callers), so their chunks carry `embedding: []`. */
export function fromChunkDocument(document: ChunkDocument): Chunk {
  return {
    id: document.id,
    docId: document.doc_id,
    source: document.source,
    title: document.title,
    headingPath: document.headings ?? [],
    text: document.text,
    embedding: document.embedding ?? [],
    tags: document.tags ?? [],
    updatedAt: document.updated_at,
    contentHash: document.content_hash,
    documentHash: document.document_hash,
    ordinal: document.ordinal,
  };
}

/** `_source` filter for searches: every field except the vector. */
export const withoutEmbedding = { excludes: ['embedding'] };
