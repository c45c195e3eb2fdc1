import { describe, expect, it } from 'vitest';
import type { AskSource } from '../../src/core/index.ts';
import {
  escapeMarkdown,
  formatSourceLines,
  linkTarget,
  renderDiscordAnswer,
  renderSourcesField,
} from '../../src/bot/render/discord-answer.ts';
import {
  correctionModalCustomId,
  feedbackCustomId,
  parseCorrectionModalCustomId,
  parseFeedbackCustomId,
  renderCorrectionModal,
  renderFeedbackButtons,
} from '../../src/bot/render/discord-feedback.ts';
import { answerView, type AnswerViewInput } from '../../src/bot/render/answer-view.ts';
import { discordLimits, embedLength } from '../../src/bot/render/discord-limits.ts';
import { failureNotice, rateLimitNotice, threadName } from '../../src/bot/render/discord-notices.ts';
import {
  inlineMarkdownBalanced,
  openFenceAtEnd,
  splitMarkdown,
  truncateText,
} from '../../src/bot/render/discord-text-split.ts';
import { AnswerloopError } from '../../src/core/index.ts';
import { messageLimitProblems } from '../fakes/fake-discord.ts';

function source(number: number, overrides: Partial<AskSource> = {}): AskSource {
  return {
    number,
    chunkId: `doc-${number}#0`,
    docId: `doc-${number}`,
    source: `docs/page-${number}.md`,
    title: `Page ${number}`,
    headingPath: [`Page ${number}`],
    score: 1 / number,
    excerpt: 'excerpt',
    ...overrides,
  };
}

function view(overrides: Partial<AnswerViewInput> = {}): AnswerViewInput {
  return {
    answer: 'Open Settings and choose Reset password [1].',
    citations: [1],
    sources: [source(1)],
    model: 'extractive',
    extractive: true,
    refused: false,
    conversationId: '5f0c6b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f',
    ...overrides,
  };
}

/** Sentences of varied length, in paragraphs, like a long generated answer. */
function longProse(paragraphs: number): string {
  const sentence = (index: number) =>
    `Step ${index} explains how the ${'configuration '.repeat((index % 5) + 1)}works in practice.`;
  return Array.from({ length: paragraphs }, (_, paragraph) =>
    Array.from({ length: 8 }, (_, index) => sentence(paragraph * 8 + index)).join(' '),
  ).join('\n\n');
}

