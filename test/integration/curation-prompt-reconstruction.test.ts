import { beforeEach, describe, expect, it } from 'vitest';
import { parseAnswerPrompt, systemPrompt } from '../../src/core/answering/prompt.ts';
import { createCurationService, type CurationService } from '../../src/core/curation/index.ts';
import { silentLogger, type Chunk, type Store } from '../../src/core/ports/index.ts';
import { search } from '../../src/core/retrieval/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  conversationRecord,
  learningLoopConfig,
  manualClock,
  openMemoryStore,
} from '../support/learning-loop-fixtures.ts';

const embedder = createDeterministicEmbedder();
const config = learningLoopConfig();
let store: Store;
let curation: CurationService;

async function chunk(docId: string, title: string, text: string): Promise<Chunk> {
  const [embedding] = await embedder.embed([text]);
  return {
    id: `${docId}#0`,
    docId,
    source: docId,
    title,
    headingPath: ['Guide'],
    text,
    embedding: embedding!,
    tags: [],
    updatedAt: '2025-01-01T00:00:00.000Z',
    contentHash: 'c',
    documentHash: 'd',
    ordinal: 0,
  };
}

beforeEach(async () => {
  store = await openMemoryStore();
  await store.replaceDocument('docs/refunds.md', [
    await chunk(
      'docs/refunds.md',
      'Refunds',
      'Refunds within 14 days are requested from Billing, Invoices, Request refund.',
    ),
  ]);
  await store.replaceDocument('docs/domains.md', [
    await chunk(
      'docs/domains.md',
      'Domains',
      'Add a CNAME record to your DNS, then verify the domain under Domains.',
    ),
  ]);
  curation = createCurationService({
    config,
    store,
    logger: silentLogger,
    clock: manualClock(),
    search: (query, options) => search(query, options, { store, embedder, settings: config.retrieval }),
  });
});

describe('examples in the inference format without a stored prompt', () => {
  it('rebuilds the prompt of a refusal from the passages it retrieved', async () => {
    const refused = conversationRecord({
      id: 'refused-1',
      question: 'Can I get my money back?',
      answer: "I don't know. A teammate from support will follow up.",
      sources: [{ docId: 'docs/refunds.md', text: 'ignored: the stored chunk is used', vectorScore: 0.2 }],
      overrides: { promptMessages: [], refused: true, route: 'refused', model: 'none' },
    });
    await store.saveConversation(refused);
    const result = await curation.correct({
      conversationId: 'refused-1',
      reviewer: 'ops',
      answer: 'Yes, within 14 days: Billing > Invoices > Request refund [1].',
    });
    expect(result.warnings[0]).toMatch(/rebuilt from the passages/);
    const [system, user, assistant] = result.example!.messages;
    expect(system).toEqual({ role: 'system', content: systemPrompt });
    expect(parseAnswerPrompt(user!.content)).toEqual({
      question: 'Can I get my money back?',
      sources: [
        {
          number: 1,
          title: 'Refunds',
          text: 'Refunds within 14 days are requested from Billing, Invoices, Request refund.',
        },
      ],
    });
    expect(user!.content).toContain('location="docs/refunds.md › Guide"');
    expect(assistant?.content).toMatch(/Request refund \[1\]/);
  });

  it('gives a hand-written example the sources retrieval finds for its question', async () => {
    const result = await curation.addExample({
      question: 'How do I verify a custom domain with a CNAME record?',
      answer: 'Add the CNAME, then verify it under Domains [1].',
      reviewer: 'ops',
    });
    expect(result.warnings).toEqual([]);
    const parsed = parseAnswerPrompt(result.example.messages[1]!.content);
    expect(parsed.question).toBe('How do I verify a custom domain with a CNAME record?');
    expect(parsed.sources[0]?.title).toBe('Domains');
    expect(result.example.sourceDocIds[0]).toBe('docs/domains.md');
    expect(result.example.messages[0]?.content).toBe(systemPrompt);
  });
});
