import { describe, expect, it } from 'vitest';
import { answerSentences, createExtractiveChatModel } from '../../src/core/answering/extractive-answerer.ts';
import { buildAnswerPrompt, type PromptSource } from '../../src/core/answering/prompt.ts';
import type { Embedder, Logger } from '../../src/core/ports/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

/**
 * The deterministic embedder with a small thesaurus in front: words of one meaning map to one word and function
 * words are dropped before hashing, so "adjust how long passages are" lands near "change the chunk size", as it
 * would with a real model, while sharing none of its words.
 */
function meaningEmbedder(): Embedder & { calls: string[][] } {
  const thesaurus: Record<string, string> = {
    adjust: 'change',
    set: 'change',
    long: 'size',
    length: 'size',
    passages: 'chunk',
    passage: 'chunk',
  };
  const functionWords = new Set([
    'how',
    'do',
    'i',
    'the',
    'a',
    'an',
    'are',
    'is',
    'to',
    'of',
    'in',
    'and',
    'for',
    'with',
    'when',
    'whose',
    'that',
  ]);
  const inner = createDeterministicEmbedder(256);
  const canonical = (text: string) =>
    (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
      .filter((word) => !functionWords.has(word))
      .map((word) => thesaurus[word] ?? word)
      .join(' ');
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    calls: inner.calls,
    embed: (texts) => inner.embed(texts.map(canonical)),
  };
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger & { warnings: string[] } = {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (_object, message) => warnings.push(message ?? ''),
    error: () => {},
    child: () => logger,
  };
  return logger;
}

async function answer(
  model: ReturnType<typeof createExtractiveChatModel>,
  question: string,
  sources: PromptSource[],
): Promise<string> {
  const prompt = buildAnswerPrompt(question, sources, 4000);
  return (await model.complete({ model: 'extractive', messages: prompt.messages })).text;
}

const chunking: PromptSource[] = [
  {
    number: 1,
    title: 'Ingesting',
    location: 'ingesting.md',
    text: [
      'Files whose chunk size is over the limit are skipped and listed in the ingest summary.',
      'The ingest summary also counts the pages that were unchanged since the last run.',
      'To adjust how long passages are, set maxTokens under chunking in config.yaml.',
    ].join(' '),
  },
];

describe('extractive answerer: choosing sentences by meaning', () => {
  it('quotes the sentence that answers over one that only shares the words', async () => {
    const question = 'How do I change the chunk size?';
    const byWords = await answer(createExtractiveChatModel({ maxSentences: 1 }), question, chunking);
    expect(byWords).toBe(
      'Files whose chunk size is over the limit are skipped and listed in the ingest summary. [1]',
    );

    const embedder = meaningEmbedder();
    const byMeaning = await answer(
      createExtractiveChatModel({ maxSentences: 1, embedder }),
      question,
      chunking,
    );
    expect(byMeaning).toBe(
      'To adjust how long passages are, set maxTokens under chunking in config.yaml. [1]',
    );
    // The question and every candidate sentence go to the embedder in one batch.
    expect(embedder.calls).toHaveLength(1);
    expect(embedder.calls[0]).toHaveLength(1 + 3);
  });

  it('embeds at most maxCandidates sentences per question', async () => {
    const text = Array.from(
      { length: 30 },
      (_, index) => `Step number ${index + 1} of the chunk size guide is worth reading.`,
    ).join(' ');
    const embedder = meaningEmbedder();
    const model = createExtractiveChatModel({ embedder, maxCandidates: 8 });
    const reply = await answer(model, 'How do I change the chunk size?', [
      { number: 1, title: 'Guide', location: 'guide.md', text },
    ]);
    expect(reply).toMatch(/\[1\]$/);
    expect(embedder.calls[0]).toHaveLength(1 + 8);
  });

  it('favours a better-ranked source when two sentences answer alike', async () => {
    const sentence = 'Set maxTokens under chunking in config.yaml to change the chunk size.';
    const sources: PromptSource[] = [
      { number: 1, title: 'Chunking', location: 'chunking.md', text: sentence },
      { number: 2, title: 'Chunking again', location: 'copy.md', text: sentence.replace('Set', 'Put') },
    ];
    const reply = await answer(
      createExtractiveChatModel({ maxSentences: 1, embedder: meaningEmbedder() }),
      'How do I change the chunk size?',
      sources,
    );
    expect(reply).toBe(`${sentence} [1]`);
  });

  it('falls back to shared words, with a warning, when the embedder fails', async () => {
    const failing: Embedder = {
      id: 'broken',
      dimensions: 4,
      embed: () => Promise.reject(new Error('model file missing')),
    };
    const logger = recordingLogger();
    const reply = await answer(
      createExtractiveChatModel({ maxSentences: 1, embedder: failing, logger }),
      'How do I change the chunk size?',
      chunking,
    );
    expect(reply).toBe(
      'Files whose chunk size is over the limit are skipped and listed in the ingest summary. [1]',
    );
    expect(logger.warnings).toEqual([expect.stringMatching(/embedder failed/)]);
  });
});