describe('splitMarkdown', () => {
  it('returns short text whole and empty text as no pieces', () => {
    expect(splitMarkdown('  Hello there.  ', 100)).toEqual(['Hello there.']);
    expect(splitMarkdown('   ', 100)).toEqual([]);
  });

  it('keeps every piece within the limit and loses no words', () => {
    const text = longProse(30);
    const pieces = splitMarkdown(text, 1000);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(1000);
    expect(pieces.join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
  });

  it('cuts at paragraph breaks when it can', () => {
    const paragraph = 'A sentence that is here. '.repeat(10).trim();
    const pieces = splitMarkdown([paragraph, paragraph, paragraph].join('\n\n'), paragraph.length * 2 + 10);
    expect(pieces).toEqual([`${paragraph}\n\n${paragraph}`, paragraph]);
  });

  it('cuts at a sentence end rather than inside a sentence when there is no paragraph break', () => {
    const text = 'First sentence is here. Second sentence is a bit longer than the first. Third one ends it.';
    const pieces = splitMarkdown(text, 75);
    expect(pieces[0]).toBe('First sentence is here. Second sentence is a bit longer than the first.');
    expect(pieces[1]).toBe('Third one ends it.');
  });

  it('falls back to spaces, then to a hard cut for a word longer than the limit', () => {
    expect(
      splitMarkdown('word '.repeat(30).trim(), 22).every(
        (piece) => /^(word ?)+$/.test(piece) && piece.length <= 22,
      ),
    ).toBe(true);
    const url = `https://example.com/${'x'.repeat(100)}`;
    const pieces = splitMarkdown(url, 40);
    expect(pieces.join('')).toBe(url);
    expect(pieces.every((piece) => piece.length <= 40)).toBe(true);
  });

  it('never cuts an emoji in two', () => {
    const pieces = splitMarkdown('😀'.repeat(40), 25);
    for (const piece of pieces) expect(piece).not.toMatch(/[\ud800-\udbff]$|^[\udc00-\udfff]/);
    expect(pieces.join('')).toBe('😀'.repeat(40));
  });

  it('closes a code fence at a cut and reopens it with its language in the next piece', () => {
    const code = Array.from({ length: 40 }, (_, index) => `console.log("line ${index}");`).join('\n');
    const text = `Run this:\n\n\`\`\`js\n${code}\n\`\`\`\n\nThen restart.`;
    const pieces = splitMarkdown(text, 300);
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(300);
      // Every piece is valid on its own: fences balanced.
      expect(openFenceAtEnd(piece)).toBeNull();
    }
    expect(pieces[1]!.startsWith('```js\n')).toBe(true);
    expect(pieces.at(-1)).toMatch(/Then restart\.$/);
    // Removing the added fence lines gives back the original code lines.
    const lines = pieces
      .join('\n')
      .split('\n')
      .filter((line) => line.startsWith('console.log'));
    expect(lines).toEqual(code.split('\n'));
  });

  it('does not cut inside inline code, bold or a link', () => {
    const text = `Intro words here. Use \`npm run build -- --watch --verbose\` and **read the whole guide first** then [the setup page](https://example.com/a/long/path) now.`;
    // From 50 characters up, the longest construct (the link) fits in a piece.
    for (let limit = 50; limit < text.length; limit += 3) {
      for (const piece of splitMarkdown(text, limit)) {
        expect(piece.length).toBeLessThanOrEqual(limit);
        expect(inlineMarkdownBalanced(piece), `limit ${limit}: ${piece}`).toBe(true);
      }
    }
  });

  it('shortens a fence line too long to repeat in every piece', () => {
    const text = `\`\`\`typescript title="a-very-long-file-name-for-the-example.ts" showLineNumbers\n${'const value = 1;\n'.repeat(20)}\`\`\``;
    const pieces = splitMarkdown(text, 80);
    expect(pieces.every((piece) => piece.length <= 80 && openFenceAtEnd(piece) === null)).toBe(true);
    expect(pieces[1]!.startsWith('```\n')).toBe(true);
  });

  it('rejects limits too small to hold a fence', () => {
    expect(() => splitMarkdown('text', 5)).toThrow(RangeError);
  });
});

describe('inline Markdown balance', () => {
  it('sees open code spans, bold, spoilers and links', () => {
    expect(inlineMarkdownBalanced('a `b` **c** [d](e) ||f||')).toBe(true);
    expect(inlineMarkdownBalanced('a `b')).toBe(false);
    expect(inlineMarkdownBalanced('a **b')).toBe(false);
    expect(inlineMarkdownBalanced('see [the page')).toBe(false);
    expect(inlineMarkdownBalanced('see [the page](https://x')).toBe(false);
    expect(inlineMarkdownBalanced('```\n`not inline\n```')).toBe(true);
  });
});

/** The source lines of an answer citing `citations` of `sources`, through the view both platforms share. */
function sourceLines(sources: AskSource[], citations: number[]): string[] {
  return formatSourceLines(answerView(view({ sources, citations })).sources);
}

