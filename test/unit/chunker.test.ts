import { describe, expect, it } from 'vitest';
import { type ChunkDraft, chunkMarkdown, chunkPlainText } from '../../src/core/knowledge/chunker.ts';
import { countTokens } from '../../src/core/knowledge/token-counter.ts';

const settings = { chunkTokens: 200, chunkOverlapTokens: 30 };

/** Prose with real sentences of varied length, numbered so tests can tell where each one went. */
function sentences(count: number, topic = 'sync'): string[] {
  return Array.from({ length: count }, (_, index) =>
    index % 3 === 0
      ? `Step ${index} of the ${topic} process checks the local folder against the server and records what changed.`
      : index % 3 === 1
        ? `Sentence ${index} says conflicts are kept as copies.`
        : `Item ${index}: when the network drops, the client waits, retries with back-off, and resumes the transfer where it stopped, so nothing is uploaded twice.`,
  );
}

function texts(chunks: ChunkDraft[]): string[] {
  return chunks.map((chunk) => chunk.text);
}

describe('chunkMarkdown: structure', () => {
  it('keeps YAML front matter out of the text and follows the heading path from the root', () => {
    const markdown = [
      '---',
      'title: Install guide',
      'tags: [setup]',
      '---',
      '# Install',
      '',
      'Download the installer.',
      '',
      '## On Linux',
      '',
      'Unpack the tarball.',
      '',
      '## On macOS',
      '',
      'Open the disk image.',
    ].join('\n');
    const chunks = chunkMarkdown(markdown, settings);
    expect(chunks).toEqual([
      {
        headingPath: ['Install'],
        text: 'Download the installer.',
        tokenCount: countTokens('Download the installer.'),
      },
      {
        headingPath: ['Install', 'On Linux'],
        text: 'Unpack the tarball.',
        tokenCount: countTokens('Unpack the tarball.'),
      },
      {
        headingPath: ['Install', 'On macOS'],
        text: 'Open the disk image.',
        tokenCount: countTokens('Open the disk image.'),
      },
    ]);
    expect(chunks.some((chunk) => /title:|tags:|---/.test(chunk.text))).toBe(false);
  });

  it('never prefixes the title or headings into the text', () => {
    const chunks = chunkMarkdown('# Billing\n\n## Invoices\n\nInvoices arrive monthly.', settings);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe('Invoices arrive monthly.');
    expect(chunks[0]!.headingPath).toEqual(['Billing', 'Invoices']);
  });

  it('does not take # comment lines inside fenced code for headings, and keeps the block whole', () => {
    const code = [
      '```bash',
      '# install the client',
      'tar -xzf client.tar.gz',
      '## not a heading either',
      'client --version',
      '```',
    ].join('\n');
    const chunks = chunkMarkdown(`# Setup\n\nRun these commands:\n\n${code}\n\nThen sign in.`, settings);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['Setup']);
    expect(chunks[0]!.text).toBe(`Run these commands:\n\n${code}\n\nThen sign in.`);
  });

  it('treats tilde fences and longer backtick fences the same way, and closes an unclosed fence', () => {
    const tilde = chunkMarkdown('# A\n\n~~~python\n# comment\nprint(1)\n~~~\n', settings);
    expect(tilde[0]!.text).toBe('~~~python\n# comment\nprint(1)\n~~~');
    const nested = chunkMarkdown('# A\n\n````md\n```js\n# inside\n```\n````\n', settings);
    expect(nested[0]!.text).toBe('````md\n```js\n# inside\n```\n````');
    const unclosed = chunkMarkdown('# A\n\n```sh\n# still code\necho hi', settings);
    expect(unclosed).toHaveLength(1);
    expect(unclosed[0]!.headingPath).toEqual(['A']);
    expect(unclosed[0]!.text).toBe('```sh\n# still code\necho hi\n```');
  });

  it('keeps indented code as code: a # line there is no heading', () => {
    const chunks = chunkMarkdown('# Shell\n\nExample:\n\n    # list files\n    ls -la\n\nDone.', settings);
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual([['Shell']]);
    expect(chunks[0]!.text).toContain('    # list files\n    ls -la');
  });

  it('follows deep headings h1..h5 and pops back on a shallower one', () => {
    const markdown = [
      '# Reference',
      '## Sync',
      '### Bandwidth',
      '#### Upload limits',
      '##### Per-device cap',
      'Cap text.',
      '##### Office hours',
      'Hours text.',
      '## Retention',
      'Retention text.',
    ].join('\n');
    const chunks = chunkMarkdown(markdown, settings);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      [['Reference', 'Sync', 'Bandwidth', 'Upload limits', 'Per-device cap'], 'Cap text.'],
      [['Reference', 'Sync', 'Bandwidth', 'Upload limits', 'Office hours'], 'Hours text.'],
      [['Reference', 'Retention'], 'Retention text.'],
    ]);
  });

  it('reads setext headings, and a --- after a blank line as a break, not a heading', () => {
    const markdown = [
      'Password reset',
      '==============',
      '',
      'Intro.',
      '',
      'From the sign-in page',
      '---------------------',
      '',
      'Steps here.',
      '',
      '---',
      '',
      'After the break.',
    ].join('\n');
    const chunks = chunkMarkdown(markdown, settings);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      [['Password reset'], 'Intro.'],
      [['Password reset', 'From the sign-in page'], 'Steps here.\n\nAfter the break.'],
    ]);
  });

  it('cleans heading text: closing hashes, links, emphasis and code marks; #hashtag is not a heading', () => {
    const chunks = chunkMarkdown(
      '## The `sync.maxUploadKbps` **setting** ##\n\nSee [the guide](guide.md).\n\n#hashtag stays text',
      settings,
    );
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['The sync.maxUploadKbps setting']);
    expect(chunks[0]!.text).toBe('See [the guide](guide.md).\n\n#hashtag stays text');
  });

  it('gives text before the first heading an empty heading path', () => {
    const chunks = chunkMarkdown('Preamble text.\n\n# First\n\nBody.', settings);
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual([[], ['First']]);
  });

  it('drops HTML comments and headings with no content', () => {
    const chunks = chunkMarkdown('# Empty section\n\n## Real\n\n<!-- TODO: rewrite -->\nContent.', settings);
    expect(chunks).toEqual([
      { headingPath: ['Empty section', 'Real'], text: 'Content.', tokenCount: countTokens('Content.') },
    ]);
  });

  it('reads CRLF line endings exactly like LF', () => {
    const markdown =
      '---\ntitle: T\n---\n# A\n\nFirst paragraph.\n\n```sh\n# c\nls\n```\n\nSetext\n------\n\n| a | b |\n|---|---|\n| 1 | 2 |\n';
    const unix = chunkMarkdown(markdown, settings);
    const windows = chunkMarkdown(markdown.replace(/\n/g, '\r\n'), settings);
    expect(windows).toEqual(unix);
    expect(windows.some((chunk) => chunk.text.includes('\r'))).toBe(false);
    expect(unix.map((chunk) => chunk.headingPath)).toEqual([['A'], ['A', 'Setext']]);
  });

  it('is deterministic', () => {
    const markdown = `# A\n\n${sentences(40).join(' ')}\n\n## B\n\n${sentences(12).join('\n')}`;
    expect(chunkMarkdown(markdown, settings)).toEqual(chunkMarkdown(markdown, settings));
  });

  it('does not fail on text that looks like a tokenizer special token', () => {
    const chunks = chunkMarkdown('# Tokens\n\nThe marker <|endoftext|> ends a sample.', settings);
    expect(chunks[0]!.text).toContain('<|endoftext|>');
  });

  it('rejects an overlap that is not smaller than the chunk size', () => {
    expect(() => chunkMarkdown('text', { chunkTokens: 50, chunkOverlapTokens: 50 })).toThrow(RangeError);
  });
});

