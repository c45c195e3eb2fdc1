import { describe, expect, it } from 'vitest';
import {
  feedbackActionIds,
  feedbackBlockId,
  parseRatingValue,
  renderAnswerTail,
  renderSlackAnswer,
  renderStreamingText,
  type SlackAnswerInput,
  type SlackBlock,
  slackLimits,
  splitMrkdwn,
} from '../../src/bot/render/slack-answer-blocks.ts';
import {
  parseCorrectionMetadata,
  renderCorrectionModal,
} from '../../src/bot/render/slack-correction-modal.ts';
import { markdownToMrkdwn } from '../../src/bot/render/slack-mrkdwn.ts';
import { questionFromMessage, slackTextToMarkdown } from '../../src/bot/slack/slack-message-text.ts';

function answer(overrides: Partial<SlackAnswerInput> = {}): SlackAnswerInput {
  return {
    answer: 'Open **Settings** and choose *Reset password* [1].',
    citations: [1],
    sources: [
      { number: 1, title: 'Account recovery', source: 'https://docs.example.com/account/recovery' },
      { number: 2, title: 'Pricing', source: 'docs/pricing.md' },
    ],
    model: 'gpt-4o-mini-2024-07-18',
    extractive: false,
    refused: false,
    conversationId: 'conv-1',
    ...overrides,
  };
}

function texts(block: SlackBlock): string[] {
  const elements = (block.elements ?? []) as Array<{ text?: string | { text: string } }>;
  return elements.map((element) =>
    typeof element.text === 'string' ? element.text : (element.text?.text ?? ''),
  );
}

describe('markdownToMrkdwn', () => {
  it('turns bold, italic, strike and headings into Slack marks', () => {
    expect(markdownToMrkdwn('**bold** and __also bold__, *italic* and _italic_, ~~gone~~')).toBe(
      '*bold* and *also bold*, _italic_ and _italic_, ~gone~',
    );
    expect(markdownToMrkdwn('## Install on **Linux**')).toBe('*Install on Linux*');
  });

  it('turns links, images and autolinks into <url|text>, keeping underscores in URLs', () => {
    expect(markdownToMrkdwn('See [the guide](https://x.test/a_b_c?x=1&y=2) or <https://y.test/z>.')).toBe(
      'See <https://x.test/a_b_c?x=1&y=2|the guide> or <https://y.test/z>.',
    );
    expect(markdownToMrkdwn('![diagram](https://x.test/d.png)')).toBe('<https://x.test/d.png|diagram>');
  });

  it('turns lists into bullets, nested ones indented, numbered ones kept', () => {
    expect(markdownToMrkdwn('- one\n* two\n  - nested\n1. first\n2. second')).toBe(
      '• one\n• two\n    ◦ nested\n1. first\n2. second',
    );
  });

  it('keeps code literal and escapes &, < and > everywhere', () => {
    const markdown =
      'Run `a **b** <c>` then:\n\n```bash\necho "a && b" > out_file_name\n```\n\n1 < 2 & 3 > 2';
    expect(markdownToMrkdwn(markdown)).toBe(
      'Run `a **b** &lt;c&gt;` then:\n\n```\necho "a &amp;&amp; b" &gt; out_file_name\n```\n\n1 &lt; 2 &amp; 3 &gt; 2',
    );
  });

  it('closes a fence a streamed answer has not closed yet', () => {
    expect(markdownToMrkdwn('Try:\n```\nnpm start')).toBe('Try:\n```\nnpm start\n```');
  });
});

describe('splitMrkdwn', () => {
  it('keeps short text whole and splits long text at paragraphs within the limit', () => {
    expect(splitMrkdwn('short', 100)).toEqual(['short']);
    const paragraphs = Array.from(
      { length: 10 },
      (_, index) => `Paragraph ${index} ${'word '.repeat(20).trim()}`,
    );
    const pieces = splitMrkdwn(paragraphs.join('\n\n'), 300);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(300);
    expect(pieces.join('\n\n')).toBe(paragraphs.join('\n\n'));
  });

  it('closes and reopens a code fence cut in two', () => {
    const code = Array.from({ length: 40 }, (_, index) => `line ${index}`).join('\n');
    const pieces = splitMrkdwn(`Intro\n\`\`\`\n${code}\n\`\`\``, 120);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(120);
      expect(piece.split('```').length % 2).toBe(1);
    }
  });
});

