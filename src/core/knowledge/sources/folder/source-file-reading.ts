import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** How much of the start of a file is checked for NUL bytes: the same rule git uses to call a file binary. */
const binaryProbeBytes = 8192;

export function containsNulByte(bytes: Uint8Array): boolean {
  return bytes.subarray(0, binaryProbeBytes).includes(0);
}

/** Reads the first bytes of a file to tell text from binary without reading it all. */
export async function looksBinary(filePath: string): Promise<boolean> {
  const handle = await open(filePath, 'r');
  try {
    const probe = new Uint8Array(binaryProbeBytes);
    const { bytesRead } = await handle.read(probe, 0, binaryProbeBytes, 0);
    return containsNulByte(probe.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** sha256 of a file read as a stream, for files too big to hold. */
export async function sha256OfFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const bytes of createReadStream(filePath)) hash.update(bytes as Buffer);
  return hash.digest('hex');
}

/** UTF-8 text of whole bytes; a byte-order mark is dropped and invalid bytes become U+FFFD rather than failing. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Cuts a piece of at most about `targetLength` characters off the front of a buffer, at the best boundary before
 * that length: the last blank line outside a fenced code block, else the last line end (closing an open fence in
 * the piece and re-opening it in the rest). A first line longer than the target is cut at its end if the buffer
 * holds it, else at the target.
 */
export function splitOffPiece(text: string, targetLength: number): { piece: string; rest: string } {
  type Fence = { mark: string; line: string } | undefined;
  let fence: Fence;
  let blankBoundary = -1;
  let lineBoundary = -1;
  let fenceAtLineBoundary: Fence;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) break;
    if (end + 1 > targetLength && lineBoundary > 0) break;
    const line = text.slice(start, end);
    const mark = /^[ \t]*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && mark !== undefined) fence = { mark, line };
    else if (fence !== undefined && mark !== undefined && mark.startsWith(fence.mark) && line.trim() === mark)
      fence = undefined;
    if (fence === undefined && line.trim().length === 0) blankBoundary = end + 1;
    lineBoundary = end + 1;
    fenceAtLineBoundary = fence;
    start = end + 1;
    if (end + 1 > targetLength) break;
  }
  if (blankBoundary > 0 && blankBoundary < text.length) {
    return { piece: text.slice(0, blankBoundary), rest: text.slice(blankBoundary) };
  }
  if (lineBoundary > 0 && lineBoundary < text.length) {
    const piece = text.slice(0, lineBoundary);
    const rest = text.slice(lineBoundary);
    return fenceAtLineBoundary === undefined
      ? { piece, rest }
      : { piece: `${piece}${fenceAtLineBoundary.mark}\n`, rest: `${fenceAtLineBoundary.line}\n${rest}` };
  }
  let cut = Math.min(Math.max(targetLength, 1), text.length);
  // Never split a surrogate pair.
  if (cut < text.length && /[\uD800-\uDBFF]/.test(text[cut - 1]!)) cut -= 1;
  return { piece: text.slice(0, cut), rest: text.slice(cut) };
}

/** Reads a text file in pieces of about `pieceLength` characters, each cut at a sensible boundary. */
export async function* readTextPieces(filePath: string, pieceLength: number): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  for await (const bytes of createReadStream(filePath, { highWaterMark: 64 * 1024 })) {
    buffer += decoder.decode(bytes as Buffer, { stream: true });
    while (buffer.length >= pieceLength) {
      const { piece, rest } = splitOffPiece(buffer, pieceLength);
      yield piece;
      buffer = rest;
    }
  }
  buffer += decoder.decode();
  if (buffer.length > 0) yield buffer;
}
