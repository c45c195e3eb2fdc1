import type { Chunk, StoredSentence } from '../../ports/index.ts';

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
  /** The sentence texts, and their Float32 vectors one after another, base64. */
  sentences?: { texts: string[]; vectors: string };
  sentence_count?: number;
}

function encodeSentences(sentences: StoredSentence[]): { texts: string[]; vectors: string } {
  const dimensions = sentences[0]?.vector.length ?? 0;
  const packed = new Float32Array(sentences.length * dimensions);
  sentences.forEach((sentence, index) => packed.set(sentence.vector, index * dimensions));
  return {
    texts: sentences.map((sentence) => sentence.text),
    vectors: Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('base64'),
  };
}

function decodeSentences(stored: { texts: string[]; vectors: string }): StoredSentence[] {
  const bytes = Buffer.from(stored.vectors, 'base64');
  const all = new Float32Array(Uint8Array.from(bytes).buffer);
  const dimensions = stored.texts.length === 0 ? 0 : all.length / stored.texts.length;
  return stored.texts.map((text, index) => ({
    text,
    vector: Array.from(all.subarray(index * dimensions, (index + 1) * dimensions)),
  }));
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
    ...(chunk.sentences
      ? { sentences: encodeSentences(chunk.sentences), sentence_count: chunk.sentences.length }
      : {}),
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
    ...(document.sentences ? { sentences: decodeSentences(document.sentences) } : {}),
  };
}

/** `_source` filter for searches: every field except the vectors. */
export const withoutEmbedding = { excludes: ['embedding', 'sentences'] };
