import matter from 'gray-matter';
import { InputError } from '../../errors/index.ts';
import { type ChunkDraft, chunkMarkdownPiece } from '../chunker.ts';
import { type DocumentLoader, normalizeTags } from './document-loader.ts';
import { type HeadingEntry, normalizeLineEndings } from '../markdown-structure.ts';

export interface FrontMatter {
  title?: string;
  tags: string[];
  source?: string;
  /** The document without its front matter. */
  body: string;
}

const refuseToRun = {
  parse() {
    throw new Error('JavaScript front matter is not supported: it would run code from the document');
  },
};

/**
 * Reads YAML front matter (title, tags, source or url). gray-matter would `eval` front matter marked `---js`,
 * so that engine is replaced; options are always passed, which also keeps gray-matter from caching every file.
 */
export function readFrontMatter(markdown: string, path: string): FrontMatter {
  let parsed: { data: Record<string, unknown>; content: string };
  try {
    parsed = matter(markdown, { engines: { javascript: refuseToRun, js: refuseToRun } });
  } catch (error) {
    // The YAML parser's first line ends with a colon before the excerpt it shows on the next lines.
    const reason = (error instanceof Error ? error.message.split('\n')[0]! : String(error)).replace(
      /:\s*$/,
      '',
    );
    throw new InputError(
      `${path}: front matter could not be read (${reason}); fix the YAML between the --- lines.`,
    );
  }
  const data = parsed.data ?? {};
  // YAML reads an unquoted `title: 2024-01-01` as a date: it is the title as written.
  const text = (value: unknown) =>
    value instanceof Date && !Number.isNaN(value.getTime())
      ? value
          .toISOString()
          .slice(0, value.getUTCHours() || value.getUTCMinutes() ? 16 : 10)
          .replace('T', ' ')
      : typeof value === 'string' || typeof value === 'number'
        ? String(value).trim() || undefined
        : undefined;
  return {
    title: text(data.title),
    tags: normalizeTags(data.tags),
    source: text(data.source) ?? text(data.url),
    body: parsed.content,
  };
}

/** MDX `import` and `export` statements are code for the site builder, not text for readers. */
export function stripMdxStatements(markdown: string): string {
  const lines = markdown.split('\n');
  const kept: string[] = [];
  let fence: string | undefined;
  let inStatement = false;
  for (const line of lines) {
    const fenceMark = /^[ \t]*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (fenceMark !== undefined && fenceMark.startsWith(fence)) fence = undefined;
      kept.push(line);
      continue;
    }
    if (inStatement) {
      // A multi-line statement ends at the first blank line.
      inStatement = line.trim().length > 0;
      continue;
    }
    if (/^(?:import|export)\s/.test(line)) {
      inStatement = !/;\s*$/.test(line) && !/^import\s.+\sfrom\s+['"][^'"]+['"]\s*$/.test(line);
      continue;
    }
    if (fenceMark !== undefined) fence = fenceMark;
    kept.push(line);
  }
  return kept.join('\n');
}

function createMarkdownLoader(extensions: string[], mdx: boolean, mediaTypes: string[]): DocumentLoader {
  return {
    extensions,
    mediaTypes,
    createReader(settings, context) {
      const chunks: ChunkDraft[] = [];
      let headings: HeadingEntry[] = [];
      let frontMatter: FrontMatter | undefined;
      let firstTopHeading: string | undefined;
      return {
        addPiece(piece) {
          let markdown = normalizeLineEndings(piece);
          if (frontMatter === undefined) {
            frontMatter = readFrontMatter(markdown, context.path);
            markdown = frontMatter.body;
          }
          if (mdx) markdown = stripMdxStatements(markdown);
          const chunked = chunkMarkdownPiece(markdown, settings, headings);
          chunks.push(...chunked.chunks);
          headings = chunked.headings;
          firstTopHeading ??= chunked.firstTopHeading;
        },
        finish: () => ({
          title: frontMatter?.title ?? firstTopHeading,
          tags: frontMatter?.tags ?? [],
          source: frontMatter?.source,
          chunks,
        }),
      };
    },
  };
}

export const markdownLoader = createMarkdownLoader(['.md', '.markdown'], false, [
  'text/markdown',
  'text/x-markdown',
]);
export const mdxLoader = createMarkdownLoader(['.mdx'], true, ['text/mdx']);
