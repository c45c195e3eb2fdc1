import { afterAll, describe, expect, it } from 'vitest';
import { createLocalEmbedder } from '../../src/core/adapters/local-embedder/index.ts';
import { createExtractiveChatModel } from '../../src/core/answering/extractive-answerer.ts';
import { buildAnswerPrompt, type PromptSource } from '../../src/core/answering/prompt.ts';
import { type Embedder, silentLogger } from '../../src/core/ports/index.ts';
import { useLocalModel } from '../support/local-model.ts';

const model = useLocalModel();

describe.skipIf(!model)('extractive answerer with the real all-MiniLM-L6-v2', () => {
  const embedder: Embedder | undefined = model
    ? createLocalEmbedder({ ...model, allowRemote: false, logger: silentLogger })
    : undefined;
  afterAll(async () => {
    await embedder?.close?.();
  });

  // The answer shares none of the question's words; another sentence shares "money".
  const question = 'I paid twice by mistake, can I get my money back?';
  const sources: PromptSource[] = [
    {
      number: 1,
      title: 'Payments',
      location: 'payments.md',
      text: [
        '# Payments',
        '',
        'Money in your account is shown in the currency you chose. You can pay by card or by bank transfer.',
        'Duplicate payments are refunded to the original card within five business days.',
      ].join('\n'),
    },
    {
      number: 2,
      title: 'Invoices',
      location: 'invoices.md',
      text: 'Invoices can be downloaded as PDF from the billing page.',
    },
  ];
  const ask = async (options: Parameters<typeof createExtractiveChatModel>[0]) =>
    (
      await createExtractiveChatModel(options).complete({
        model: 'extractive',
        messages: buildAnswerPrompt(question, sources, 4000).messages,
      })
    ).text;

  it('quotes the sentence that answers in other words, where shared words alone pick another', async () => {
    expect(await ask({ maxSentences: 1 })).toBe(
      'Money in your account is shown in the currency you chose. [1]',
    );
    expect(await ask({ maxSentences: 1, embedder })).toBe(
      'Duplicate payments are refunded to the original card within five business days. [1]',
    );
  });

  it('leads with that sentence at the default length', async () => {
    const reply = await ask({ embedder });
    expect(reply).toContain(
      'Duplicate payments are refunded to the original card within five business days. [1]',
    );
    expect(reply).not.toContain('[2]');
  });
});