describe('source lines', () => {
  it('links web sources by title and shows a file source as title and path', () => {
    const lines = sourceLines(
      [
        source(1, {
          source: 'https://docs.example.com/guide/install',
          title: 'Install guide',
          headingPath: ['Install guide', 'On Linux'],
        }),
        source(2),
      ],
      [1, 2],
    );
    expect(lines[0]).toBe('**[1]** [Install guide › On Linux](https://docs.example.com/guide/install)');
    expect(lines[1]).toBe('**[2]** Page 2 · `docs/page-2.md`');
  });

  it('shows cited sources only, in citation order, one line per place', () => {
    const sources = [
      source(1),
      source(2),
      source(3, { source: 'docs/page-1.md', title: 'Page 1', headingPath: ['Page 1'] }),
    ];
    expect(sourceLines(sources, [3, 1])).toEqual(['**[3][1]** Page 1 · `docs/page-1.md`']);
    expect(sourceLines(sources, [])).toHaveLength(2);
    expect(sourceLines(sources, [9])).toEqual([]);
  });

  it('escapes Markdown in titles and keeps parentheses from ending a link early', () => {
    const [line] = sourceLines(
      [
        source(1, {
          source: 'https://example.com/wiki/Foo_(bar)',
          title: 'Use *stars* and [brackets]',
          headingPath: [],
        }),
      ],
      [1],
    );
    expect(line).toBe('**[1]** [Use \\*stars\\* and \\[brackets\\]](https://example.com/wiki/Foo_%28bar%29)');
    expect(escapeMarkdown('a_b|c`d')).toBe('a\\_b\\|c\\`d');
  });

  it('links only http(s) addresses', () => {
    expect(linkTarget('javascript:alert(1)')).toBeUndefined();
    expect(linkTarget('docs/readme.md')).toBeUndefined();
    expect(linkTarget('https://example.com/a b')).toBe('https://example.com/a%20b');
  });

  it('fits the Sources field in 1024 characters and says how many were left out', () => {
    const lines = Array.from(
      { length: 40 },
      (_, index) => `**[${index + 1}]** ${'Long title '.repeat(4)} · \`docs/some/deep/path-${index}.md\``,
    );
    const field = renderSourcesField(lines)!;
    expect(field.name).toBe('Sources');
    expect(field.value.length).toBeLessThanOrEqual(discordLimits.embedFieldValue);
    const kept = field.value.split('\n');
    expect(kept.at(-1)).toBe(`…and ${40 - (kept.length - 1)} more`);
    expect(renderSourcesField([])).toBeUndefined();
  });
});

describe('renderDiscordAnswer', () => {
  it('renders a short answer as one embed: question as title, answer, sources, model footer and the buttons', () => {
    const [message, ...rest] = renderDiscordAnswer({
      question: 'How do I reset my password?',
      result: view(),
    });
    expect(rest).toEqual([]);
    const embed = message!.embeds[0]!;
    expect(embed.title).toBe('How do I reset my password?');
    expect(embed.description).toBe('Open Settings and choose Reset password [1].');
    expect(embed.fields).toEqual([{ name: 'Source', value: '**[1]** Page 1 · `docs/page-1.md`' }]);
    expect(embed.footer?.text).toBe('extractive answer');
    expect(message!.components[0]!.components.map((button) => button.label)).toEqual([
      'Helpful',
      'Not helpful',
      'Suggest a correction',
    ]);
    expect(message!.content).toBeUndefined();
  });

  it('names the model in the footer when a language model answered', () => {
    const [message] = renderDiscordAnswer({
      question: 'q',
      result: view({ extractive: false, model: 'ft:gpt-4o-mini:acme::abc' }),
    });
    expect(message!.embeds[0]!.footer?.text).toBe('answered by ft:gpt-4o-mini:acme::abc');
  });

  it('shows no sources under a refusal but keeps the buttons', () => {
    const [message] = renderDiscordAnswer({
      question: 'q',
      result: view({ refused: true, answer: "I don't know. A teammate will follow up.", citations: [] }),
    });
    expect(message!.embeds[0]!.fields).toBeUndefined();
    expect(message!.components).toHaveLength(1);
  });

  it('splits a long answer into messages within every limit, with sources and buttons on the last', () => {
    const answer = longProse(20);
    expect(answer.length).toBeGreaterThan(discordLimits.embedDescription * 2);
    const messages = renderDiscordAnswer({
      question: 'Explain configuration'.repeat(20),
      result: view({ answer }),
    });
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const message of messages) {
      expect(messageLimitProblems(message as never)).toEqual([]);
      expect(message.embeds.reduce((sum, embed) => sum + embedLength(embed), 0)).toBeLessThanOrEqual(
        discordLimits.embedTotal,
      );
    }
    expect(messages[0]!.embeds[0]!.title!.length).toBeLessThanOrEqual(discordLimits.embedTitle);
    expect(messages.slice(1).every((message) => message.embeds[0]!.title === undefined)).toBe(true);
    expect(
      messages.slice(0, -1).every((message) => message.components.length === 0 && !message.embeds[0]!.footer),
    ).toBe(true);
    expect(messages.at(-1)!.components).toHaveLength(1);
    expect(messages.at(-1)!.embeds[0]!.fields?.[0]?.name).toBe('Source');
    expect(
      messages
        .map((message) => message.embeds[0]!.description)
        .join(' ')
        .split(/\s+/),
    ).toEqual(answer.split(/\s+/));
  });

  it('shortens an answer that would need more messages than allowed, and says so', () => {
    const messages = renderDiscordAnswer({
      question: 'q',
      result: view({ answer: longProse(200) }),
      maxMessages: 2,
    });
    expect(messages).toHaveLength(2);
    expect(messages[1]!.embeds[0]!.description).toMatch(/shortened here\.\*$/);
    expect(messages[1]!.embeds[0]!.description!.length).toBeLessThanOrEqual(discordLimits.embedDescription);
  });

  it('puts a notice for the user in the message content', () => {
    const [message] = renderDiscordAnswer({
      question: 'q',
      result: view({ notice: 'Your question was shortened to 2000 characters.' }),
    });
    expect(message!.content).toBe('*Your question was shortened to 2000 characters.*');
  });

  it('can leave the buttons out', () => {
    const [message] = renderDiscordAnswer({ question: 'q', result: view(), feedbackButtons: false });
    expect(message!.components).toEqual([]);
  });
});

