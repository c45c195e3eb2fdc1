import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchStore } from '../../src/core/adapters/elasticsearch/index.ts';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import {
  type Clock,
  type ConversationRecord,
  type Core,
  createCore,
  loadConfig,
  silentLogger,
  type Store,
} from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { conversationRecord, silentRecord } from '../support/learning-loop-fixtures.ts';

const elasticsearchUrl = await useElasticsearch();

// Friday 2026-03-20; its ISO week starts Monday 2026-03-16, the week before on 2026-03-09.
const now = new Date('2026-03-20T12:00:00.000Z');
const clock: Clock = { now: () => now, sleep: async () => {} };
const at = (iso: string) => new Date(iso).toISOString();
const hoursAfter = (iso: string, hours: number) =>
  new Date(Date.parse(iso) + hours * 3_600_000).toISOString();

function record(id: string, createdAt: string, overrides: Partial<ConversationRecord>): ConversationRecord {
  return conversationRecord({
    id,
    question: `question ${id}`,
    answer: 'An answer [1].',
    createdAt,
    overrides,
  });
}

/** One conversation for every way a question can end, on two platforms and two weeks. */
function seed(): ConversationRecord[] {
  const thisWeek = at('2026-03-18T10:00:00Z');
  const lastWeek = at('2026-03-10T10:00:00Z');
  return [
    // This week, Slack C-support: resolved, helpful and resolved, not helpful, refused, a late human reply.
    record('resolved', thisWeek, {}),
    record('helpful', thisWeek, { feedback: { helpful: true, at: thisWeek } }),
    record('unhelpful', thisWeek, { feedback: { helpful: false, at: thisWeek } }),
    record('refused', thisWeek, { refused: true, route: 'refused' }),
    record('late-reply', thisWeek, { humanFollowUp: { at: hoursAfter(thisWeek, 30), kind: 'reply' } }),
    // This week, Discord forum: a teammate replied within the hour, a post tagged solved, a hand-off.
    record('replied', thisWeek, {
      platform: 'discord',
      channel: 'forum',
      humanFollowUp: { at: hoursAfter(thisWeek, 1), kind: 'reply' },
    }),
    record('solved', thisWeek, {
      platform: 'discord',
      channel: 'forum',
      humanFollowUp: { at: hoursAfter(thisWeek, 2), kind: 'solved' },
    }),
    record('handed', thisWeek, {
      platform: 'discord',
      channel: 'forum',
      handoff: { at: hoursAfter(thisWeek, 0.1), by: 'user-1', place: 'C-escalations' },
    }),
    // A post the bot was not sure enough to answer unasked: it said nothing; neither resolved nor a refusal.
    silentRecord({
      id: 'left-to-people',
      question: 'question left-to-people',
      createdAt: thisWeek,
      overrides: { platform: 'discord', channel: 'forum' },
    }),
    // Last week: one resolved on Slack; the help command is not a question.
    record('last-week', lastWeek, {}),
    record('help', lastWeek, { route: 'help' }),
    // Outside the window.
    record('old', at('2025-12-01T10:00:00Z'), {}),
  ];
}

function defineSuite(storeName: string, openStore: () => Store) {
  describe(`resolution and deflection on the ${storeName} store`, () => {
    let core: Core;

    beforeAll(async () => {
      const store = openStore();
      const config = loadConfig({ env: { ANSWERLOOP_LOG_FILE: '', ANSWERLOOP_ANSWERING__MODE: 'offline' } });
      core = createCore({
        config,
        store,
        embedder: createDeterministicEmbedder(),
        clock,
        logger: silentLogger,
      });
      await core.prepareToServe();
      for (const conversation of seed()) await store.saveConversation(conversation);
    }, 60_000);

    afterAll(() => core?.close());

    it('counts each week, platform and channel, and the share resolved without a person', async () => {
      const report = await core.insights.resolution({ since: '4w' });
      const slack = report.rows.find((row) => row.week === '2026-03-16' && row.platform === 'slack')!;
      expect(slack).toMatchObject({
        channel: 'C-support',
        questions: 5,
        answered: 4,
        refused: 1,
        helpful: 1,
        notHelpful: 1,
        // The reply 30 hours later is past insights.humanFollowUpHours (24): the bot had resolved it.
        humanFollowUp: 0,
        handedOff: 0,
        resolvedWithoutPerson: 3,
      });
      expect(slack.resolvedShare).toBeCloseTo(0.6);
      expect(
        report.rows.find((row) => row.week === '2026-03-16' && row.platform === 'discord'),
      ).toMatchObject({
        channel: 'forum',
        questions: 4,
        answered: 3,
        refused: 0,
        silent: 1,
        humanFollowUp: 2,
        handedOff: 1,
        resolvedWithoutPerson: 0,
        resolvedShare: 0,
      });
      expect(report.rows.find((row) => row.week === '2026-03-09')).toMatchObject({
        platform: 'slack',
        questions: 1,
        resolvedWithoutPerson: 1,
      });
      expect(report.weeks.map((week) => [week.week, week.questions])).toEqual([
        ['2026-02-16', 0],
        ['2026-02-23', 0],
        ['2026-03-02', 0],
        ['2026-03-09', 1],
        ['2026-03-16', 9],
      ]);
      expect(report.total).toMatchObject({ questions: 10, resolvedWithoutPerson: 4, refused: 1, silent: 1 });
      expect(report.total.resolvedShare).toBeCloseTo(4 / 10);
    });

    it('shows the last seven days per platform as Prometheus gauges', async () => {
      const { text } = await core.renderMetrics();
      expect(text).toMatch(/answerloop_questions_last_7_days\{platform="slack"\} 5/);
      expect(text).toMatch(/answerloop_questions_last_7_days\{platform="discord"\} 4/);
      expect(text).toMatch(/answerloop_resolved_without_person_ratio\{platform="slack"\} 0\.6/);
      expect(text).toMatch(/answerloop_resolved_without_person_ratio\{platform="discord"\} 0\n/);
      expect(text).toMatch(/answerloop_human_follow_up_ratio\{platform="discord"\} 0\.5\n/);
      expect(text).toMatch(/answerloop_handed_off_ratio\{platform="discord"\} 0\.25\n/);
    });
  });
}

defineSuite('embedded', () => createSqliteStore({ file: ':memory:', logger: silentLogger }));

describe.skipIf(!elasticsearchUrl)('elasticsearch', () => {
  const indexPrefix = uniqueIndexPrefix('resolution');
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
