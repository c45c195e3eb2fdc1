/**
 * The ids of documents written from text rather than read from a source (verified answers): every source and the
 * pipeline leave them to their owner, who writes them again. No file path or URL a source makes starts with one.
 */
export const textDocumentPrefixes = ['verified/'] as const;

export function isTextDocumentId(docId: string): boolean {
  return textDocumentPrefixes.some((prefix) => docId.startsWith(prefix));
}
