/**
 * Two real processes of bin/answerloop.js in Slack HTTP mode on an Elasticsearch node of this test's own, which is
 * paused with SIGSTOP for 20 seconds under traffic: every delivery is still acknowledged within Slack's 3 seconds,
 * every question gets exactly one reply in its thread (the answer, late, or a polite message), none is silently
 * dropped, /readyz says the store is gone while it is, and the replicas recover by themselves when it resumes.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.ts';
import { appMentionEvent, eventEnvelope, postToSlackApp } from '../fakes/fake-slack-payloads.ts';
import {
  type DedicatedElasticsearch,
  startDedicatedElasticsearch,
  useElasticsearch,
} from '../support/elasticsearch.ts';
import { useLocalModel } from '../support/local-model.ts';
import {
  eventually,
  killReplicas,
  ready,
  type Replica,
  sleep,
  slackReplicaWorkspace,
  startReadyReplicas,
} from '../support/replicas.ts';

// The shared node says whether this machine runs Elasticsearch at all (under CI=true its absence throws).
const shared = await useElasticsearch();
const model = useLocalModel();
const signingSecret = 'paused-store-test-signing-secret';
const pauseMs = 20_000;
const questions = [
  'How do I reset my password?',
  'How are plans billed?',
  'How do I turn on two-factor authentication?',
];

describe.skipIf(!shared || !model)('replicas while Elasticsearch is paused (SIGSTOP) for 20 seconds', () => {
  let node: DedicatedElasticsearch | undefined;
  let workspace: string;
  let fake: FakeSlackApi;
  let env: NodeJS.ProcessEnv;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    node = await startDedicatedElasticsearch();
    if (!node) return;
    fake = await startFakeSlackApi();
    ({ workspace, env } = slackReplicaWorkspace({
      name: 'paused',
      elasticsearchUrl: node.url,
      modelDir: model!.modelDir,
      slackApiUrl: fake.url,
      signingSecret,
    }));
    replicas.push(...(await startReadyReplicas(workspace, env, 2)));
  }, 420_000);

  afterAll(async () => {
    await killReplicas(replicas);
    await fake?.close();
    await node?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  }, 120_000);

  it(
    'acknowledges within 3 s, replies once to every question, and recovers by itself',
    { timeout: 300_000 },
    async (context) => {
      if (!node) return context.skip();
      const tsOf = (index: number) => `1600000100.${String(index).padStart(6, '0')}`;
      const repliesTo = (ts: string) =>
        fake.calls.filter((call) => call.method === 'chat.postMessage' && call.body.thread_ts === ts);
      const isApology = (text: string) => /^Sorry/.test(text);
      const ackMs: number[] = [];
      let next = 0;
      const deliver = async (): Promise<string> => {
        const index = next++;
        const ts = tsOf(index);
        const payload = eventEnvelope(
          appMentionEvent({
            user: `U${index % 5}`,
            channel: 'CSUPPORT',
            ts,
            text: `<@UBOT> ${questions[index % questions.length]}`,
          }),
          {
            eventId: `EvPaused${index}`,
          },
        );
        const started = Date.now();
        const response = await postToSlackApp(replicas[index % replicas.length]!.port, payload, {
          signingSecret,
        });
        ackMs.push(Date.now() - started);
        expect(response.status).toBe(200);
        return ts;
      };

      // Before: answered as usual.
      const before: string[] = [];
      for (let index = 0; index < 6; index += 1) before.push(await deliver());
      expect(await eventually(() => before.every((ts) => repliesTo(ts).length === 1), 60_000)).toBe(true);

      // Paused under traffic: a question a second for 20 seconds.
      process.kill(node.pid, 'SIGSTOP');
      const pausedAt = Date.now();
      const during: string[] = [];
      let readyWhilePaused: boolean[] = [];
      try {
        while (Date.now() - pausedAt < pauseMs - 1500) {
          during.push(await deliver());
          if (during.length === 8) readyWhilePaused = await Promise.all(replicas.map(ready));
          await sleep(1000);
        }
        await sleep(Math.max(0, pauseMs - (Date.now() - pausedAt)));
      } finally {
        process.kill(node.pid, 'SIGCONT');
      }
      const resumedAt = Date.now();

      // Every question of the pause gets one reply in the end: its answer, or the polite message.
      const allReplied = await eventually(
        () => during.every((ts) => repliesTo(ts).length >= 1),
        120_000,
        250,
      );
      await sleep(3000);
      const replies = during.map((ts) => repliesTo(ts));
      const lateAnswers = replies.filter(
        (list) => list.length === 1 && !isApology(String(list[0]!.body.text)),
      ).length;
      const apologies = replies.filter(
        (list) => list.length === 1 && isApology(String(list[0]!.body.text)),
      ).length;
      const silent = replies.filter((list) => list.length === 0).length;
      const twice = replies.filter((list) => list.length > 1).length;

      // Recovery without a restart: ready again, and new questions answered as usual.
      const readyAgain = await eventually(
        async () => (await Promise.all(replicas.map(ready))).every(Boolean),
        60_000,
        500,
      );
      const readyAfterMs = Date.now() - resumedAt;
      const after: string[] = [];
      for (let index = 0; index < 6; index += 1) after.push(await deliver());
      const afterAnswered = await eventually(
        () =>
          after.every((ts) => repliesTo(ts).length === 1 && !isApology(String(repliesTo(ts)[0]!.body.text))),
        60_000,
      );

      const sortedAcks = [...ackMs].sort((a, b) => a - b);
      console.log(
        `paused store: ${during.length} questions during a ${pauseMs / 1000} s pause: ${lateAnswers} answered late, ${apologies} polite messages, ` +
          `${silent} silent, ${twice} replied to twice; acknowledgements p50 ${sortedAcks[Math.floor(sortedAcks.length / 2)]} ms, max ${sortedAcks.at(-1)} ms; ` +
          `ready again ${(readyAfterMs / 1000).toFixed(1)} s after the resume`,
      );

      expect(Math.max(...ackMs)).toBeLessThan(3000);
      expect(readyWhilePaused).toEqual(replicas.map(() => false));
      expect(allReplied).toBe(true);
      expect(silent).toBe(0);
      expect(twice).toBe(0);
      expect(readyAgain).toBe(true);
      expect(afterAnswered).toBe(true);
      expect(replicas.every((replica) => replica.alive)).toBe(true);
    },
  );
});
