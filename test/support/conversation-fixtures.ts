import { buildAnswerPrompt } from '../../src/core/answering/prompt.ts';
import { loadConfig, type Config } from '../../src/core/config/index.ts';
import type {
  ChatModel,
  ChatRequest,
  Clock,
  ConversationRecord,
  SourceUsed,
} from '../../src/core/ports/index.ts';

/** Conversations as ask() stores them, a configuration, a clock and a scripted model: no store, no network. */

export function learningLoopConfig(
  overrides: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Config {
  return loadConfig({ env: { OPENAI_API_KEY: 'sk-test-key-000000000000', ...env }, overrides });
}

/** A clock tests move by hand; sleeping advances it instantly. */
export function manualClock(
  start = '2025-03-01T09:00:00.000Z',
): Clock & { advance(ms: number): void; sleeps: number[] } {
  let time = new Date(start).getTime();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(time),
    advance(ms) {
      time += ms;
    },
    async sleep(ms) {
      sleeps.push(ms);
      time += ms;
    },
  };
}

function source(number: number, docId: string, vectorScore: number): SourceUsed {
  return {
    number,
    chunkId: `${docId}#0`,
    docId,
    source: docId,
    title: docId.replace(/^docs\//, '').replace(/\.md$/, ''),
    headingPath: [],
    score: 1 / (60 + number),
    bm25Score: 8 - number,
    vectorScore,
    bm25Rank: number,
    vectorRank: number,
  };
}

export interface ConversationSeed {
  id: string;
  question: string;
  answer: string;
  /** Documents of the numbered sources, with their passage text. */
  sources?: Array<{ docId: string; text: string; vectorScore?: number }>;
  helpful?: boolean | null;
  createdAt?: string;
  overrides?: Partial<ConversationRecord>;
}

/** A conversation record as ask() stores it: the prompt is built by the real prompt builder. */
export function conversationRecord(seed: ConversationSeed): ConversationRecord {
  const sources = seed.sources ?? [
    { docId: 'docs/account.md', text: 'Passwords are reset under Settings > Security.' },
  ];
  const prompt = buildAnswerPrompt(
    seed.question,
    sources.map((entry, index) => ({
      number: index + 1,
      title: entry.docId,
      location: entry.docId,
      text: entry.text,
    })),
    3000,
  );
  const createdAt = seed.createdAt ?? '2025-02-01T10:00:00.000Z';
  return {
    id: seed.id,
    platform: 'slack',
    channel: 'C-support',
    thread: '',
    user: 'user-hash',
    question: seed.question,
    standaloneQuestion: seed.question,
    route: 'retrieve',
    sources: sources.map((entry, index) => source(index + 1, entry.docId, entry.vectorScore ?? 0.6)),
    answer: seed.answer,
    model: 'gpt-4o-mini-2024-07-18',
    promptMessages: prompt.messages,
    confidence: 0.7,
    refused: false,
    latencyMs: 900,
    usage: { promptTokens: 300, completionTokens: 40, totalTokens: 340 },
    feedback:
      seed.helpful === undefined || seed.helpful === null ? null : { helpful: seed.helpful, at: createdAt },
    reviewStatus: 'new',
    correctedAnswer: null,
    reviewer: null,
    reviewedAt: null,
    failureKind: null,
    expectedSources: [],
    stale: false,
    shadow: null,
    createdAt,
    updatedAt: createdAt,
    ...seed.overrides,
  };
}

/** Distinct support questions, so near-duplicate detection keeps them all. */
export const topics = [
  ['reset my password', 'Open Settings, choose Security and click Reset password [1].'],
  ['change the billing email', 'Go to Billing, edit the invoice contact and save [1].'],
  ['invite a teammate', 'Open Members, click Invite and enter their address [1].'],
  ['export invoices as PDF', 'In Billing pick a month and click Download PDF [1].'],
  ['enable two-factor login', 'Under Security turn on Two-factor and scan the QR code [1].'],
  ['delete a project', 'Open the project settings and click Delete project at the bottom [1].'],
  ['rename a workspace', 'Workspace settings have a Name field; edit it and save [1].'],
  ['connect the Slack app', 'Open Integrations, choose Slack and approve the permissions [1].'],
  ['download the audit log', 'Admins find Audit log under Security with a CSV export [1].'],
  ['change my plan', 'Billing lists the plans; choose one and confirm the change [1].'],
  ['restore a deleted file', 'Deleted files stay in Trash for 30 days; open Trash and click Restore [1].'],
  [
    'set up single sign-on',
    'SSO is configured under Security > SAML with your identity provider metadata [1].',
  ],
  ['see API usage', 'The Usage page shows API calls per day for the last 90 days [1].'],
  ['create an API key', 'Open Developer settings and click New key; copy it once [1].'],
  ['leave an organisation', 'In your profile, Organisations lists each one with a Leave button [1].'],
  ['change the language', 'Profile > Preferences has a Language menu [1].'],
  ['transfer ownership', 'The owner opens Members, picks a teammate and chooses Make owner [1].'],
  ['archive a channel', 'Channel settings offer Archive; archived channels stay searchable [1].'],
  ['set a custom domain', 'Add a CNAME record to your DNS, then verify it under Domains [1].'],
  ['limit guest access', 'Guests only see the projects they are invited to; set this under Roles [1].'],
  ['get a refund', 'Refunds within 14 days are requested from Billing > Invoices > Request refund [1].'],
  ['pause notifications', 'Click your avatar and choose Pause notifications for a period [1].'],
  ['import data from CSV', 'Use Import on the Data page; the first row must hold the column names [1].'],
  ['find my invoice number', 'Each invoice in Billing shows its number at the top right [1].'],
] as const;

export function topicConversations(count: number, prefix = 'conv'): ConversationRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const [topic, answer] = topics[index % topics.length]!;
    return conversationRecord({
      id: `${prefix}-${String(index + 1).padStart(2, '0')}`,
      question: `How do I ${topic}?`,
      answer,
      sources: [{ docId: `docs/${topic.split(' ').at(-1)}.md`, text: `${answer.replace(' [1]', '')}` }],
      helpful: index % 3 === 0 ? false : null,
      createdAt: new Date(Date.UTC(2025, 1, 1, 10, index)).toISOString(),
    });
  });
}

/** A chat model that answers from a script and records every request. */
export function scriptedChatModel(
  script: (request: ChatRequest) => string,
): ChatModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    requests,
    async complete(request) {
      requests.push(request);
      return {
        text: script(request),
        model: request.model,
        usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
        modelMs: 1,
      };
    },
  };
}

/**
 * A question the bot stayed silent on (nobody asked it, under its channel's bar), as ask() keeps it: refused, no
 * answer, no prompt, no tokens; its passages and confidence kept.
 */
export function silentRecord(seed: Omit<ConversationSeed, 'answer' | 'helpful'>): ConversationRecord {
  return conversationRecord({
    ...seed,
    answer: '',
    overrides: {
      route: 'refused',
      refused: true,
      silent: true,
      model: 'none',
      promptMessages: [],
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      confidence: 0.4,
      ...seed.overrides,
    },
  });
}