describe('chunkMarkdown: packing', () => {
  it('packs short paragraphs of a section together up to the budget', () => {
    const paragraphs = ['First short paragraph.', 'Second short paragraph.', 'Third short paragraph.'];
    const chunks = chunkMarkdown(`# S\n\n${paragraphs.join('\n\n')}`, settings);
    expect(texts(chunks)).toEqual([paragraphs.join('\n\n')]);
  });

  it('does not pack across sections', () => {
    const chunks = chunkMarkdown('# A\n\nOne.\n\n# B\n\nTwo.', settings);
    expect(texts(chunks)).toEqual(['One.', 'Two.']);
  });

  it('cuts a very long paragraph at sentence ends, within budget, with whole-sentence overlap', () => {
    const all = sentences(60);
    const chunks = chunkMarkdown(`# Long\n\n${all.join(' ')}`, settings);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(settings.chunkTokens);
      expect(chunk.tokenCount).toBe(countTokens(chunk.text));
      // Every chunk starts and ends on a sentence boundary.
      expect(all.some((sentence) => chunk.text.startsWith(sentence))).toBe(true);
      expect(all.some((sentence) => chunk.text.endsWith(sentence))).toBe(true);
    }
    // Nothing is lost: every sentence is in some chunk, in order.
    const positions = all.map((sentence) => chunks.findIndex((chunk) => chunk.text.includes(sentence)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((left, right) => left - right)).toEqual(positions);
    // Neighbours overlap by whole trailing sentences of at most the overlap budget.
    let overlapless = 0;
    for (let index = 1; index < chunks.length; index += 1) {
      const previous = chunks[index - 1]!.text;
      const current = chunks[index]!.text;
      const repeated = all.filter((sentence) => previous.includes(sentence) && current.includes(sentence));
      const lastSentence = all.find((sentence) => previous.endsWith(sentence))!;
      // Only a last sentence over twice the overlap budget leaves no overlap: it is never cut.
      if (repeated.length === 0) {
        expect(countTokens(lastSentence)).toBeGreaterThan(2 * settings.chunkOverlapTokens);
        overlapless += 1;
        continue;
      }
      const overlap = repeated.join(' ');
      expect(current.startsWith(overlap)).toBe(true);
      expect(previous.endsWith(overlap)).toBe(true);
      // Several sentences stay within the budget; a single one may reach twice it.
      expect(countTokens(overlap)).toBeLessThanOrEqual(
        repeated.length === 1 ? 2 * settings.chunkOverlapTokens : settings.chunkOverlapTokens,
      );
    }
    expect(overlapless).toBe(0);
  });

  it('adds no overlap when the overlap is zero', () => {
    const all = sentences(30);
    const chunks = chunkMarkdown(all.join(' '), { chunkTokens: 100, chunkOverlapTokens: 0 });
    const total = chunks.reduce(
      (sum, chunk) => sum + all.filter((sentence) => chunk.text.includes(sentence)).length,
      0,
    );
    expect(total).toBe(all.length);
  });

  it('cuts a sentence longer than the budget between words', () => {
    const words = Array.from({ length: 400 }, (_, index) => `word${index}`);
    const chunks = chunkMarkdown(words.join(' '), { chunkTokens: 64, chunkOverlapTokens: 8 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(64);
    const seen = chunks.flatMap((chunk) => chunk.text.split(' '));
    expect(new Set(seen)).toEqual(new Set(words));
  });

  it('keeps a table whole, packing it with neighbouring text when it fits', () => {
    const table = [
      '| Setting | Default |',
      '|---|---|',
      '| retention.days | 30 |',
      '| retention.versions | 50 |',
    ].join('\n');
    const chunks = chunkMarkdown(
      `# Retention\n\nThe defaults:\n\n${table}\n\nChange them in the console.`,
      settings,
    );
    expect(texts(chunks)).toEqual([`The defaults:\n\n${table}\n\nChange them in the console.`]);
  });

  it('puts a table over the budget but under twice it in a chunk of its own, uncut', () => {
    const rows = Array.from(
      { length: 30 },
      (_, index) => `| setting.number${index} | ${index * 10} | what setting ${index} does |`,
    );
    const table = ['| Name | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
    const budget = Math.ceil(countTokens(table) / 1.5);
    const chunks = chunkMarkdown(`Before the table.\n\n${table}\n\nAfter the table.`, {
      chunkTokens: budget,
      chunkOverlapTokens: 10,
    });
    expect(texts(chunks)).toEqual(['Before the table.', table, 'After the table.']);
  });

  it('splits a table over twice the budget between rows, repeating the header in every piece', () => {
    const rows = Array.from(
      { length: 80 },
      (_, index) => `| setting.number${index} | ${index * 10} | what setting ${index} does |`,
    );
    const header = ['| Name | Default | Meaning |', '|---|---|---|'];
    const chunks = chunkMarkdown([...header, ...rows].join('\n'), {
      chunkTokens: 120,
      chunkOverlapTokens: 20,
    });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(120);
      expect(chunk.text.startsWith(header.join('\n'))).toBe(true);
    }
    expect(chunks.flatMap((chunk) => chunk.text.split('\n').slice(2))).toEqual(rows);
  });

  it('splits a code block over twice the budget at line boundaries, each piece fenced again', () => {
    const lines = Array.from(
      { length: 120 },
      (_, index) => `# step ${index}\nrun_task --id ${index} --verbose`,
    ).flatMap((pair) => pair.split('\n'));
    const code = ['```bash', ...lines, '```'].join('\n');
    const chunks = chunkMarkdown(`# Script\n\n${code}`, { chunkTokens: 150, chunkOverlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.headingPath).toEqual(['Script']);
      expect(chunk.tokenCount).toBeLessThanOrEqual(150);
      expect(chunk.text.startsWith('```bash\n')).toBe(true);
      expect(chunk.text.endsWith('\n```')).toBe(true);
    }
    expect(chunks.flatMap((chunk) => chunk.text.split('\n').slice(1, -1))).toEqual(lines);
  });

  it('keeps a code block between one and two budgets whole in its own chunk', () => {
    const lines = Array.from({ length: 30 }, (_, index) => `echo "line ${index}"`);
    const code = ['```sh', ...lines, '```'].join('\n');
    const budget = Math.ceil(countTokens(code) / 1.6);
    const chunks = chunkMarkdown(`Intro sentence.\n\n${code}\n\nOutro sentence.`, {
      chunkTokens: budget,
      chunkOverlapTokens: 5,
    });
    expect(texts(chunks)).toEqual(['Intro sentence.', code, 'Outro sentence.']);
  });

  it('keeps a list whole when it fits and cuts a long one between items, nested items staying with their parent', () => {
    const short = '- one\n- two\n  - two point one\n- three';
    expect(texts(chunkMarkdown(`# L\n\n${short}`, settings))).toEqual([short]);

    const items = Array.from(
      { length: 40 },
      (_, index) =>
        `${index + 1}. Open the settings page number ${index} and check the option.\n   - Nested detail for item ${index}.`,
    );
    const chunks = chunkMarkdown(`# Steps\n\n${items.join('\n')}`, {
      chunkTokens: 100,
      chunkOverlapTokens: 0,
    });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(100);
      expect(/^\d+\. /.test(chunk.text)).toBe(true);
      // A nested line never starts a chunk: it always follows its parent item.
      for (const item of items)
        if (chunk.text.includes(item.split('\n')[1]!)) expect(chunk.text).toContain(item);
    }
  });

  it('never repeats code as overlap: a chunk ending in code is followed by fresh text', () => {
    const intro = 'Run the script below to rebuild the index from scratch.';
    const code = '```sh\n# rebuild\nanswerloop ingest --rebuild docs\n```';
    const after = sentences(4, 'upload').join(' ');
    const budget = countTokens(after) + 5;
    const chunks = chunkMarkdown(`${intro}\n\n${code}\n\n${after}`, {
      chunkTokens: budget,
      chunkOverlapTokens: 40,
    });
    expect(texts(chunks)).toEqual([`${intro}\n\n${code}`, after]);
  });

  it('repeats whole list items, never the wrapped tail of one, as overlap', () => {
    const items = Array.from(
      { length: 6 },
      (_, index) =>
        `${index + 1}. Item ${index} explains a rule of chunking in one long sentence that the author wrapped\n   onto a second line so that it reads well in an editor.`,
    );
    const list = items.join('\n');
    const after = 'A closing paragraph follows the list.';
    const chunks = chunkMarkdown(`${list}\n\n${after}`, {
      chunkTokens: countTokens(list) + 3,
      chunkOverlapTokens: 20,
    });
    expect(chunks).toHaveLength(2);
    expect(chunks[1]!.text.startsWith('   onto')).toBe(false);
    expect([after, `${items[5]}\n\n${after}`]).toContain(chunks[1]!.text);
  });

  it('repeats the last list items as overlap when a list is followed by more text', () => {
    const list = Array.from(
      { length: 10 },
      (_, index) => `- Option ${index} changes how the client retries uploads.`,
    ).join('\n');
    const after = 'After the list comes a closing paragraph that explains the defaults in plain words.';
    const chunks = chunkMarkdown(`${list}\n\n${after}`, {
      chunkTokens: countTokens(list) + 5,
      chunkOverlapTokens: 20,
    });
    expect(texts(chunks)).toEqual([list, `- Option 9 changes how the client retries uploads.\n\n${after}`]);
  });
});

describe('chunkPlainText', () => {
  it('has no headings: a line starting with # is text', () => {
    const chunks = chunkPlainText('Release notes\n\n# not a heading\nFixed the tray icon.', settings);
    expect(chunks).toEqual([
      {
        headingPath: [],
        text: 'Release notes\n\n# not a heading\nFixed the tray icon.',
        tokenCount: countTokens('Release notes\n\n# not a heading\nFixed the tray icon.'),
      },
    ]);
  });

  it('cuts a long paragraph between lines first, keeping each line intact', () => {
    const lines = Array.from(
      { length: 60 },
      (_, index) =>
        `2024-05-${String((index % 28) + 1).padStart(2, '0')} entry ${index}: the nightly backup finished`,
    );
    const chunks = chunkPlainText(lines.join('\r\n'), { chunkTokens: 80, chunkOverlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.flatMap((chunk) => chunk.text.split('\n'))).toEqual(lines);
  });

  it('reads hard-wrapped prose as sentences, never ending a chunk mid-sentence', () => {
    const prose = sentences(30).join(' ');
    const wrapped = prose.replace(/(.{60,72}?) /g, '$1\n');
    expect(wrapped.split('\n').length).toBeGreaterThan(20);
    const chunks = chunkPlainText(wrapped, { chunkTokens: 120, chunkOverlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(120);
      expect(sentences(30).some((sentence) => chunk.text.endsWith(sentence))).toBe(true);
    }
  });

  it('returns nothing for whitespace', () => {
    expect(chunkPlainText(' \n\n\t\n', settings)).toEqual([]);
    expect(chunkMarkdown('---\ntitle: only front matter\n---\n\n', settings)).toEqual([]);
  });
});
