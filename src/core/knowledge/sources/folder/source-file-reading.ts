import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';

/** How much of the start of a file is checked for NUL bytes: the same rule git uses to call a file binary. */
const binaryProbeBytes = 8192;

/** UTF-16 text, told by its byte-order mark (Windows tools such as PowerShell 5 write it); it is full of NUL bytes. */
function utf16Encoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

export function containsNulByte(bytes: Uint8Array): boolean {
  return utf16Encoding(bytes) === undefined && bytes.subarray(0, binaryProbeBytes).includes(0);
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

/** Windows-1252 text of bytes, piece by piece (Node's TextDecoder reads 'windows-1252' as Latin-1, so iconv-lite). */
function createWindows1252Decoder() {
  const decoder = iconv.getDecoder('windows-1252');
  return {
    decode: (bytes?: Uint8Array, _options?: { stream?: boolean }) =>
      bytes ? decoder.write(Buffer.from(bytes)) : (decoder.end() ?? ''),
  };
}

/** Windows-1252 text of whole bytes (Latin-1, ISO-8859-1 and ASCII are read this way, as browsers do). */
export function decodeWindows1252(bytes: Uint8Array): string {
  return iconv.decode(Buffer.from(bytes), 'windows-1252');
}

/** How a text file's bytes are read: UTF-8, or a legacy 8-bit encoding (Latin-1, Windows-1252). */
export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

/**
 * Tells UTF-8 text from legacy 8-bit text as it is decoded: bytes that are not UTF-8 (U+FFFD) in a file with no
 * UTF-8 character beyond ASCII mean Windows-1252 (which Latin-1 is part of). A UTF-8 file with a stray bad byte stays
 * UTF-8.
 */
function createEncodingSniffer() {
  let invalid = false;
  let utf8Characters = false;
  return {
    see(text: string) {
      if (!invalid && text.includes('\uFFFD')) invalid = true;
      if (!utf8Characters && /[\u0080-\uFFFC\uFFFE\uFFFF]/.test(text)) utf8Characters = true;
    },
    get encoding(): TextEncoding {
      return invalid && !utf8Characters ? 'windows-1252' : 'utf-8';
    },
  };
}

/** sha256 of a file read as a stream, for files too big to hold, and the encoding its text is read with. */
export async function sha256OfFile(filePath: string): Promise<{ hash: string; encoding: TextEncoding }> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8');
  const sniffer = createEncodingSniffer();
  let utf16: TextEncoding | undefined;
  let first = true;
  for await (const bytes of createReadStream(filePath)) {
    hash.update(bytes as Buffer);
    if (first) utf16 = utf16Encoding(bytes as Buffer);
    first = false;
    if (!utf16) sniffer.see(decoder.decode(bytes as Buffer, { stream: true }));
  }
  sniffer.see(decoder.decode());
  return { hash: hash.digest('hex'), encoding: utf16 ?? sniffer.encoding };
}

/**
 * The text of whole bytes: UTF-8 (a byte-order mark is dropped), or Windows-1252 for a legacy 8-bit file (see
 * createEncodingSniffer); a stray invalid byte in UTF-8 text becomes U+FFFD rather than failing.
 */
export function decodeText(bytes: Uint8Array): string {
  const utf16 = utf16Encoding(bytes);
  if (utf16) return new TextDecoder(utf16).decode(bytes);
  const text = new TextDecoder('utf-8').decode(bytes);
  const sniffer = createEncodingSniffer();
  sniffer.see(text);
  return sniffer.encoding === 'utf-8' ? text : createWindows1252Decoder().decode(bytes);
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
export async function* readTextPieces(
  filePath: string,
  pieceLength: number,
  encoding: TextEncoding = 'utf-8',
): AsyncGenerator<string> {
  const decoder = encoding === 'windows-1252' ? createWindows1252Decoder() : new TextDecoder(encoding);
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
