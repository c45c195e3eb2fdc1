import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors/index.ts';
import { loadDocument } from '../../src/core/knowledge/loaders/document-loader.ts';
import { htmlLoader, htmlTitle } from '../../src/core/knowledge/loaders/html-loader.ts';
import { loaderForExtension } from '../../src/core/knowledge/loaders/loader-registry.ts';
import {
  markdownLoader,
  mdxLoader,
  readFrontMatter,
} from '../../src/core/knowledge/loaders/markdown-loader.ts';
import {
  containsNulByte,
  readTextPieces,
  splitOffPiece,
} from '../../src/core/knowledge/sources/folder/source-file-reading.ts';
import { textLoader } from '../../src/core/knowledge/loaders/text-loader.ts';
import { listFiles } from '../../src/core/knowledge/sources/folder/walk-files.ts';

const settings = { chunkTokens: 200, chunkOverlapTokens: 30 };
const fixtures = fileURLToPath(new URL('../fixtures/docs/', import.meta.url));

async function fixture(relative: string): Promise<string> {
  return readFile(path.join(fixtures, relative), 'utf8');
}

describe('Markdown loader', () => {
  it('reads title and tags from front matter and keeps the front matter out of every chunk', async () => {
    const document = loadDocument(markdownLoader, await fixture('getting-started.md'), settings, {
      path: 'getting-started.md',
    });
    expect(document.title).toBe('Getting started with Skyforge');
    expect(document.tags).toEqual(['onboarding', 'install']);
    expect(document.source).toBeUndefined();
    expect(document.chunks.map((chunk) => chunk.headingPath)).toEqual([
      ['Getting started'],
      ['Getting started', 'Install the desktop client'],
      ['Getting started', 'Install the desktop client', 'System requirements'],
      ['Getting started', 'Sign in'],
    ]);
    expect(document.chunks.some((chunk) => chunk.text.includes('tags:'))).toBe(false);
    // The # comments of the shell snippet stay inside its code block.
    expect(document.chunks[1]!.text).toContain('```bash\n# unpack the client into ~/.local\n');
    expect(document.chunks[2]!.text.startsWith('| Platform | Minimum version | Disk space |')).toBe(true);
  });

  it('falls back to the first level-1 heading for the title, setext ones included', async () => {
    const document = loadDocument(markdownLoader, await fixture('guides/password-reset.md'), settings, {
      path: 'guides/password-reset.md',
    });
    expect(document.title).toBe('Resetting your password');
    expect(document.tags).toEqual([]);
    expect(document.chunks.map((chunk) => chunk.headingPath.at(-1))).toEqual([
      'Resetting your password',
      'Reset from the sign-in page',
      'Accounts that use single sign-on',
    ]);
  });

  it('leaves the title undefined when the document names none', () => {
    const document = loadDocument(markdownLoader, '## Only a second-level heading\n\nText.', settings, {
      path: 'notes.md',
    });
    expect(document.title).toBeUndefined();
  });

  it('takes a source or url from front matter and accepts tags as a comma-separated string', () => {
    const withSource = readFrontMatter(
      '---\nsource: https://docs.example.com/a\ntags: billing, invoices , billing\n---\nBody',
      'a.md',
    );
    expect(withSource).toMatchObject({
      source: 'https://docs.example.com/a',
      tags: ['billing', 'invoices'],
      body: 'Body',
    });
    const withUrl = readFrontMatter('---\nurl: https://docs.example.com/b\ntitle: 2024\n---\nBody', 'b.md');
    expect(withUrl).toMatchObject({ source: 'https://docs.example.com/b', title: '2024' });
    // An unquoted date is read by YAML as a date; the release-notes page keeps it as its title.
    expect(readFrontMatter('---\ntitle: 2024-01-01\n---\nBody', 'c.md').title).toBe('2024-01-01');
  });

  it('names the file when the front matter is not valid YAML', () => {
    expect(() => readFrontMatter('---\ntitle: [unclosed\n---\nBody', 'guides/broken.md')).toThrow(InputError);
    expect(() => readFrontMatter('---\ntitle: [unclosed\n---\nBody', 'guides/broken.md')).toThrow(
      /guides\/broken\.md/,
    );
  });

  it('never runs JavaScript front matter', () => {
    const marker = '__answerloopFrontMatterRan';
    expect(() =>
      readFrontMatter(`---js\n{ title: (globalThis.${marker} = true, 'x') }\n---\nBody`, 'evil.md'),
    ).toThrow(InputError);
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
  });

  it('reads CRLF files like LF files', async () => {
    const text = await fixture('getting-started.md');
    const unix = loadDocument(markdownLoader, text, settings, { path: 'a.md' });
    const windows = loadDocument(markdownLoader, text.replace(/\n/g, '\r\n'), settings, { path: 'a.md' });
    expect(windows).toEqual(unix);
  });
});

