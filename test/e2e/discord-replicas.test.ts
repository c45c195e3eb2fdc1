/**
 * Two real processes of bin/answerloop.js with Discord on one Elasticsearch node, splitting the gateway shards
 * (discord.shards [0] and [1] of 2) of one fake Discord on 127.0.0.1. Every interaction is delivered to both, as
 * a replay would be: each is acknowledged and answered exactly once (counted on the fake REST API), the other
 * process drops it; and one user's questions reaching different processes count against one rate limit.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discordIds,
  type FakeDiscord,
  makeUser,
  slashCommandInteraction,
  startFakeDiscord,
} from '../fakes/fake-discord.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { useLocalModel } from '../support/local-model.ts';
import {
  binary,
  eventually,
  freePort,
  metricSum,
  ready,
  type Replica,
  repositoryRoot,
  sleep,
  startReplica,
} from '../support/replicas.ts';

const url = await useElasticsearch();
const model = useLocalModel();
const questions = [
  'How do I reset my password?',
  'How are plans billed?',
  'How are webhook retries spaced?',
  'Where do I find my invoices?',
  'How do I install it?',
];

describe.skipIf(!url || !model)(
  'a Discord interaction delivered to two processes on one Elasticsearch',
  () => {
    const prefix = uniqueIndexPrefix('discord-replicas');
    let workspace: string;
    let fake: FakeDiscord;
    const replicas: Replica[] = [];

    const ask = (question: string, userId: string) =>
      slashCommandInteraction('ask', [{ name: 'question', type: 3, value: question }], {
        user: makeUser(userId, `user${userId.slice(-3)}`),
      });
    const callbacksOf = (token: string) =>
      fake.requests.filter(
        (request) => request.path.startsWith('/interactions/') && request.path.endsWith(`/${token}/callback`),
      );
    const editsOf = (token: string) =>
      fake.requests.filter(
        (request) =>
          request.method === 'PATCH' &&
          request.path === `/webhooks/${discordIds.application}/${token}/messages/@original`,
      );

    beforeAll(async () => {
      workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-discord-replicas-'));
      cpSync(path.join(repositoryRoot, 'test/fixtures/answering-docs'), path.join(workspace, 'docs'), {
        recursive: true,
      });
      // Discord wants the first callback within 3 s; two processes on a loaded machine get more room here.
      fake = await startFakeDiscord({ heartbeatIntervalMs: 1000, acknowledgeWithinMs: 10_000 });
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: workspace,
        ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
        ANSWERLOOP_LOG_FILE: '',
        ANSWERLOOP_LOG_LEVEL: 'info',
        ANSWERLOOP_STORE: 'elasticsearch',
        ELASTICSEARCH_URL: url,
        ANSWERLOOP_STORE__ELASTICSEARCH__INDEX_PREFIX: prefix,
        ANSWERLOOP_ANSWERING__MODE: 'offline',
        ANSWERLOOP_ANSWERING__AUTO_ANSWER_THRESHOLD: '0',
        ANSWERLOOP_EMBEDDER__LOCAL__MODEL_DIR: model!.modelDir,
        DISCORD_TOKEN: 'test-token',
        DISCORD_APPLICATION_ID: discordIds.application,
        ANSWERLOOP_DISCORD__API_URL: fake.apiUrl,
        ANSWERLOOP_DISCORD__SHARD_COUNT: '2',
        ANSWERLOOP_DISCORD__RATE_LIMIT_PER_MINUTE: '2',
        // The store's count may be slow on a loaded machine; letting a question through then is right, but not here.
        ANSWERLOOP_COORDINATION__SHARED_RATE_LIMIT_TIMEOUT_MS: '8000',
        ANSWERLOOP_OPS__SHUTDOWN_GRACE_SECONDS: '10',
      };
      await promisify(execFile)(process.execPath, [binary, 'ingest', 'docs'], {
        cwd: workspace,
        env,
        timeout: 120_000,
      });
      for (const shard of [0, 1]) {
        const port = await freePort();
        replicas.push(
          startReplica(
            workspace,
            { ...env, ANSWERLOOP_DISCORD__SHARDS: `[${shard}]`, ANSWERLOOP_OPS__PORT: String(port) },
            port,
          ),
        );
      }
      const allReady = await eventually(
        async () => (await Promise.all(replicas.map(ready))).every(Boolean),
        90_000,
        500,
      );
      if (!allReady)
        throw new Error(
          `The processes did not get ready:\n${replicas.map((replica) => replica.stderr.join('')).join('\n---\n')}`,
        );
    }, 240_000);

    afterAll(async () => {
      for (const replica of replicas) if (replica.alive) replica.process.kill('SIGKILL');
      await Promise.all(replicas.map((replica) => replica.exit));
      await fake?.close();
      if (url) await deleteIndices(url, prefix);
      if (workspace) rmSync(workspace, { recursive: true, force: true });
    });

    it('splits the shards: each process identifies with its own shard id', () => {
      expect([...fake.identifiedShards()].sort((a, b) => a[0] - b[0])).toEqual([
        [0, 2],
        [1, 2],
      ]);
    });

    it('answers each interaction exactly once, whichever process claims it', async () => {
      const sent = questions.map((question, index) =>
        ask(question, `10000000000000007${String(index).padStart(2, '0')}`),
      );
      for (const interaction of sent) {
        fake.dispatch('INTERACTION_CREATE', interaction);
        await sleep(50);
      }
      const tokens = sent.map((interaction) => String(interaction.token));
      const allAnswered = await eventually(
        () => tokens.every((token) => editsOf(token).length >= 1),
        60_000,
        100,
      );
      // Time for a late second answer to show up, were there one.
      await sleep(2000);
      expect(allAnswered).toBe(true);
      for (const token of tokens) {
        expect(callbacksOf(token), `callbacks of ${token}`).toHaveLength(1);
        expect(editsOf(token), `answers of ${token}`).toHaveLength(1);
      }
      expect(fake.rejectedRequests()).toEqual([]);
      const metrics = await Promise.all(
        replicas.map(async (replica) => (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text()),
      );
      const dropped = metrics.reduce(
        (sum, text) => sum + metricSum(text, 'answerloop_duplicate_deliveries_dropped_total'),
        0,
      );
      const answered = metrics.map((text) => metricSum(text, 'answerloop_questions_total'));
      console.log(
        `discord replicas: ${sent.length} interactions, each delivered to 2 processes; answers per process ${answered.join(' + ')}, ${dropped} duplicates dropped`,
      );
      expect(answered.reduce((sum, count) => sum + count, 0)).toBe(sent.length);
      expect(dropped).toBe(sent.length);
    });

    it('counts one user against one rate limit over both processes', async () => {
      const user = '1000000000000000799';
      const [first, second, third] = [
        'How do I reset my password?',
        'How are plans billed?',
        'Where do I find my invoices?',
      ].map((question) => ask(question, user));
      // Two questions reach only the process on shard 0, the third only the one on shard 1: that process never saw
      // the user before, so it refuses only because the count is shared.
      for (const [interaction, shard] of [
        [first!, 0],
        [second!, 0],
        [third!, 1],
      ] as const) {
        fake.dispatch('INTERACTION_CREATE', interaction, { shard });
        await eventually(() => callbacksOf(String(interaction.token)).length >= 1, 20_000, 50);
      }
      const bodies = [first!, second!, third!].map(
        (interaction) =>
          callbacksOf(String(interaction.token))[0]?.body as
            { type?: number; data?: { content?: string } } | undefined,
      );
      expect(
        bodies.map((body) => body?.type),
        replicas.map((replica) => replica.stderr.join('')).join('\n---\n'),
      ).toEqual([5, 5, 4]);
      expect(bodies[2]?.data?.content).toMatch(/asking faster than I can keep up with/);
    });

    it('stops both processes cleanly on SIGTERM', async () => {
      for (const replica of replicas) replica.process.kill('SIGTERM');
      expect(await Promise.all(replicas.map((replica) => replica.exit))).toEqual([0, 0]);
    });
  },
);
