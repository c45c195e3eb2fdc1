import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../../src/core/knowledge/loaders/document-loader.ts';
import { loaderForExtension } from '../../src/core/knowledge/loaders/loader-registry.ts';

const manual = fileURLToPath(new URL('../../docs/', import.meta.url));
const settings = { chunkTokens: 200, chunkOverlapTokens: 30 };

// `npm start` ingests docs/ as the knowledge base a new user first questions: a page the loader refuses (front matter
// that is not YAML, say) is silently missing from every answer, so every page must load.
describe("the project's own manual", () => {
  it('loads every page with a title and passages', async () => {
    const pages = (await readdir(manual)).filter((name) => loaderForExtension(path.extname(name)));
    expect(pages.length).toBeGreaterThan(10);
    for (const page of pages) {
      const loader = loaderForExtension(path.extname(page))!;
      const text = await readFile(path.join(manual, page), 'utf8');
      const loaded = loadDocument(loader, text, settings, { path: `docs/${page}` });
      expect(loaded.title, page).toBeTruthy();
      expect(loaded.chunks.length, page).toBeGreaterThan(0);
    }
  });
});