describe('MDX loader', () => {
  it('drops import and export statements and uses the url from front matter', async () => {
    const document = loadDocument(mdxLoader, await fixture('blog/launch.mdx'), settings, {
      path: 'blog/launch.mdx',
    });
    expect(document.title).toBe('Skyforge 4.2 is here');
    expect(document.tags).toEqual(['announcement', 'release']);
    expect(document.source).toBe('https://skyforge.example.com/blog/launch-4-2');
    const text = document.chunks.map((chunk) => chunk.text).join('\n');
    expect(text).not.toMatch(/import|export|author/);
    expect(text).toContain('Parallel uploads make large files sync three times faster');
  });

  it('keeps import lines that are inside code blocks', () => {
    const document = loadDocument(mdxLoader, '# Code\n\n```js\nimport fs from "node:fs";\n```\n', settings, {
      path: 'x.mdx',
    });
    expect(document.chunks[0]!.text).toBe('```js\nimport fs from "node:fs";\n```');
  });
});

describe('HTML loader', () => {
  it('converts to Markdown, takes the <title>, and drops scripts, styles and navigation', async () => {
    const document = loadDocument(htmlLoader, await fixture('faq.html'), settings, { path: 'faq.html' });
    expect(document.title).toBe('Skyforge FAQ');
    const text = document.chunks.map((chunk) => chunk.text).join('\n\n');
    expect(text).not.toMatch(/analytics|not content|font-family|Pricing/);
    expect(document.chunks.map((chunk) => chunk.headingPath)).toEqual([
      ['Frequently asked questions', 'Billing'],
      ['Frequently asked questions', 'Troubleshooting'],
    ]);
    expect(document.chunks[0]!.text).toContain('Settings → Billing');
    expect(document.chunks[0]!.text).toContain(
      '| Plan | Price per user | Storage |\n| --- | --- | --- |\n| Team | $8 | 1 TB |\n| Business | $15 | 5 TB |',
    );
    expect(document.chunks[1]!.text).toContain(
      '```sh\n# show the last lines of the log\ntail -n 50 ~/.skyforge/logs/client.log\n```',
    );
  });

  it('falls back to the first h1 for the title and decodes entities in <title>', () => {
    expect(
      loadDocument(htmlLoader, '<h1>Only &amp; heading</h1><p>Body text.</p>', settings, { path: 'a.html' })
        .title,
    ).toBe('Only & heading');
    expect(htmlTitle('<title>\n  Q&amp;A &#8211; help\n</title>')).toBe('Q&A – help');
    expect(htmlTitle('<title>   </title>')).toBeUndefined();
  });

  it('keeps snake_case words unescaped but escapes what would turn text into a heading', () => {
    const document = loadDocument(
      htmlLoader,
      '<h1>Settings</h1><p>Set max_file_bytes here.</p><p># not a heading</p>',
      settings,
      { path: 'a.html' },
    );
    expect(document.chunks).toHaveLength(1);
    expect(document.chunks[0]!.headingPath).toEqual(['Settings']);
    expect(document.chunks[0]!.text).toBe('Set max_file_bytes here.\n\n\\# not a heading');
  });

  it('finds nothing in a page of navigation and scripts', () => {
    const document = loadDocument(
      htmlLoader,
      '<nav><a href="/">Home</a></nav><script>run()</script>',
      settings,
      { path: 'a.html' },
    );
    expect(document.chunks).toEqual([]);
  });
});

