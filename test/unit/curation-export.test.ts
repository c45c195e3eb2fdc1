import { describe, expect, it } from 'vitest';
import {
  exportJsonl,
  toAlpacaLine,
  toOpenAiChatLine,
  toShareGptLine,
} from '../../src/core/curation/index.ts';
import type { ChatMessage } from '../../src/core/index.ts';

const messages: ChatMessage[] = [
  { role: 'system', content: 'Answer from the sources.' },
  { role: 'user', content: 'Sources:\n[1] Reset under Settings.\n\nQuestion: how do I reset my password?' },
  { role: 'assistant', content: 'Open Settings [1].' },
];

describe('export formats', () => {
  it('writes OpenAI chat lines with only role and content', () => {
    const withExtra = messages.map((message) => ({ ...message, extra: 1 }));
    expect(JSON.parse(toOpenAiChatLine(withExtra))).toEqual({ messages });
  });

  it('writes ShareGPT conversations with system, human and gpt speakers', () => {
    expect(JSON.parse(toShareGptLine(messages))).toEqual({
      conversations: [
        { from: 'system', value: 'Answer from the sources.' },
        { from: 'human', value: messages[1]!.content },
        { from: 'gpt', value: 'Open Settings [1].' },
      ],
    });
  });

  it('writes Alpaca records: system as instruction, user turn as input, answer as output', () => {
    expect(JSON.parse(toAlpacaLine(messages))).toEqual({
      instruction: 'Answer from the sources.',
      input: messages[1]!.content,
      output: 'Open Settings [1].',
    });
    const multiTurn: ChatMessage[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'reset?' },
      { role: 'assistant', content: 'Settings.' },
    ];
    expect(JSON.parse(toAlpacaLine(multiTurn))).toEqual({
      instruction: '',
      input: 'User: hi\n\nAssistant: hello\n\nUser: reset?',
      output: 'Settings.',
    });
  });

  it('writes one line per example, each newline-terminated', () => {
    const text = exportJsonl([{ messages }, { messages }], 'sharegpt');
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    expect(exportJsonl([], 'openai')).toBe('');
  });
});
