import { createHash } from 'node:crypto';

/** The hex sha256 of text or bytes: documents' and passages' content hashes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