describe('navigation is not knowledge', () => {
  const docsIndexHtml = `<html><head><title>Guide</title></head><body>
<main>
<h1>Guide</h1>
<ul>
  <li><a href="install.html">Install</a></li>
  <li><a href="configure.html">Configure</a>
    <ul><li><a href="configure.html#proxy">Proxy settings</a></li></ul>
  </li>
  <li><a href="backup.html">Backups</a></li>
</ul>
<p><a href="https://github.com/example/guide/edit/main/index.md">Edit this page</a></p>
</main></body></html>`;

  it('drops a docs index page made of the sidebar list and an edit link', () => {
    const document = loadDocument(htmlLoader, docsIndexHtml, settings, { path: 'index.html' });
    expect(document.chunks).toEqual([]);
  });

  it('drops link lists, link rows and edit or share links from an HTML page and keeps its prose', () => {
    const document = loadDocument(
      htmlLoader,
      `<h1>Backups</h1>
<p>Backups run every night at 02:00 and are kept for 30 days.</p>
<ul><li><a href="restore.html">Restore a backup</a></li><li><a href="retention.html">Retention</a></li></ul>
<p><a href="prev.html">Previous</a> | <a href="next.html">Next</a></p>
<p><a href="https://twitter.com/share">Share on Twitter</a></p>
<p>See <a href="restore.html">restoring</a> to bring a backup back.</p>`,
      settings,
      { path: 'backups.html' },
    );
    const text = document.chunks.map((chunk) => chunk.text).join('\n\n');
    expect(text).toContain('Backups run every night at 02:00');
    expect(text).toContain('See [restoring](restore.html) to bring a backup back.');
    expect(text).not.toMatch(/Retention|Previous|Next|Twitter/);
  });

  it('drops a table of contents rendered as paragraphs of links and a Prev / Next header table', () => {
    const document = loadDocument(
      htmlLoader,
      `<div class="navheader"><table><tr><th colspan="3">Chapter 8. Tools</th></tr>
<tr><td><a href="a.html">&lt;&lt;&lt; Prev</a></td><td></td><td><a href="c.html">Next &gt;&gt;&gt;</a></td></tr></table></div>
<h1>Chapter 8. Tools</h1>
<p><b>Table of Contents</b></p>
<dl><dt>8.1. <a href="find.html">Find</a></dt><dt><a href="loan.html">8.2. Loan Assistant</a></dt>
<dt><a href="split.html">8.3. Stock Split</a></dt></dl>
<p>The tools are reached from the <b>Tools</b> menu of any window.</p>`,
      settings,
      { path: 'tools.html' },
    );
    expect(document.chunks.map((chunk) => chunk.text)).toEqual([
      'The tools are reached from the **Tools** menu of any window.',
    ]);
  });

  it('drops a Sphinx page breadcrumb, pager links and empty anchors, and the permalink marks of its headings', () => {
    const document = loadDocument(
      htmlLoader,
      `<div class="related"><ul>
<li><a href="list.html" title="borg list">next</a></li>
<li><a href="check.html" title="borg check">previous</a> |</li>
<li><a href="../index.html">Borg documentation</a> &raquo;</li>
<li><a href="../usage.html">Usage</a> &raquo;</li>
<li>borg rename</li></ul></div>
<p><a href="#"></a></p>
<h1>borg rename<a class="headerlink" href="#borg-rename" title="Permalink to this heading">¶</a></h1>
<p>This command renames an archive in the repository.</p>
<p><a href="check.html" title="previous chapter (use the left arrow)">borg check</a></p>
<p><a href="list.html" title="next chapter (use the right arrow)">borg list</a></p>`,
      settings,
      { path: 'usage/rename.html' },
    );
    expect(document.chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      [['borg rename'], 'This command renames an archive in the repository.'],
    ]);
  });

  it('drops what an element with role="navigation" holds, and a linked logo, as the Sphinx sidebar has them', () => {
    const document = loadDocument(
      htmlLoader,
      `<div class="related" role="navigation" aria-label="related navigation"><h3>Navigation</h3>
<ul><li><a href="support.html" accesskey="N">next</a></li><li><a href="index.html">Borg documentation</a> &raquo;</li>
<li><a href="">Frequently asked questions</a></li></ul></div>
<div class="sphinxsidebar"><a href="
    index.html" class="text-logo"><img src='_static/logo.svg' width='100%'> Borg 1.2.4</a></div>
<div role="navigation" aria-label="breadcrumbs navigation"><ol class="breadcrumb">
<li><a href="index.html">Docs</a></li><li>Frequently asked questions</li></ol></div>
<h1>Frequently asked questions</h1>
<p>Borg keeps a cache of the chunks it has seen.</p>
<p><img src="cache.png" alt="The cache directory"></p>`,
      settings,
      { path: 'faq.html' },
    );
    expect(document.chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      [
        ['Frequently asked questions'],
        'Borg keeps a cache of the chunks it has seen.\n\n![The cache directory](cache.png)',
      ],
    ]);
  });

  it('drops a badge or logo that links somewhere, in Markdown too, and keeps a linked screenshot with words', () => {
    const markdown = [
      '# Tool',
      '',
      '[![npm version](https://img.shields.io/npm/v/tool.svg)](https://www.npmjs.com/package/tool)',
      '',
      '[![](logo.svg) Tool 2.0](<',
      '    index.html>)',
      '',
      'Tool formats your files.',
      '',
      'See the [![settings icon](gear.svg) settings page](settings.md) to change the width.',
    ].join('\n');
    const text = loadDocument(markdownLoader, markdown, settings, { path: 'tool.md' })
      .chunks.map((chunk) => chunk.text)
      .join('\n\n');
    expect(text).not.toContain('npm version');
    expect(text).not.toContain('Tool 2.0');
    expect(text).toContain('Tool formats your files.');
    expect(text).toContain('to change the width');
  });

  it('drops the same furniture from Markdown and keeps lists that say something about each link', () => {
    const markdown = [
      '# Commands',
      '',
      '- [npm install](install.md)',
      '- [npm ci](ci.md)',
      '  - [npm ci flags](ci.md#flags)',
      '',
      'Each command has its own page.',
      '',
      '- [npm audit](audit.md): reports known vulnerabilities in your dependencies.',
      '- [npm fund](fund.md): lists the packages that ask for funding.',
      '',
      '[Edit this page on GitHub](https://github.com/npm/cli/edit/latest/docs/commands.md)',
      '',
      '[Download the installer](https://example.com/installer.pkg)',
    ].join('\n');
    const text = loadDocument(markdownLoader, markdown, settings, { path: 'commands.md' })
      .chunks.map((chunk) => chunk.text)
      .join('\n\n');
    expect(text).not.toContain('npm ci');
    expect(text).not.toContain('Edit this page');
    expect(text).toContain('Each command has its own page.');
    expect(text).toContain('reports known vulnerabilities');
    // One ordinary link alone in its paragraph is content.
    expect(text).toContain('[Download the installer]');
  });
});