describe('renderSlackAnswer', () => {
  it('renders the answer, the cited sources as links, the model and the feedback buttons', () => {
    const [message, ...rest] = renderSlackAnswer(answer());
    expect(rest).toEqual([]);
    const blocks = message!.blocks;
    expect(blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Open *Settings* and choose _Reset password_ [1].' },
    });
    const sources = blocks.find((block) => block.block_id === 'answer_sources')!;
    expect(texts(sources)).toEqual([
      '*Sources:*',
      '[1] <https://docs.example.com/account/recovery|Account recovery>',
    ]);
    const footer = blocks.find((block) => block.block_id === 'answer_footer')!;
    expect(texts(footer)[0]).toContain('gpt-4o-mini-2024-07-18');
    const actions = blocks.find((block) => block.block_id === feedbackBlockId)!;
    const buttons = actions.elements as Array<{ action_id: string; value: string }>;
    expect(buttons.map((button) => button.action_id)).toEqual([feedbackActionIds.suggestCorrection]);
    expect(buttons.every((button) => button.value === 'conv-1')).toBe(true);
    expect(message!.text).toContain('Open *Settings*');
  });

  it('shows a path source as title and path, merges passages of one document, and says when the answer is extractive', () => {
    const [message] = renderSlackAnswer(
      answer({
        citations: [],
        extractive: true,
        model: 'extractive',
        sources: [
          { number: 1, title: 'Pricing', source: 'docs/pricing.md' },
          { number: 2, title: 'Pricing', source: 'docs/pricing.md' },
        ],
      }),
    );
    const sources = message!.blocks.find((block) => block.block_id === 'answer_sources')!;
    expect(texts(sources)).toEqual(['*Sources:*', '[1][2] Pricing `docs/pricing.md`']);
    expect(texts(message!.blocks.find((block) => block.block_id === 'answer_footer')!)[0]).toMatch(
      /extractive answer/i,
    );
  });

  it('shows no sources for a refusal', () => {
    const [message] = renderSlackAnswer(
      answer({ refused: true, citations: [], answer: 'I could not find this.' }),
    );
    expect(message!.blocks.some((block) => block.block_id === 'answer_sources')).toBe(false);
  });

  it('splits a very long answer within section, block and message limits, buttons on the last message', () => {
    const paragraph = 'word '.repeat(500).trim();
    const long = Array.from({ length: 120 }, () => paragraph).join('\n\n');
    const messages = renderSlackAnswer(answer({ answer: long }));
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(message.blocks.length).toBeLessThanOrEqual(slackLimits.blocksPerMessage);
      expect(message.text.length).toBeLessThanOrEqual(slackLimits.messageText);
      for (const block of message.blocks.filter((candidate) => candidate.type === 'section')) {
        expect((block.text as { text: string }).text.length).toBeLessThanOrEqual(slackLimits.sectionText);
      }
    }
    expect(messages.at(-1)!.blocks.at(-1)!.block_id).toBe(feedbackBlockId);
    expect(
      messages
        .slice(0, -1)
        .some((message) => message.blocks.some((block) => block.block_id === feedbackBlockId)),
    ).toBe(false);
  });

  it('renders streaming text as mrkdwn with an ellipsis', () => {
    expect(renderStreamingText('Open **Settings**')).toBe('Open *Settings* …');
  });
});

describe('feedback blocks', () => {
  it("uses Slack's feedback_buttons in a context_actions block, each button's value naming the conversation", () => {
    const [message] = renderSlackAnswer(answer());
    const rating = message!.blocks.find((block) => block.block_id === 'answer_rating')!;
    expect(rating.type).toBe('context_actions');
    const element = (
      rating.elements as Array<{
        type: string;
        action_id: string;
        positive_button: { value: string };
        negative_button: { value: string };
      }>
    )[0]!;
    expect(element).toMatchObject({ type: 'feedback_buttons', action_id: feedbackActionIds.rating });
    expect(parseRatingValue(element.positive_button.value)).toEqual({
      kind: 'helpful',
      conversationId: 'conv-1',
    });
    expect(parseRatingValue(element.negative_button.value)).toEqual({
      kind: 'not_helpful',
      conversationId: 'conv-1',
    });
    expect(parseRatingValue('conv-1')).toBeUndefined();
  });

  it('gives a private answer share and dismiss buttons, and a shared one the asker and question', () => {
    const [privately] = renderSlackAnswer(answer(), { private: true });
    const actions = privately!.blocks.find((block) => block.block_id === feedbackBlockId)!;
    expect((actions.elements as Array<{ action_id: string }>).map((element) => element.action_id)).toEqual([
      feedbackActionIds.share,
      feedbackActionIds.dismiss,
      feedbackActionIds.suggestCorrection,
    ]);
    const [shared] = renderSlackAnswer(answer(), {
      askedBy: { userId: 'U1', question: 'How do I reset it?' },
    });
    expect(texts(shared!.blocks[0]!)).toEqual(['<@U1> asked: How do I reset it?']);
    expect(JSON.stringify(shared!.blocks)).not.toContain(feedbackActionIds.share);
  });

  it('ends a native stream with the sources, footer and feedback, without the answer text', () => {
    const tail = renderAnswerTail(answer());
    expect(tail.map((block) => block.block_id)).toEqual([
      'answer_sources',
      'answer_footer',
      'answer_rating',
      feedbackBlockId,
    ]);
  });
});

describe('correction modal', () => {
  it('carries the conversation in its metadata and has a multiline input', () => {
    const view = renderCorrectionModal({ conversationId: 'conv-1', channel: 'C1', threadTs: '1.2' });
    expect(parseCorrectionMetadata(view.private_metadata as string)).toEqual({
      conversationId: 'conv-1',
      channel: 'C1',
      threadTs: '1.2',
    });
    expect(JSON.stringify(view.blocks)).toContain('"multiline":true');
    expect(parseCorrectionMetadata('not json')).toBeUndefined();
  });
});

describe('reading Slack text', () => {
  it('removes the bot mention and makes Slack markup plain', () => {
    expect(
      questionFromMessage(
        '<@UBOT>   how do I   reset it?\n  see <https://x.test/a|the page> &amp; <#C1|general>',
        'UBOT',
      ),
    ).toBe('how do I reset it?\nsee [the page](https://x.test/a) & #general');
    expect(questionFromMessage('<@UBOT>', 'UBOT')).toBe('');
  });

  it('turns a teammate reply into Markdown', () => {
    expect(slackTextToMarkdown('Use <https://x.test> &lt;here&gt; <!here>')).toBe(
      'Use https://x.test <here> @here',
    );
  });
});
