import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchStore } from '../../src/core/adapters/elasticsearch/index.ts';
import { createLocalEmbedder } from '../../src/core/adapters/local-embedder/index.ts';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import {
  type ChatModel,
  type ChatRequest,
  type Clock,
  type ConversationRecord,
  type Core,
  createCore,
  type Embedder,
  loadConfig,
  silentLogger,
  type Store,
} from '../../src/core/index.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { useLocalModel } from '../support/local-model.ts';
import { conversationRecord, silentRecord } from '../support/learning-loop-fixtures.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/answering-docs');
const model = useLocalModel();
const elasticsearchUrl = await useElasticsearch();

/** Topics the fixture documentation (accounts, billing, install, webhooks) does not cover, each asked three ways. */
const missingTopics: Record<string, string[]> = {
  sso: [
    'How do I set up single sign-on with Okta?',
    'Can our team log in through SAML SSO with our identity provider?',
    'Is there support for Azure AD or Okta single sign-on?',
  ],
  export: [
    'How can I export all my data to a CSV file?',
    'Is there a way to download a spreadsheet of every record in my account?',
    'I want to back up all my data as CSV, how?',
  ],
  mobile: [
    'Is there an iPhone app?',
    'Can I use the product on my Android phone?',
    'Do you have a mobile app for iOS or Android?',
  ],
  darkMode: [
    'How do I switch the interface to dark mode?',
    'Is there a dark theme for the dashboard?',
    'Can I make the screen colours dark at night?',
  ],
  residency: [
    'Where are your servers located, is our data stored in the EU?',
    'Do you offer EU data residency for GDPR?',
    'Which country is our customer data hosted in?',
  ],
};

/** One section long enough for several passages, all of them near the single sign-on questions. */
const signingInPage = [
  '# Signing in',
  '',
  '## Signing in to your account',
  '',
  ...Array.from(
    { length: 12 },
    (_, index) =>
      `Sign in ${index + 1}: you log in to your account with your email address and your password on the sign-in ` +
      'page of the dashboard. Your team members sign in the same way, each with a login of their own, and an ' +
      'administrator can reset a password for them from the team settings.',
  ),
].join('\n\n');

const now = new Date('2026-03-20T12:00:00.000Z');
const clock: Clock = { now: () => now, sleep: async () => {} };
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();

/** A question the bot did not answer well, in one of the ways that makes it a gap question. */
function unanswered(
  id: string,
  question: string,
  hoursBack: number,
  how: 'refused' | 'low' | 'not_helpful' | 'corrected',
): ConversationRecord {
  return conversationRecord({
    id,
    question,
    answer:
      how === 'refused' ? 'I could not find this in the documentation.' : 'Plans are billed monthly [1].',
    createdAt: hoursAgo(hoursBack),
    helpful: how === 'not_helpful' ? false : null,
    overrides: {
      platform: id.endsWith('d') ? 'discord' : 'slack',
      channel: id.endsWith('d') ? 'forum-help' : 'C-support',
      user: `user-${id}`,
      refused: how === 'refused',
      route: how === 'refused' ? 'refused' : 'retrieve',
      confidence: how === 'refused' ? 0.1 : how === 'low' ? 0.4 : 0.8,
      ...(how === 'corrected'
        ? {
            reviewStatus: 'corrected' as const,
            correctedAnswer: 'Data is hosted in Frankfurt, Germany, for every EU customer.',
            correctionSource: 'operator' as const,
            reviewer: 'ops',
          }
        : {}),
    },
  });
}

const ways = ['refused', 'low', 'not_helpful'] as const;

function seedRecords(): ConversationRecord[] {
  const records: ConversationRecord[] = [];
  let hour = 1;
  for (const [topic, questions] of Object.entries(missingTopics))
    questions.forEach((question, index) => {
      const how = topic === 'residency' && index === 0 ? 'corrected' : ways[index % ways.length]!;
      records.push(unanswered(`${topic}-${index}${index === 1 ? 'd' : ''}`, question, hour, how));
      hour += 5;
    });
  // Answered well, or not a documentation question, or outside the window: never a gap.
  records.push(
    conversationRecord({
      id: 'answered-well',
      question: 'How do I reset my password?',
      answer: 'Open Settings, choose Security [1].',
      createdAt: hoursAgo(2),
      helpful: true,
      overrides: { confidence: 0.9 },
    }),
    conversationRecord({
      id: 'greeting',
      question: 'hello there',
      answer: 'Hi!',
      createdAt: hoursAgo(3),
      overrides: { route: 'direct', confidence: 0 },
    }),
    unanswered('too-old', 'How do I set up SSO with Okta?', 24 * 30, 'refused'),
  );
  return records;
}