describe('feedback controls', () => {
  const id = '5f0c6b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';

  it('round-trips the conversation id through button and modal custom ids within 100 characters', () => {
    for (const action of ['helpful', 'not-helpful', 'correct'] as const) {
      const customId = feedbackCustomId(action, id);
      expect(customId.length).toBeLessThanOrEqual(discordLimits.customId);
      expect(parseFeedbackCustomId(customId)).toEqual({ action, conversationId: id });
    }
    expect(parseCorrectionModalCustomId(correctionModalCustomId(id))).toBe(id);
    expect(parseFeedbackCustomId('someone-else:button')).toBeUndefined();
    expect(parseFeedbackCustomId('answerloop:feedback:explode:x')).toBeUndefined();
    expect(parseFeedbackCustomId('answerloop:feedback:helpful:')).toBeUndefined();
    expect(() => feedbackCustomId('helpful', 'x'.repeat(90))).toThrow(RangeError);
  });

  it('renders three buttons and a modal Discord accepts', () => {
    expect(renderFeedbackButtons(id).components.map((button) => button.style)).toEqual([3, 2, 1]);
    const modal = renderCorrectionModal(id);
    expect(modal.title.length).toBeLessThanOrEqual(discordLimits.modalTitle);
    expect(modal.components[0]!.label.length).toBeLessThanOrEqual(45);
    expect(modal.components[0]!.component.style).toBe(2);
    expect(modal.components[0]!.component.placeholder.length).toBeLessThanOrEqual(100);
  });
});

describe('notices', () => {
  it('are polite and never show the cause', () => {
    const cause = new AnswerloopError('store_failed', 'SQLITE_BUSY at /var/data/answerloop.db');
    expect(failureNotice(cause)).not.toContain('SQLITE');
    expect(failureNotice(new AnswerloopError('upstream_failed', 'x', { isRetryable: true }))).toMatch(
      /try again in a minute/,
    );
    expect(failureNotice(new AnswerloopError('not_found', 'x'))).toMatch(/can no longer find/);
    expect(rateLimitNotice(1)).toMatch(/1 second and/);
    expect(rateLimitNotice(12_500)).toMatch(/13 seconds/);
  });

  it('make one-line thread names of at most 100 characters', () => {
    expect(threadName('How do I\nreset   my password?')).toBe('How do I reset my password?');
    expect(threadName('word '.repeat(50)).length).toBeLessThanOrEqual(100);
    expect(truncateText('short', 10)).toBe('short');
  });
});
