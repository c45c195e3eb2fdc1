import { describe, expect, it } from 'vitest';
import { renderDiscordAnswer } from '../../src/bot/render/discord-answer.ts';
import { renderSlackAnswer } from '../../src/bot/render/slack-answer-blocks.ts';
import {
  citedSourcesOf,
  verifiedIdForConversation,
  verifiedIdOf,
} from '../../src/core/curation/verified-answers.ts';
import type { SourceUsed, VerifiedAnswerUse } from '../../src/core/index.ts';

function used(number: number, docId: string): SourceUsed {
  return {
    number,
    chunkId: `${docId}#0`,
    docId,
    source: docId,
    title: docId,
    headingPath: [],
    score: 1 / number,
  };
}

const verified = (use: VerifiedAnswerUse['use']): VerifiedAnswerUse => ({
  id: 'abc123def456',
  question: 'How do I reset my password?',
  use,
  verifiedBy: 'maria',
  verifiedAt: '2026-01-02T03:04:05.000Z',
  sources: [
    { number: 1, docId: 'docs/accounts.md', source: 'docs/accounts.md', title: 'Accounts', headingPath: [] },
  ],
});

describe('the sources a verified answer rests on', () => {
  const sources = [used(1, 'docs/billing.md'), used(2, 'docs/accounts.md'), used(3, 'docs/install.md')];

  it('keeps the cited sources only, renumbered in order of first use, and rewrites the markers to match', () => {
    const cited = citedSourcesOf('Open Settings [2]. Then follow the email [2][3]. Unknown [7].', sources);
    expect(cited.answer).toBe('Open Settings [1]. Then follow the email [1][2]. Unknown.');
    expect(cited.sources.map((source) => [source.number, source.docId])).toEqual([
      [1, 'docs/accounts.md'],
      [2, 'docs/install.md'],
    ]);
  });

  it('rests on every source the conversation had when the answer cites none', () => {
    const cited = citedSourcesOf('Write to the support team.', sources);
    expect(cited.answer).toBe('Write to the support team.');
    expect(cited.sources.map((source) => source.number)).toEqual([1, 2, 3]);
  });

  it('has a short id that follows from the conversation, and a document id of its own kind', () => {
    expect(verifiedIdForConversation('conv-1')).toMatch(/^[0-9a-f]{12}$/);
    expect(verifiedIdForConversation('conv-1')).toBe(verifiedIdForConversation('conv-1'));
    expect(verifiedIdForConversation('conv-2')).not.toBe(verifiedIdForConversation('conv-1'));
    expect(verifiedIdOf('verified/abc')).toBe('abc');
    expect(verifiedIdOf('docs/verified/abc.md')).toBeUndefined();
  });
});

describe('rendering a verified answer', () => {
  const result = {
    answer: 'Use "Send reset link" under Settings [1].',
    citations: [1],
    sources: [{ ...used(1, 'docs/accounts.md'), title: 'Accounts', excerpt: '' }],
    model: 'verified',
    extractive: false,
    refused: false,
    conversationId: 'conv-9',
  };

  it('labels it in Slack, or says the answer rests on one', () => {
    const footer = (use: VerifiedAnswerUse['use'] | undefined) =>
      JSON.stringify(
        renderSlackAnswer({ ...result, ...(use ? { verified: verified(use) } : {}) })[0]!.blocks.find(
          (block) => block.block_id === 'answer_footer',
        ),
      );
    expect(footer('answer')).toContain('Verified by the support team');
    expect(footer('source')).toContain('Based on an answer verified by the support team');
    expect(footer(undefined)).toContain('Answered by `verified`');
  });

  it('labels it in Discord, with its sources', () => {
    const [message] = renderDiscordAnswer({
      question: 'reset?',
      result: { ...result, verified: verified('answer') },
    });
    expect(message!.embeds[0]!.footer?.text).toBe('✅ Verified by the support team');
    expect(message!.embeds[0]!.fields?.[0]?.value).toContain('docs/accounts.md');
    const [resting] = renderDiscordAnswer({
      question: 'reset?',
      result: { ...result, model: 'gpt-4o-mini', verified: verified('source') },
    });
    expect(resting!.embeds[0]!.footer?.text).toBe('✅ Based on an answer verified by the support team');
  });
});