function defineSuite(storeName: string, openStore: () => Store) {
  describe(`knowledge gaps on the ${storeName} store`, () => {
    let store: Store;
    let embedder: Embedder;
    let core: Core;
    let workspace: string;

    beforeAll(async () => {
      workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-gaps-'));
      cpSync(fixtures, path.join(workspace, 'docs'), { recursive: true });
      writeFileSync(path.join(workspace, 'docs', 'signing-in.md'), signingInPage);
      store = openStore();
      embedder = createLocalEmbedder({ ...model!, allowRemote: false, logger: silentLogger });
      const config = loadConfig({
        cwd: workspace,
        env: {
          ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
          ANSWERLOOP_LOG_FILE: '',
          ANSWERLOOP_ANSWERING__MODE: 'offline',
        },
      });
      core = createCore({ config, store, embedder, clock, logger: silentLogger });
      await core.ingest(['docs']);
      for (const record of seedRecords()) await store.saveConversation(record);
    }, 180_000);

    afterAll(async () => {
      await core?.close();
      rmSync(workspace, { recursive: true, force: true });
    });

    it('groups the questions by meaning: one gap per missing topic, however worded, none mixing two', async () => {
      const report = await core.insights.gaps({ since: '7d' });
      expect(report.questionsConsidered).toBe(15);
      expect(report.gaps).toHaveLength(5);
      const topicOf = (conversationId: string) => conversationId.split('-')[0]!;
      const seen = new Set<string>();
      for (const gap of report.gaps) {
        const topics = new Set(gap.questions.map((question) => topicOf(question.conversationId)));
        expect(topics.size, `gap "${gap.title}" mixes ${[...topics].join(', ')}`).toBe(1);
        expect(gap.count).toBe(3);
        for (const question of gap.questions) {
          expect(seen.has(question.conversationId)).toBe(false);
          seen.add(question.conversationId);
        }
        // The title is one of its own questions when no chat model is configured.
        expect(gap.questions.map((question) => question.question)).toContain(gap.title);
        expect(gap.titleFrom).toBe('question');
      }
      expect(seen.size).toBe(15);
      expect(seen.has('answered-well') || seen.has('greeting') || seen.has('too-old')).toBe(false);
    });

    it('with a limit, gives the first gaps and says how many the window holds', async () => {
      const report = await core.insights.gaps({ since: '7d', limit: 2 });
      expect(report.gaps).toHaveLength(2);
      expect(report.gapsFound).toBe(5);
      expect(report.questionsConsidered).toBe(15);
      expect(report.gaps.map((gap) => gap.id)).toEqual(
        (await core.insights.gaps({ since: '7d' })).gaps.slice(0, 2).map((gap) => gap.id),
      );
    });

    it('says who asked where, why each question counts, and what the documentation nearly says', async () => {
      const { gaps } = await core.insights.gaps({ since: '7d' });
      const sso = gaps.find((gap) => gap.questions.some((question) => question.conversationId === 'sso-0'))!;
      expect(sso.questions.map((question) => question.conversationId)).toEqual(['sso-0', 'sso-1d', 'sso-2']);
      expect(sso.questions[1]).toMatchObject({
        question: 'Can our team log in through SAML SSO with our identity provider?',
        platform: 'discord',
        channel: 'forum-help',
        conversationId: 'sso-1d',
        reasons: ['low_confidence'],
      });
      expect(sso.reasons).toEqual({ refused: 1, low_confidence: 1, not_helpful: 1, corrected: 0 });
      expect(sso.askers).toBe(3);
      expect(sso.firstSeen).toBe(hoursAgo(11));
      expect(sso.lastSeen).toBe(hoursAgo(1));
      expect(sso.nearest.length).toBeGreaterThan(0);
      expect(sso.nearest.length).toBeLessThanOrEqual(3);
      for (const passage of sso.nearest) expect(passage.docId).toMatch(/\.md$/);
      // One passage per section: two pieces of one section would read as the same line twice.
      const sections = sso.nearest.map((passage) => `${passage.docId} ${passage.headingPath.join(' > ')}`);
      expect(new Set(sections).size).toBe(sections.length);
      expect(sections).toContain('docs/signing-in.md Signing in > Signing in to your account');
      // Ranked by how many asked and how recently: the first topic seeded is the freshest.
      expect(gaps[0]!.id).toBe(sso.id);
    });

    it('is deterministic, and a gap keeps its id as more questions arrive', async () => {
      const before = await core.insights.gaps({ since: '7d' });
      const again = await core.insights.gaps({ since: '7d' });
      expect(again.gaps).toEqual(before.gaps);

      await store.saveConversation(
        unanswered('mobile-3', 'Where can I download your app for my phone?', 0.5, 'refused'),
      );
      const after = await core.insights.gaps({ since: '7d' });
      const mobileBefore = before.gaps.find((gap) => gap.questions[0]!.conversationId.startsWith('mobile'))!;
      const mobileAfter = after.gaps.find((gap) => gap.id === mobileBefore.id)!;
      expect(mobileAfter.count).toBe(4);
      expect(mobileAfter.questions[0]!.conversationId).toBe('mobile-3');
      expect(after.gaps.map((gap) => gap.id).sort()).toEqual(before.gaps.map((gap) => gap.id).sort());
      expect((await core.insights.gap(mobileBefore.id.slice(0, 6), { since: '7d' })).count).toBe(4);
      await expect(core.insights.gap('ffffffff', { since: '7d' })).rejects.toThrow(/No gap "ffffffff"/);
    });

    it('lists the verified answers already given on a gap', async () => {
      const published = await core.verified.publish({ conversationId: 'residency-0', reviewer: 'ops' });
      const { gaps } = await core.insights.gaps({ since: '7d' });
      const residency = gaps.find((gap) =>
        gap.questions.some((question) => question.conversationId === 'residency-0'),
      )!;
      expect(residency.reasons.corrected).toBe(1);
      expect(residency.verifiedAnswers).toEqual([
        expect.objectContaining({ id: published.verified.id, answer: expect.stringContaining('Frankfurt') }),
      ]);
      // A verified answer is not a documentation passage.
      for (const passage of residency.nearest) expect(passage.docId).not.toMatch(/^verified\//);
    });

    it('counts a question the bot stayed silent on (nobody asked it) as low confidence, not as a refusal', async () => {
      await store.saveConversation(
        silentRecord({
          id: 'mobile-silent',
          question: 'Does an Android or iPhone app exist?',
          createdAt: hoursAgo(0.25),
          overrides: { platform: 'discord', channel: 'help-channel', user: 'user-silent' },
        }),
      );
      const { gaps } = await core.insights.gaps({ since: '7d' });
      const mobile = gaps.find((gap) =>
        gap.questions.some((question) => question.conversationId === 'mobile-0'),
      )!;
      expect(mobile.questions[0]).toMatchObject({
        conversationId: 'mobile-silent',
        reasons: ['low_confidence'],
      });
      expect(mobile.reasons.low_confidence).toBeGreaterThanOrEqual(2);
    });

    it('rejects a window it cannot read, saying what it takes', async () => {
      await expect(core.insights.gaps({ since: 'last week' })).rejects.toThrow(
        /--since expects a duration such as 24h, 7d or 2w/,
      );
    });
  });
}

describe.skipIf(!model)('knowledge gaps', () => {
  defineSuite('embedded', () => createSqliteStore({ file: ':memory:', logger: silentLogger }));

  describe.skipIf(!elasticsearchUrl)('elasticsearch', () => {
    const indexPrefix = uniqueIndexPrefix('gaps');
    afterAll(() => deleteIndices(elasticsearchUrl!, indexPrefix));
    defineSuite('elasticsearch', () =>
      createElasticsearchStore({
        url: elasticsearchUrl!,
        indexPrefix,
        analyzer: 'english',
        requestTimeoutMs: 10_000,
        maxRetries: 0,
        bulkSize: 500,
        logger: silentLogger,
      }),
    );
  });

  it('lets a configured chat model write the titles', async () => {
    const store = createSqliteStore({ file: ':memory:', logger: silentLogger });
    const embedder = createLocalEmbedder({ ...model!, allowRemote: false, logger: silentLogger });
    const requests: ChatRequest[] = [];
    const chatModel: ChatModel = {
      complete: async (request) => {
        requests.push(request);
        return {
          text: '"Single sign-on with Okta and SAML"',
          model: request.model,
          usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
          modelMs: 1,
        };
      },
    };
    const config = loadConfig({ env: { ANSWERLOOP_LOG_FILE: '', OPENAI_API_KEY: 'sk-test-000000000000' } });
    const core = createCore({ config, store, embedder, chatModel, clock, logger: silentLogger });
    try {
      await core.prepareToServe();
      for (const [index, question] of missingTopics.sso!.entries())
        await store.saveConversation(unanswered(`sso-${index}`, question, index + 1, 'refused'));
      const { gaps } = await core.insights.gaps({ since: '7d' });
      expect(gaps).toHaveLength(1);
      expect(gaps[0]).toMatchObject({ title: 'Single sign-on with Okta and SAML', titleFrom: 'model' });
      expect(requests[0]!.messages.at(-1)!.content).toContain('How do I set up single sign-on with Okta?');
    } finally {
      await core.close();
    }
  }, 60_000);
});
