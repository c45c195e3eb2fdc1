import { describe, expect, it } from 'vitest';
import { answerView, citedNumbers, type AnswerViewInput } from '../../src/bot/render/answer-view.ts';
import { formatSourceLines, renderDiscordAnswer } from '../../src/bot/render/discord-answer.ts';
import { renderSlackAnswer } from '../../src/bot/render/slack-answer-blocks.ts';

function answer(overrides: Partial<AnswerViewInput> = {}): AnswerViewInput {
  return {
    answer: 'Export the data [2], then restore it [1][2].',
    citations: [2, 1],
    sources: [
      { number: 1, title: 'Backups', source: 'docs/backups.md', headingPath: ['Backups', 'Restoring'] },
      { number: 2, title: 'Backups', source: 'docs/backups.md', headingPath: ['Backups', 'Exporting'] },
      { number: 3, title: 'Backups', source: 'docs/backups.md', headingPath: ['Backups', 'Exporting'] },
      { number: 4, title: 'Web guide', source: 'https://docs.example.com/guide', headingPath: [] },
    ],
    model: 'ft:gpt-4o-mini:acme::support',
    extractive: false,
    refused: false,
    conversationId: 'conversation-1',
    ...overrides,
  };
}

function verified(use: 'answer' | 'source'): NonNullable<AnswerViewInput['verified']> {
  return {
    id: 'v1',
    question: 'q',
    use,
    verifiedBy: 'support',
    verifiedAt: '2026-12-01T00:00:00Z',
    sources: [],
  };
}

function slackSourceTexts(input: AnswerViewInput): string[] {
  const blocks = renderSlackAnswer(input).at(-1)!.blocks;
  const sources = blocks.find((block) => block.block_id === 'answer_sources');
  return ((sources?.elements as Array<{ text: string }> | undefined) ?? [])
    .slice(1)
    .map((element) => element.text);
}

function slackFooter(input: AnswerViewInput): string {
  const blocks = renderSlackAnswer(input).at(-1)!.blocks;
  const footer = blocks.find((block) => block.block_id === 'answer_footer')!;
  return (footer.elements as Array<{ text: string }>)[0]!.text;
}

describe('the answer view both platforms draw', () => {
  it('lists each cited place once, in citation order, with the numbers that point at it', () => {
    const view = answerView(answer());
    expect(view.sources).toEqual([
      { numbers: [2], label: 'Backups › Exporting', source: 'docs/backups.md' },
      { numbers: [1], label: 'Backups › Restoring', source: 'docs/backups.md' },
    ]);
    expect(answerView(answer({ citations: [] })).sources.map((source) => source.numbers)).toEqual([
      [1],
      [2, 3],
      [4],
    ]);
    expect(answerView(answer({ refused: true })).sources).toEqual([]);
    expect(answerView(answer({ citations: [4] })).sources[0]!.url).toBe('https://docs.example.com/guide');
  });

  it('shows the same places on Slack and Discord: two sections of one page are two entries on both', () => {
    const input = answer();
    const discord = formatSourceLines(answerView(input).sources);
    const slack = slackSourceTexts(input);
    expect(discord).toEqual([
      '**[2]** Backups › Exporting · `docs/backups.md`',
      '**[1]** Backups › Restoring · `docs/backups.md`',
    ]);
    expect(slack).toEqual([
      '[2] Backups › Exporting `docs/backups.md`',
      '[1] Backups › Restoring `docs/backups.md`',
    ]);
    const discordFields = renderDiscordAnswer({ question: 'How do I restore?', result: input }).at(-1)!
      .embeds[0]!.fields!;
    expect(discordFields[0]!.value.split('\n')).toEqual(discord);
  });

  it('names who wrote the answer the same way on both platforms', () => {
    const cases: Array<[Partial<AnswerViewInput>, string, RegExp, RegExp]> = [
      [{}, 'model', /answered by ft:gpt-4o-mini:acme::support/, /Answered by `ft:gpt-4o-mini:acme::support`/],
      [{ extractive: true, model: 'extractive' }, 'extractive', /^extractive answer$/, /^Extractive answer/],
      [
        { verified: verified('answer') },
        'verified',
        /Verified by the support team/,
        /Verified by the support team/,
      ],
      [
        { verified: verified('source') },
        'verified-basis',
        /Based on an answer verified/,
        /Based on an answer verified/,
      ],
    ];
    for (const [overrides, kind, discordFooter, slackFooterText] of cases) {
      const input = answer(overrides);
      expect(answerView(input).attribution.kind).toBe(kind);
      const footer = renderDiscordAnswer({ question: 'q', result: input }).at(-1)!.embeds[0]!.footer!.text;
      expect(footer).toMatch(discordFooter);
      expect(slackFooter(input)).toMatch(slackFooterText);
    }
  });

  it('reads the numbers an answer cites, once each, in order of first use', () => {
    expect(citedNumbers('See [2] and [1], then [2] again.')).toEqual([2, 1]);
    expect(citedNumbers('No citations.')).toEqual([]);
  });
});
