/**
 * Reading one file for the pipeline: whole when it is small, else hashed and chunked in streamed pieces so a big
 * file is never held at once; binary files (NUL bytes) are told apart before any loader sees them.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ChunkingSettings } from '../../chunker.ts';
import { sha256 } from '../../content-hash.ts';
import { type DocumentLoader, type LoadedDocument, loadDocument } from '../../loaders/document-loader.ts';
import {
  containsNulByte,
  decodeText,
  looksBinary,
  readTextPieces,
  sha256OfFile,
} from './source-file-reading.ts';

export type ReadOutcome =
  | { kind: 'binary' }
  | { kind: 'unchanged' }
  | { kind: 'loaded'; documentHash: string; document: LoadedDocument };

export async function readSourceFile(
  file: string,
  docId: string,
  loader: DocumentLoader,
  chunking: ChunkingSettings,
  maxFileBytes: number,
  storedHash: string | undefined,
  /** Folds what else the stored hash covers (the source's tags) into the hash of the bytes. */
  decorateHash: (hash: string) => string = (hash) => hash,
): Promise<ReadOutcome> {
  const info = await stat(file);
  if (!info.isFile()) throw Object.assign(new Error('ENOTFILE: not a regular file'), { code: 'ENOTFILE' });
  if (info.size <= maxFileBytes) {
    const bytes = await readFile(file);
    if (containsNulByte(bytes)) return { kind: 'binary' };
    const documentHash = decorateHash(sha256(bytes));
    if (documentHash === storedHash) return { kind: 'unchanged' };
    return {
      kind: 'loaded',
      documentHash,
      document: loadDocument(loader, decodeText(bytes), chunking, { path: docId }),
    };
  }
  // Over the limit: never held whole. Hash in one streaming pass, chunk piece by piece in another.
  if (await looksBinary(file)) return { kind: 'binary' };
  const { hash, encoding } = await sha256OfFile(file);
  const documentHash = decorateHash(hash);
  if (documentHash === storedHash) return { kind: 'unchanged' };
  const reader = loader.createReader(chunking, { path: docId });
  for await (const piece of readTextPieces(file, maxFileBytes, encoding)) reader.addPiece(piece);
  return { kind: 'loaded', documentHash, document: reader.finish() };
}
