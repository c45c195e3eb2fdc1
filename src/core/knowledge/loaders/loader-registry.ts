import type { DocumentLoader } from './document-loader.ts';
import { htmlLoader } from './html-loader.ts';
import { markdownLoader, mdxLoader } from './markdown-loader.ts';
import { textLoader } from './text-loader.ts';
import { webPageLoader } from './web-page-loader.ts';

const loaders: DocumentLoader[] = [markdownLoader, mdxLoader, htmlLoader, textLoader, webPageLoader];

/** The loader for a file extension (with its dot, any case), or undefined when no loader reads it. */
export function loaderForExtension(extension: string): DocumentLoader | undefined {
  const wanted = extension.toLowerCase();
  return loaders.find((loader) => loader.extensions.includes(wanted));
}

/** The loader for a format: a file extension (`.md`) or a media type a website serves (`text/html`). */
export function loaderForFormat(format: string): DocumentLoader | undefined {
  const wanted = format.toLowerCase();
  return wanted.includes('/')
    ? loaders.find((loader) => loader.mediaTypes?.includes(wanted))
    : loaderForExtension(wanted);
}

/** Every extension some loader reads. */
export const readableExtensions: readonly string[] = loaders.flatMap((loader) => loader.extensions);