describe('Text loader', () => {
  it('has no headings and no title of its own', async () => {
    const document = loadDocument(textLoader, await fixture('release-notes.txt'), settings, {
      path: 'release-notes.txt',
    });
    expect(document.title).toBeUndefined();
    expect(document.chunks).toHaveLength(1);
    expect(document.chunks[0]!.headingPath).toEqual([]);
    expect(document.chunks[0]!.text).toContain(
      '# This line starts with a hash but plain text has no headings.',
    );
  });
});

describe('loader registry', () => {
  it('picks a loader by extension, in any case, and none for unknown types', () => {
    expect(loaderForExtension('.MD')).toBe(markdownLoader);
    expect(loaderForExtension('.markdown')).toBe(markdownLoader);
    expect(loaderForExtension('.mdx')).toBe(mdxLoader);
    expect(loaderForExtension('.htm')).toBe(htmlLoader);
    expect(loaderForExtension('.txt')).toBe(textLoader);
    expect(loaderForExtension('.pdf')).toBeUndefined();
  });
});

describe('reading files in pieces', () => {
  it('cuts at the last blank line outside a code block', () => {
    const text = 'Para one.\n\n```\ncode\n\nmore code\n```\nTail line\nrest';
    expect(splitOffPiece(text, text.length - 2)).toEqual({
      piece: 'Para one.\n\n',
      rest: '```\ncode\n\nmore code\n```\nTail line\nrest',
    });
  });

  it('keeps a piece within the target length, cutting at a line end when no blank line comes before it', () => {
    expect(splitOffPiece('aaa\nbbb\n\nccc\n', 6)).toEqual({ piece: 'aaa\n', rest: 'bbb\n\nccc\n' });
    expect(splitOffPiece('a long first line\nnext', 5)).toEqual({
      piece: 'a long first line\n',
      rest: 'next',
    });
  });

  it('closes and re-opens a fence when it must cut inside one', () => {
    const text = '```sh\n# a\n# b\nstill going';
    const { piece, rest } = splitOffPiece(text, text.length - 3);
    expect(piece).toBe('```sh\n# a\n# b\n```\n');
    expect(rest).toBe('```sh\nstill going');
  });

  it('cuts a line with no break at the target length, never inside a surrogate pair', () => {
    expect(splitOffPiece('abcdefghij', 4)).toEqual({ piece: 'abcd', rest: 'efghij' });
    const emoji = 'ab😀cd';
    const { piece, rest } = splitOffPiece(emoji, 3);
    expect(piece + rest).toBe(emoji);
    expect(piece).toBe('ab');
  });

  it('reads a file as pieces that join back into the file', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'answerloop-pieces-'));
    try {
      const paragraphs = Array.from(
        { length: 200 },
        (_, index) => `Paragraph ${index} — naïve café text ${'x'.repeat(index % 40)}.`,
      );
      const file = path.join(folder, 'big.md');
      await writeFile(file, paragraphs.join('\n\n'));
      const pieces: string[] = [];
      for await (const piece of readTextPieces(file, 1000)) pieces.push(piece);
      expect(pieces.length).toBeGreaterThan(5);
      expect(pieces.join('')).toBe(paragraphs.join('\n\n'));
      for (const piece of pieces.slice(0, -1)) {
        expect(piece.endsWith('\n\n')).toBe(true);
        expect(piece.length).toBeLessThanOrEqual(1000);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('calls a file binary when its first 8 KB hold a NUL byte', () => {
    expect(containsNulByte(new TextEncoder().encode('plain text'))).toBe(false);
    expect(containsNulByte(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]))).toBe(true);
    const late = new Uint8Array(9000).fill(0x61);
    late[8500] = 0;
    expect(containsNulByte(late)).toBe(false);
  });
});

describe('walking folders', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'answerloop-walk-'));
    for (const relative of [
      'b.md',
      'a.md',
      'Z.md',
      'sub/c.md',
      'sub/deeper/d.txt',
      '.git/config.md',
      '.hidden.md',
      'node_modules/pkg/readme.md',
      'sub/.cache/e.md',
    ]) {
      await mkdir(path.dirname(path.join(folder, relative)), { recursive: true });
      await writeFile(path.join(folder, relative), 'x');
    }
    // A link back to the root must not loop.
    await symlink(folder, path.join(folder, 'sub', 'loop'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('lists files recursively in a stable order, leaving out dot-entries and node_modules', async () => {
    const files = await listFiles(folder);
    expect(files.map((file) => path.relative(folder, file).split(path.sep).join('/'))).toEqual([
      'Z.md',
      'a.md',
      'b.md',
      'sub/c.md',
      'sub/deeper/d.txt',
    ]);
  });

  it('returns a file given directly', async () => {
    expect(await listFiles(path.join(folder, 'a.md'))).toEqual([path.join(folder, 'a.md')]);
  });
});
