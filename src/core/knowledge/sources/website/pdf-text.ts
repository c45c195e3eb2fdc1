/** Text of a PDF's pages, through unpdf (PDF.js); loaded only when a site links to a PDF. */
export async function pdfText(bytes: Uint8Array): Promise<{ text: string; title?: string }> {
  const { extractText, getDocumentProxy, getMeta } = await import('unpdf');
  const document = await getDocumentProxy(bytes, { verbosity: 0 });
  try {
    const { text } = await extractText(document, { mergePages: false });
    const meta = await getMeta(document).catch(() => undefined);
    const title =
      typeof meta?.info?.Title === 'string' && meta.info.Title.trim() ? meta.info.Title.trim() : undefined;
    return { text: (Array.isArray(text) ? text : [text]).join('\n\n'), ...(title ? { title } : {}) };
  } finally {
    await document.destroy();
  }
}
