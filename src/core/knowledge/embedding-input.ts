/**
 * What the embedder sees for a chunk: the document title and heading path above the passage, so a passage under
 * "Install > On Linux" is found by a question about installing even when its own words never say "install".
 * The stored text stays the bare passage; this context exists only in the vector.
 */
export function embeddingInput(chunk: { title: string; headingPath: string[]; text: string }): string {
  const headings = chunk.headingPath[0] === chunk.title ? chunk.headingPath.slice(1) : chunk.headingPath;
  const context = [chunk.title, ...headings].filter((part) => part.trim().length > 0).join(' > ');
  return context.length > 0 ? `${context}\n\n${chunk.text}` : chunk.text;
}
