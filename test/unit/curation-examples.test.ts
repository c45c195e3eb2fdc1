import { describe, expect, it } from 'vitest';
import {
  diagnosisHint,
  exampleIdForManual,
  exampleMessagesFromConversation,
  parseDatasetReference,
  questionFromMessages,
  retrievalQaJsonl,
  sourceDocIdsOf,
} from '../../src/core/curation/index.ts';
import type { SourceUsed } from '../../src/core/index.ts';

const prompt = [
  { role: 'system' as const, content: 'Answer from the numbered sources.' },
  {
    role: 'user' as const,
    content:
      'Sources:\n[1] Reset under Settings.\n[2] Billing is monthly.\n\nQuestion: how do I reset my password?',
  },
];

function source(number: number, docId: string, vectorScore: number, bm25Score = 5): SourceUsed {
  return {
    number,
    chunkId: `${docId}#0`,
    docId,
    source: docId,
    title: docId,
    headingPath: [],
    score: 1 / (60 + number),
    bm25Score,
    vectorScore,
  };
}

describe('examples in the inference format', () => {
  it('keeps the prompt exactly and appends the answer as the assistant turn', () => {
    const { messages, warnings } = exampleMessagesFromConversation(
      { promptMessages: prompt, question: 'q', standaloneQuestion: 'q' },
      'Open Settings [1].',
    );
    expect(messages).toEqual([...prompt, { role: 'assistant', content: 'Open Settings [1].' }]);
    expect(warnings).toEqual([]);
  });

  it('falls back to the question alone, with a warning, when no prompt was stored', () => {
    const { messages, warnings } = exampleMessagesFromConversation(
      { promptMessages: [], question: 'raw', standaloneQuestion: 'standalone?' },
      'A.',
    );
    expect(messages).toEqual([
      { role: 'user', content: 'standalone?' },
      { role: 'assistant', content: 'A.' },
    ]);
    expect(warnings).toHaveLength(1);
  });

  it('lists each source document once', () => {
    expect(
      sourceDocIdsOf({
        sources: [source(1, 'docs/a.md', 0.5), source(2, 'docs/a.md', 0.4), source(3, 'docs/b.md', 0.3)],
      }),
    ).toEqual(['docs/a.md', 'docs/b.md']);
  });

  it('finds the question in a labelled prompt and in the last paragraph otherwise', () => {
    expect(questionFromMessages(prompt)).toBe('how do I reset my password?');
    expect(questionFromMessages([{ role: 'user', content: 'Context here.\n\nWhat is the price?' }])).toBe(
      'What is the price?',
    );
  });

  it('gives a hand-written example an id that follows from its content', () => {
    expect(exampleIdForManual('support', 'q', 'a')).toBe(exampleIdForManual('support', 'q', 'a'));
    expect(exampleIdForManual('support', 'q', 'a')).not.toBe(exampleIdForManual('support', 'q', 'b'));
  });
});

describe('dataset references', () => {
  it('parses name@version, name and name@latest', () => {
    expect(parseDatasetReference('support@3')).toEqual({ dataset: 'support', version: 3 });
    expect(parseDatasetReference('support@v2')).toEqual({ dataset: 'support', version: 2 });
    expect(parseDatasetReference('support')).toEqual({ dataset: 'support', version: 'latest' });
    expect(parseDatasetReference('support@latest')).toEqual({ dataset: 'support', version: 'latest' });
  });

  it('rejects bad names and versions', () => {
    expect(() => parseDatasetReference('support@0')).toThrow(/positive whole number/);
    expect(() => parseDatasetReference('sup port@1')).toThrow(/not valid/);
    expect(() => parseDatasetReference('a@1@2')).toThrow(/more than one/);
  });
});

describe('diagnosis hint', () => {
  const base = {
    refused: false,
    expectedSources: [] as string[],
    feedback: { helpful: false, at: '2024-01-01T00:00:00Z' },
    confidence: 0.7,
  };

  it('points at retrieval when nothing or only weak passages were found', () => {
    expect(diagnosisHint({ ...base, sources: [] }).suggested).toBe('retrieval');
    const weak = diagnosisHint({ ...base, sources: [source(1, 'a.md', 0.12), source(2, 'b.md', 0.2)] });
    expect(weak.suggested).toBe('retrieval');
    expect(weak.reasons[0]).toMatch(/best cosine 0\.20/);
  });

  it('points at retrieval when the expected page was not among the sources', () => {
    const hint = diagnosisHint({
      ...base,
      expectedSources: ['docs/billing.md'],
      sources: [source(1, 'docs/a.md', 0.8)],
    });
    expect(hint.suggested).toBe('retrieval');
  });

  it('points at generation when good passages were given and the answer was not helpful', () => {
    const hint = diagnosisHint({
      ...base,
      sources: [source(1, 'docs/a.md', 0.2), source(2, 'docs/b.md', 0.71, 14.2)],
    });
    expect(hint.suggested).toBe('generation');
    expect(hint.sources.map((entry) => entry.number)).toEqual([1, 2]);
    expect(hint.reasons.join(' ')).toMatch(/0\.71/);
  });
});

describe('retrieval QA set', () => {
  it('writes question and relevant lines', () => {
    const text = retrievalQaJsonl([{ question: 'How?', relevant: ['docs/a.md'], conversationId: 'c1' }]);
    expect(text).toBe('{"question":"How?","relevant":["docs/a.md"]}\n');
  });
});