describe('extractive answerer: what a quoted sentence may be', () => {
  it('renders Markdown links as their text and drops emphasis, HTML and escapes', async () => {
    const text =
      'Open the [setup wizard](setup.md#wizard "The wizard") to create your **first workspace**, then see <b>Billing</b> \\- it lists *every* plan [^1].';
    const reply = await answer(
      createExtractiveChatModel({ embedder: meaningEmbedder() }),
      'How do I create a workspace?',
      [{ number: 1, title: 'Setup', location: 'setup.md', text }],
    );
    expect(reply).toBe(
      'Open the setup wizard to create your first workspace, then see Billing - it lists every plan. [1]',
    );
  });

  it('keeps a sentence whole when its link has a title with full stops in it', async () => {
    const text =
      'See [Section 5.3, “Types of Accounts”](acct-types.html "5.3. Types of Accounts") for every account type you can create.';
    const reply = await answer(
      createExtractiveChatModel({ embedder: meaningEmbedder() }),
      'Which account types can I create?',
      [{ number: 1, title: 'Accounts', location: 'accounts.md', text }],
    );
    expect(reply).toBe('See Section 5.3, “Types of Accounts” for every account type you can create. [1]');
  });

  it('never quotes a heading, a code or table line, or a fragment', async () => {
    const text = [
      '# Change the chunk size',
      '',
      '| Setting | Chunk size |',
      '| --- | --- |',
      '| maxTokens | change the chunk size here |',
      '',
      '```yaml',
      'chunking: { maxTokens: 200 } # change the chunk size',
      '```',
      '',
      '    chunk size = change(200)',
      '',
      'To change the chunk size:',
      '',
      'change the chunk size and',
      '',
      'The chunk size is set with maxTokens under chunking.',
    ].join('\n');
    for (const embedder of [undefined, meaningEmbedder()]) {
      const reply = await answer(createExtractiveChatModel({ embedder }), 'How do I change the chunk size?', [
        { number: 1, title: 'Chunking', location: 'chunking.md', text },
      ]);
      expect(reply).toBe('The chunk size is set with maxTokens under chunking. [1]');
    }
  });

  it('reads a question quoted inside a sentence as part of it, not as a sentence of its own', () => {
    const text = [
      'Retrieval facts alone cannot tell every question apart: "Can I pay with PayPal?" finds the billing page, close in meaning.',
      'The first line of the log reads "Stop the service now!" The second line names the service that stopped.',
    ].join('\n\n');
    expect(answerSentences(text)).toEqual([
      'Retrieval facts alone cannot tell every question apart: "Can I pay with PayPal?" finds the billing page, close in meaning.',
      'The first line of the log reads "Stop the service now!"',
      'The second line names the service that stopped.',
    ]);
  });

  it('quotes a whole sentence inside a table cell, such as a tip rendered as a table, but not its header or fragments', async () => {
    const text = [
      '|  | Tip |',
      '| --- | --- |',
      '| To open a new window with a tree of accounts, go to Windows → New Window with Page . |  |',
      '',
      '| Window | What it shows in the main window |',
      '| --- | --- |',
      '| Account tree | every account in a tree of accounts |',
    ].join('\n');
    expect(answerSentences(text)).toEqual([
      'To open a new window with a tree of accounts, go to Windows → New Window with Page.',
    ]);
    const reply = await answer(
      createExtractiveChatModel({ embedder: meaningEmbedder() }),
      'How do I open a second window with my accounts?',
      [{ number: 1, title: 'Windows', location: 'windows.html', text }],
    );
    expect(reply).toBe(
      'To open a new window with a tree of accounts, go to Windows → New Window with Page. [1]',
    );
  });

  it('keeps the answer to a few sentences, each cited with its source', async () => {
    const text = Array.from(
      { length: 12 },
      (_, index) => `The chunk size can be changed in step ${index + 1} of the setup.`,
    ).join(' ');
    const reply = await answer(
      createExtractiveChatModel({ embedder: meaningEmbedder() }),
      'How do I change the chunk size?',
      [{ number: 1, title: 'Guide', location: 'guide.md', text }],
    );
    const sentences = reply.split(/(?<=\[1\])\s+/);
    expect(sentences.length).toBeGreaterThanOrEqual(1);
    expect(sentences.length).toBeLessThanOrEqual(3);
    for (const sentence of sentences)
      expect(sentence).toMatch(/^The chunk size can be changed in step \d+ of the setup\. \[1\]$/);
  });
});
