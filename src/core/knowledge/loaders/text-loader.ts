import { chunkPlainText } from '../chunker.ts';
import type { ChunkDraft } from '../chunker.ts';
import type { DocumentLoader } from './document-loader.ts';

/** Plain text: no headings, no markup; a `#` at the start of a line is just text. */
export const textLoader: DocumentLoader = {
  extensions: ['.txt'],
  mediaTypes: ['text/plain'],
  createReader(settings) {
    const chunks: ChunkDraft[] = [];
    return {
      addPiece(text) {
        chunks.push(...chunkPlainText(text, settings));
      },
      finish: () => ({ tags: [], chunks }),
    };
  },
};
