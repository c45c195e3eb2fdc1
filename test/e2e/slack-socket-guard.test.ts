import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackBot, startSlackBot } from '../../src/bot/slack/index.ts';
import { type Core, createCore, loadConfig, silentLogger } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.ts';
import { appMentionEvent, eventEnvelope, nextEventId } from '../fakes/fake-slack-payloads.ts';
import { type FakeSlackSocket, startFakeSlackSocket } from '../fakes/fake-slack-socket.ts';

const docsDir = fileURLToPath(new URL('../fixtures/answering-docs/', import.meta.url));

// Without the guard, the first malformed envelope below makes the SDK throw in its message handler, the
// rejection is unhandled and vitest reports it as an error of this file: the test cannot pass by accident.
describe('Slack Socket Mode survives deliveries it cannot read', () => {
  let socket: FakeSlackSocket;
  let fake: FakeSlackApi;
  let core: Core;
  let bot: SlackBot;
  let dataDir: string;

  beforeAll(async () => {
    socket = await startFakeSlackSocket();
    fake = await startFakeSlackApi({
      answer: (call) => (call.method === 'apps.connections.open' ? { ok: true, url: socket.url } : undefined),
    });
    dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-slack-guard-'));
    const config = loadConfig({
      env: {
        ANSWERLOOP_DATA_DIR: dataDir,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_APP_TOKEN: 'xapp-1-test',
        ANSWERLOOP_SLACK__MODE: 'socket',
        ANSWERLOOP_SLACK__API_URL: fake.url,
        ANSWERLOOP_SLACK__STREAM: 'false',
      },
      overrides: { logFile: '' },
    });
    core = createCore({ config, embedder: createDeterministicEmbedder(), logger: silentLogger });
    await core.ingest([docsDir]);
    bot = await startSlackBot(core, { connectTimeoutMs: 5000 });
    await socket.connected;
  });

  afterAll(async () => {
    await bot?.stop();
    await core?.close();
    await socket?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('acknowledges malformed and unknown envelopes, counts them, and keeps answering', async () => {
    socket.sendRaw({
      envelope_id: 'bad-1',
      type: 'events_api',
      accepts_response_payload: false,
      payload: { type: 'event_callback', event_id: 'Ev-bad' },
    });
    socket.sendRaw({ envelope_id: 'bad-2', type: 'events_api', accepts_response_payload: false });
    socket.sendRaw({ envelope_id: 'odd-1', type: 'a_type_nobody_handles', payload: {} });
    socket.sendRaw({ type: 'events_api', payload: 'not even an envelope id' });
    for (const id of ['bad-1', 'bad-2', 'odd-1'])
      expect(await socket.waitForAck(id)).toMatchObject({ envelope_id: id });

    const ts = '1700000111.000100';
    const envelopeId = socket.send(
      'events_api',
      eventEnvelope(
        appMentionEvent({ user: 'UALICE', channel: 'CSUPPORT', ts, text: 'How do I reset my password?' }),
        { eventId: nextEventId() },
      ),
    );
    await socket.waitForAck(envelopeId);
    await fake.waitForCall(
      (call) =>
        call.method === 'chat.postMessage' && call.body.thread_ts === ts && Array.isArray(call.body.blocks),
      10_000,
    );
    await bot.idle();

    const metrics = (await core.metrics.render()).text;
    expect(metrics).toMatch(/answerloop_face_errors_total\{face="slack",kind="malformed_envelope"\} 3/);
    expect(metrics).toMatch(/answerloop_questions_total\{platform="slack",route="[a-z_]+"\} 1/);
  });
});
