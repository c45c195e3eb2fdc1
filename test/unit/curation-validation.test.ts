import { describe, expect, it } from 'vitest';
import {
  countChatTokens,
  jsonlLines,
  validateDataset,
  type ValidationLine,
  type ValidationSettings,
} from '../../src/core/curation/index.ts';

const settings: ValidationSettings = {
  minExamples: 3,
  recommendedExamples: 5,
  maxExampleTokens: 200,
  epochs: 3,
  pricePerMillionTokens: 3,
};

function goodLine(index: number): string {
  return JSON.stringify({
    messages: [
      { role: 'system', content: 'Answer from the numbered sources and cite them like [1].' },
      {
        role: 'user',
        content: `Sources:\n[1] Passwords are reset under Settings.\n\nQuestion: how do I reset password ${index}?`,
      },
      { role: 'assistant', content: 'Open Settings and click Reset password [1].' },
    ],
  });
}

function lines(...texts: string[]): ValidationLine[] {
  return texts.map((text) => ({ text }));
}

const good = [goodLine(1), goodLine(2), goodLine(3)];

function rulesOf(report: ReturnType<typeof validateDataset>): string[] {
  return report.errors.map((issue) => issue.rule);
}

describe('validateDataset', () => {
  it('accepts a well-formed file and reports counts, tokens and cost', () => {
    const report = validateDataset(lines(...good), settings);
    expect(report.valid).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.validExamples).toBe(3);
    const perExample = countChatTokens(JSON.parse(good[0]!).messages);
    expect(perExample).toBeGreaterThan(20);
    expect(report.tokens.max).toBeGreaterThanOrEqual(perExample);
    expect(report.estimate.trainTokens).toBe(report.tokens.total);
    expect(report.estimate.billedTokens).toBe(report.tokens.total * 3);
    expect(report.estimate.cost).toBeCloseTo((report.tokens.total * 3 * 3) / 1e6, 6);
  });

  it('fails a line that does not parse', () => {
    const report = validateDataset(lines(...good, '{"messages": ['), settings);
    expect(report.valid).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'parse', line: 4 })]);
  });

  it('fails a line without a messages array', () => {
    expect(
      rulesOf(validateDataset(lines(...good, '{"prompt": "hi", "completion": "there"}'), settings)),
    ).toEqual(['format']);
    expect(rulesOf(validateDataset(lines(...good, '{"messages": []}'), settings))).toEqual(['format']);
  });

  it('fails an unknown role', () => {
    const line = JSON.stringify({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'bot', content: 'a' },
        { role: 'assistant', content: 'a' },
      ],
    });
    expect(rulesOf(validateDataset(lines(...good, line), settings))).toEqual(['role']);
  });

  it('names a wrong role without echoing a secret or a whole text pasted into it', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const line = JSON.stringify({
      messages: [
        { role: `user: my key is ${key}`, content: 'q' },
        { role: 'x'.repeat(500), content: 'q' },
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    });
    const report = validateDataset(lines(...good, line), settings);
    expect(rulesOf(report)).toEqual(['role', 'role']);
    const [secret, long] = report.errors.map((issue) => issue.message);
    expect(secret).toMatch(/^message 1 has role "user: my key is .*; use system, user or assistant$/);
    expect(secret).not.toContain(key);
    expect(long!.length).toBeLessThan(150);
  });

  it('fails unrecognised message keys', () => {
    const line = JSON.stringify({
      messages: [
        { role: 'user', content: 'q', mood: 'happy' },
        { role: 'assistant', content: 'a' },
      ],
    });
    expect(rulesOf(validateDataset(lines(...good, line), settings))).toEqual(['unknown_key']);
  });

  it('says what is wrong with a blank line (also with Windows line ends) and a byte order mark', () => {
    const report = validateDataset(
      jsonlLines(`\uFEFF${good[0]}\r\n\r\n${good[1]}\r\n   \r\n${good[2]}\r\n`),
      settings,
    );
    expect(report.errors.map((issue) => [issue.rule, issue.line, issue.message])).toEqual([
      ['parse', 1, expect.stringMatching(/starts with a byte order mark.*save it as UTF-8 without/)],
      ['parse', 2, expect.stringMatching(/the line is empty: remove blank lines/)],
      ['parse', 4, expect.stringMatching(/the line is empty: remove blank lines/)],
      ['too_few_examples', undefined, expect.any(String)],
    ]);
  });

  it('fails empty or missing content', () => {
    const blank = JSON.stringify({
      messages: [
        { role: 'user', content: '   ' },
        { role: 'assistant', content: 'a' },
      ],
    });
    const missing = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant' }] });
    expect(rulesOf(validateDataset(lines(...good, blank), settings))).toEqual(['empty_content']);
    expect(rulesOf(validateDataset(lines(...good, missing), settings))).toEqual(['empty_content']);
  });

  it('fails an example without a user message', () => {
    const line = JSON.stringify({
      messages: [
        { role: 'system', content: 's' },
        { role: 'assistant', content: 'a' },
      ],
    });
    expect(rulesOf(validateDataset(lines(...good, line), settings))).toEqual(['no_user_message']);
  });

  it("fails an example whose last message is not the assistant's", () => {
    const line = JSON.stringify({
      messages: [
        { role: 'assistant', content: 'a' },
        { role: 'user', content: 'q' },
      ],
    });
    expect(rulesOf(validateDataset(lines(...good, line), settings))).toEqual(['last_not_assistant']);
  });

  it('fails an example over the token limit, counted with the tokenizer', () => {
    const long = JSON.stringify({
      messages: [
        { role: 'user', content: 'word '.repeat(400) },
        { role: 'assistant', content: 'a' },
      ],
    });
    const report = validateDataset(lines(...good, long), settings);
    expect(rulesOf(report)).toEqual(['too_long']);
    expect(report.errors[0]?.message).toMatch(/\d+ tokens, over the limit of 200/);
  });

  it('fails below the minimum number of training examples and does not count validation lines', () => {
    const report = validateDataset(
      [{ text: good[0]! }, { text: good[1]!, split: 'validation' }, { text: good[2]!, split: 'validation' }],
      settings,
    );
    expect(rulesOf(report)).toEqual(['too_few_examples']);
    expect(report.trainExamples).toBe(1);
    expect(report.estimate.trainTokens).toBeLessThan(report.tokens.total);
  });

  it('warns below the recommended number and says why', () => {
    const report = validateDataset(lines(...good), settings);
    expect(report.valid).toBe(true);
    expect(report.warnings).toEqual([expect.objectContaining({ rule: 'few_examples' })]);
    expect(report.warnings[0]?.message).toMatch(/below 5.*(improves little|overfit)/);
  });

  it('warns when the validation split came out empty', () => {
    const report = validateDataset(
      good.map((text) => ({ text, split: 'train' as const })),
      settings,
    );
    expect(report.warnings.map((issue) => issue.rule)).toContain('no_validation_examples');
  });

  it('reads JSONL text line by line', () => {
    expect(jsonlLines(`${good[0]}\n${good[1]}\n`)).toHaveLength(2);
    expect(rulesOf(validateDataset(jsonlLines(`${good.join('\n')}\n\n${good[0]}\n`), settings))).toEqual([
      'parse',
    ]);
  });

  it('counts special-token text as ordinary text instead of throwing', () => {
    expect(countChatTokens([{ role: 'user', content: 'what is <|endoftext|>?' }])).toBeGreaterThan(3);
  });
});
