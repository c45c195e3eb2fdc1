/**
 * Three real processes of bin/answerloop.js in Slack HTTP mode on the real Elasticsearch node, one SIGKILLed
 * while it answers: every event, delivered with duplicates and retries across replicas, gets an answer in the end,
 * exactly once, counted on the fake Web API; duplicates and retries are dropped. The figures (events, duplicates, takeovers, waits) are printed.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlackApi, type FakeSlackCall, startFakeSlackApi } from '../fakes/fake-slack-api.ts';
import { appMentionEvent, eventEnvelope, postToSlackApp } from '../fakes/fake-slack-payloads.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { useLocalModel } from '../support/local-model.ts';
import {
  eventually,
  killReplicas,
  metricSum,
  type Replica,
  sleep,
  slackReplicaWorkspace,
  startReadyReplicas,
} from '../support/replicas.ts';

const url = await useElasticsearch();
const model = useLocalModel();
const signingSecret = 'replica-test-signing-secret';
const events = 120;
// Long enough that a replica busy on a loaded machine still renews in time; the takeover of a dead one waits this long.
const claimTtlMs = 30_000;
const tokenOf = (replica: number) => `xoxb-replicas-${replica}`;
const questions = [
  'How do I reset my password?',
  'How are plans billed?',
  'How do I turn on two-factor authentication?',
  'Where do I find my invoices?',
];

describe.skipIf(!url || !model)('three replicas on one Elasticsearch, one killed mid-answer', () => {
  const prefix = uniqueIndexPrefix('replicas');
  let workspace: string;
  let fake: FakeSlackApi;
  let env: NodeJS.ProcessEnv;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    // The working reaction is slow to come back, so every answer is in progress for a while: the kill lands mid-answer.
    fake = await startFakeSlackApi({ delayMs: (call) => (call.method === 'reactions.add' ? 700 : 0) });
    ({ workspace, env } = slackReplicaWorkspace({
      name: 'replicas',
      elasticsearchUrl: url!,
      modelDir: model!.modelDir,
      slackApiUrl: fake.url,
      signingSecret,
      env: {
        ANSWERLOOP_STORE__ELASTICSEARCH__INDEX_PREFIX: prefix,
        ANSWERLOOP_COORDINATION__CLAIM_TTL_MS: String(claimTtlMs),
      },
    }));
    // Each replica with its own bot token, so the fake tells whose call it received.
    replicas.push(
      ...(await startReadyReplicas(workspace, env, 3, {
        envOf: (index) => ({ SLACK_BOT_TOKEN: tokenOf(index) }),
      })),
    );
  }, 240_000);

  afterAll(async () => {
    await killReplicas(replicas);
    await fake?.close();
    if (url) await deleteIndices(url, prefix);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it(
    'answers every event after a SIGKILL mid-answer, drops duplicates and retries, then stops gracefully on SIGTERM',
    { timeout: 240_000 },
    async () => {
      // Older than every message the fake posts, as a question is older than its answer.
      const tsOf = (index: number) => `1600000000.${String(index).padStart(6, '0')}`;
      const answersTo = (ts: string) =>
        fake.calls.filter(
          (call: FakeSlackCall) => call.method === 'chat.postMessage' && call.body.thread_ts === ts,
        );
      const sentAt = new Map<string, number>();
      let deliveries = 0;

      /** Delivers like Slack: when the replica cannot be reached, the retry goes to another one. */
      async function deliver(index: number, to: number, headers: Record<string, string> = {}): Promise<void> {
        const ts = tsOf(index);
        const payload = eventEnvelope(
          appMentionEvent({
            user: `U${index % 7}`,
            channel: 'CSUPPORT',
            ts,
            text: `<@UBOT> ${questions[index % questions.length]}`,
          }),
          {
            eventId: `EvReplica${index}`,
          },
        );
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const replica = replicas[(to + attempt) % replicas.length]!;
          deliveries += 1;
          try {
            const response = await postToSlackApp(replica.port, payload, {
              signingSecret,
              headers:
                attempt === 0
                  ? headers
                  : { 'x-slack-retry-num': String(attempt), 'x-slack-retry-reason': 'connection_failed' },
            });
            if (response.status === 200) return;
          } catch {
            // Refused: that replica is gone. Slack retries elsewhere.
          }
        }
        throw new Error(`No replica took event ${index}`);
      }

      let killedWhileAnswering: string | undefined;
      const sends: Array<Promise<void>> = [];
      for (let index = 0; index < events; index += 1) {
        const ts = tsOf(index);
        sentAt.set(ts, Date.now());
        const primary = index % 3;
        sends.push(deliver(index, primary));
        // A duplicate delivery to another replica at the same moment, and a retry after a "slow" acknowledgement.
        if (index % 3 === 0) sends.push(deliver(index, (primary + 1) % 3));
        if (index % 4 === 0)
          sends.push(
            sleep(150).then(() =>
              deliver(index, (primary + 2) % 3, {
                'x-slack-retry-num': '1',
                'x-slack-retry-reason': 'http_timeout',
              }),
            ),
          );

        if (killedWhileAnswering === undefined && index >= Math.floor(events / 3)) {
          // Kill replica 0 while it is answering: it has claimed a question and is still waiting for its working
          // reaction to come back (the fake holds that response), so it cannot have answered it yet.
          const working = [...fake.held].find(
            (call) => call.method === 'reactions.add' && call.authorization === `Bearer ${tokenOf(0)}`,
          );
          if (working) {
            killedWhileAnswering = String(working.body.timestamp);
            const victimPort = replicas[0]!.port;
            replicas[0]!.process.kill('SIGKILL');
            await replicas[0]!.exit;
            expect(replicas[0]!.alive, `replica on ${victimPort} is gone`).toBe(false);
          }
        }
        await sleep(80);
      }
      await Promise.all(sends);

      const everyEventAnswered = await eventually(
        () => [...sentAt.keys()].every((ts) => answersTo(ts).length >= 1),
        claimTtlMs * 3,
        250,
      );
      // A few more sweeps: nothing is answered a second time.
      await sleep(4000);
      const counts = [...sentAt.keys()].map((ts) => answersTo(ts).length);
      const unanswered = counts.filter((count) => count === 0).length;
      const twice = counts.filter((count) => count > 1).length;

      const survivors = replicas.filter((replica) => replica.alive);
      const metrics = await Promise.all(
        survivors.map(async (replica) => (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text()),
      );
      const takeovers = metrics.reduce(
        (sum, text) => sum + metricSum(text, 'answerloop_claims_taken_over_total'),
        0,
      );
      const duplicatesDropped = metrics.reduce(
        (sum, text) => sum + metricSum(text, 'answerloop_duplicate_deliveries_dropped_total'),
        0,
      );
      const waitSum = metrics.reduce(
        (sum, text) => sum + metricSum(text, 'answerloop_claim_takeover_wait_seconds_sum'),
        0,
      );
      const warnings = replicas
        .flatMap((replica) => replica.stderr.join('').split('\n'))
        .filter((line) => /taken by another|Renewing a claim failed|Took over/.test(line));
      console.log(`replica warnings: ${warnings.length}`, warnings.slice(0, 5).join('\n'));
      console.log(
        `replicas: ${events} events, ${deliveries} deliveries (duplicates and retries included), ${duplicatesDropped} duplicates dropped by surviving replicas, ` +
          `${takeovers} claims taken over (mean wait ${takeovers > 0 ? (waitSum / takeovers).toFixed(1) : '-'} s from first claim), ${unanswered} unanswered, ${twice} answered twice`,
      );

      expect(everyEventAnswered).toBe(true);
      expect(unanswered).toBe(0);
      const answeredTwice = [...sentAt.keys()].filter((ts) => answersTo(ts).length > 1);
      expect(twice, `answered more than once: ${answeredTwice.join(', ')}`).toBe(0);
      expect(killedWhileAnswering).toBeDefined();
      expect(answersTo(killedWhileAnswering!).length).toBeGreaterThanOrEqual(1);
      expect(takeovers).toBeGreaterThanOrEqual(1);
      expect(duplicatesDropped).toBeGreaterThan(0);

      // A rolling upgrade's stop: SIGTERM lets the replicas finish, release their leases and exit 0.
      for (const replica of survivors) replica.process.kill('SIGTERM');
      expect(await Promise.all(survivors.map((replica) => replica.exit))).toEqual(survivors.map(() => 0));
    },
  );
});
