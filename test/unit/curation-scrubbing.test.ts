import { describe, expect, it } from 'vitest';
import { scrubExamples, scrubText } from '../../src/core/curation/index.ts';

describe('scrubText', () => {
  it('masks emails and counts them', () => {
    const result = scrubText('Write to jane.doe+billing@example.co.uk or bob@corp.io please.');
    expect(result.text).toBe('Write to [EMAIL] or [EMAIL] please.');
    expect(result.found).toEqual({ email: 2 });
  });

  it('masks phone numbers in the usual notations', () => {
    for (const phone of [
      '+44 20 7946 0958',
      '(555) 123-4567',
      '555-123-4567',
      '+1-202-555-0143',
      '030 12345678',
    ]) {
      const result = scrubText(`Call me on ${phone} tomorrow.`);
      expect(result.text, phone).toBe('Call me on [PHONE] tomorrow.');
      expect(result.found, phone).toEqual({ phone: 1 });
    }
  });

  it('leaves dates, versions, IP addresses, amounts, ports and plain ids alone', () => {
    const text =
      'Released 2024-01-15 as v1.2.3 on 192.168.10.254 port 8080, ticket 123456789, price 1 000 000, at 15.01.2024.';
    expect(scrubText(text)).toEqual({ text, found: {} });
  });

  it('masks secrets with the shared secret patterns', () => {
    const result = scrubText(
      'my key is sk-proj-abcdefghijklmnop1234 and password=hunter22 and xoxb-1234567890-abcdef',
    );
    expect(result.text).not.toContain('sk-proj-abcdefghijklmnop1234');
    expect(result.text).not.toContain('hunter22');
    expect(result.text).not.toContain('xoxb-1234567890-abcdef');
    expect(result.found).toMatchObject({ 'openai key': 1, assignment: 1, 'slack token': 1 });
  });

  it('keeps allow-listed public addresses and numbers', () => {
    const result = scrubText('Mail support@acme.com or call +1 800 555 0100; not alice@acme.com.', {
      allowList: ['Support@Acme.com', '+1 (800) 555-0100'],
    });
    expect(result.text).toBe('Mail support@acme.com or call +1 800 555 0100; not [EMAIL].');
    expect(result.found).toEqual({ email: 1 });
  });
});

describe('scrubExamples', () => {
  it('reports what changed without the values, and leaves the inputs untouched', () => {
    const examples = [
      {
        id: 'a',
        messages: [
          { role: 'user' as const, content: 'I am ann@example.com' },
          { role: 'assistant' as const, content: 'Hi' },
        ],
      },
      {
        id: 'b',
        messages: [
          { role: 'user' as const, content: 'Nothing here' },
          { role: 'assistant' as const, content: 'Fine' },
        ],
      },
    ];
    const { examples: scrubbed, report } = scrubExamples(examples);
    expect(scrubbed[0]?.messages[0]?.content).toBe('I am [EMAIL]');
    expect(scrubbed[1]).toBe(examples[1]);
    expect(examples[0]?.messages[0]?.content).toBe('I am ann@example.com');
    expect(report).toEqual({
      examplesScanned: 2,
      examplesChanged: 1,
      replacements: { email: 1 },
      changedExampleIds: ['a'],
    });
    expect(JSON.stringify(report)).not.toContain('ann@');
  });
});
