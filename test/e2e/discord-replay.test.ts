import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discordIds,
  makeUser,
  type RecordedRequest,
  slashCommandInteraction,
} from '../fakes/fake-discord.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import {
  type DiscordHarness,
  type DiscordReplica,
  type LogEntry,
  startDiscordHarness,
} from '../support/discord-test-harness.ts';

const elasticsearchUrl = await useElasticsearch();
const elasticsearchPrefix = uniqueIndexPrefix('discord-replay');

const stores = [
  { name: 'the embedded store', overrides: {} },
  ...(elasticsearchUrl
    ? [
        {
          name: 'Elasticsearch',
          overrides: {
            store: {
              kind: 'elasticsearch',
              elasticsearch: { url: elasticsearchUrl, indexPrefix: elasticsearchPrefix },
            },
          },
        },
      ]
    : []),
];

afterAll(async () => {
  if (elasticsearchUrl) await deleteIndices(elasticsearchUrl, elasticsearchPrefix);
});

/** Polls the operator log until an entry matches; bounded, so a missing entry fails the test instead of hanging it. */
async function logged(
  logs: LogEntry[],
  predicate: (entry: LogEntry) => boolean,
  timeoutMs = 15_000,
): Promise<LogEntry> {
  for (
    const started = Date.now();
    Date.now() - started < timeoutMs;
    await new Promise((resolve) => setTimeout(resolve, 20))
  ) {
    const found = logs.find(predicate);
    if (found) return found;
  }
  throw new Error('no matching log entry in time');
}

const dropped = (kind: string, id: string) => (entry: LogEntry) =>
  entry.message?.startsWith('Dropped a Discord delivery') === true && entry.kind === kind && entry.id === id;

describe.each(stores)(
  'a Discord delivery is answered once, across replicas and restarts, on $name',
  ({ overrides }) => {
    let harness: DiscordHarness;
    let replica: DiscordReplica | undefined;
    const ask = (question: string, userId: string) =>
      slashCommandInteraction('ask', [{ name: 'question', type: 3, value: question }], {
        user: makeUser(userId, `user${userId.slice(-3)}`),
      });
    const callbacksOf = (token: string) =>
      harness.fake.requests.filter(
        (request) => request.path.startsWith('/interactions/') && request.path.includes(token),
      );
    const editsOf = (token: string) =>
      harness.fake.requests.filter((request) => request.method === 'PATCH' && request.path.includes(token));

    beforeAll(async () => {
      harness = await startDiscordHarness({
        overrides: {
          ...overrides,
          discord: { rateLimitPerMinute: 2, channels: { [discordIds.forum]: { mode: 'auto' } } },
          answering: { autoAnswerThreshold: 0 },
        },
      });
    });
    afterAll(async () => {
      await harness?.stop();
    });

    it('charges the per-user rate limit once for an interaction delivered twice', async () => {
      const user = '1000000000000000601';
      const first = ask('How do I reset my password?', user);
      harness.interact(first);
      harness.interact(first);
      await logged(harness.logs, dropped('interaction', String(first.id)));
      // The limit is 2 a minute: had the redelivery counted, this second question would be refused.
      const second = harness.interact(ask('When are invoices emailed?', user));
      expect((await harness.callback(second)).body).toMatchObject({ type: 5 });
      expect(callbacksOf(String(first.token))).toHaveLength(1);
      await harness.originalEdit(second);
    });

    it('answers an interaction delivered to two running replicas once', async () => {
      replica = await harness.startReplica();
      const interaction = ask('How are webhook retries spaced?', '1000000000000000602');
      harness.interact(interaction);
      await harness.originalEdit({ token: String(interaction.token) });
      // The replica that lost the claim says so; after that it does nothing more with the interaction.
      await logged(harness.logs, dropped('interaction', String(interaction.id)));
      expect(callbacksOf(String(interaction.token))).toHaveLength(1);
      expect(editsOf(String(interaction.token))).toHaveLength(1);
      expect(harness.fake.rejectedRequests()).toEqual([]);
    });

    it('answers a forum post seen by two replicas once', async () => {
      const post = harness.fake.createForumPost({
        title: 'Refunds',
        content: 'How do I get a refund?',
        author: makeUser('1000000000000000603', 'rae'),
      });
      const answer = await harness.fake.waitForRequest(
        (request: RecordedRequest) =>
          request.method === 'POST' && request.path === `/channels/${post.id}/messages`,
      );
      expect(answer.status).toBe(200);
      await logged(harness.logs, dropped('thread', post.id));
      expect(
        harness.fake.requests.filter(
          (request) => request.method === 'POST' && request.path === `/channels/${post.id}/messages`,
        ),
      ).toHaveLength(1);
    });

    it('does not answer again after a restart when Discord delivers an interaction it already answered', async () => {
      const interaction = ask('How do I delete an account?', '1000000000000000604');
      harness.interact(interaction);
      await harness.originalEdit({ token: String(interaction.token) });
      const dropsBefore = harness.logs.filter(dropped('interaction', String(interaction.id))).length;

      // Every process stops; a new one starts on the same store, with nothing in memory.
      await replica?.stop();
      await harness.bot.stop();
      await harness.startReplica();
      harness.interact(interaction);
      await logged(
        harness.logs,
        () => harness.logs.filter(dropped('interaction', String(interaction.id))).length > dropsBefore,
      );
      expect(callbacksOf(String(interaction.token))).toHaveLength(1);

      // The restarted process answers new questions as before.
      const next = harness.interact(ask('How do I reset my password?', '1000000000000000605'));
      expect((await harness.callback(next)).body).toMatchObject({ type: 5 });
      await harness.originalEdit(next);
    });
  },
);
