import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackBot, startSlackBot } from '../../src/bot/slack/index.ts';
import { type Core, createCore, loadConfig, silentLogger } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.ts';
import {
  appMentionEvent,
  blockActionsPayload,
  eventEnvelope,
  feedbackButtonsAction,
  nextEventId,
} from '../fakes/fake-slack-payloads.ts';
import { type FakeSlackSocket, startFakeSlackSocket } from '../fakes/fake-slack-socket.ts';

const docsDir = fileURLToPath(new URL('../fixtures/answering-docs/', import.meta.url));

describe('Slack bot in Socket Mode against a fake Slack', () => {
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
    dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-slack-socket-'));
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

  it('opens the connection with the app token and the Web API with the bot token', () => {
    expect(fake.callsTo('apps.connections.open')[0]!.authorization).toBe('Bearer xapp-1-test');
    expect(fake.callsTo('auth.test')[0]!.authorization).toBe('Bearer xoxb-test');
    expect(bot.port).toBeUndefined();
  });

  it('acknowledges an events_api envelope and answers the mention in its thread', async () => {
    const ts = '1700000500.000100';
    const envelopeId = socket.send(
      'events_api',
      eventEnvelope(
        appMentionEvent({ user: 'UALICE', channel: 'CSUPPORT', ts, text: 'How do I reset my password?' }),
      ),
    );
    expect(await socket.waitForAck(envelopeId)).toMatchObject({ envelope_id: envelopeId });
    const answer = await fake.waitForCall(
      (call) =>
        call.method === 'chat.postMessage' && call.body.thread_ts === ts && call.body.blocks !== undefined,
    );
    await bot.idle();
    expect(JSON.stringify(answer.body.blocks)).toContain('Accounts and sign-in');
  });

  it('drops a redelivery (retry_attempt) and a duplicate event id without answering again', async () => {
    const ts = '1700000600.000100';
    const eventId = nextEventId();
    const payload = eventEnvelope(
      appMentionEvent({ user: 'UBOB', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
      { eventId },
    );
    await socket.waitForAck(socket.send('events_api', payload));
    await fake.waitForCall((call) => call.method === 'chat.postMessage' && call.body.thread_ts === ts);
    await bot.idle();

    await socket.waitForAck(socket.send('events_api', payload, { retryAttempt: 1, retryReason: 'timeout' }));
    await socket.waitForAck(socket.send('events_api', payload));
    await bot.idle();
    expect(fake.callsTo('chat.postMessage').filter((call) => call.body.thread_ts === ts)).toHaveLength(1);
  });

  it('acknowledges a feedback_buttons click in an interactive envelope, stores it and thanks the person privately', async () => {
    const answer = fake.messages.find(
      (message) => message.thread_ts === '1700000500.000100' && message.blocks,
    )!;
    const buttons = (answer.blocks!.at(-1) as { elements: Array<{ value: string }> }).elements;
    const conversationId = buttons[0]!.value;
    const envelopeId = socket.send(
      'interactive',
      blockActionsPayload({
        user: 'UALICE',
        channel: 'CSUPPORT',
        message: { ts: answer.ts, blocks: answer.blocks },
        actionId: 'answer_rating',
        value: '',
        action: feedbackButtonsAction({ actionId: 'answer_rating', value: `not_helpful:${conversationId}` }),
      }),
    );
    expect(await socket.waitForAck(envelopeId)).toMatchObject({ envelope_id: envelopeId });
    await bot.idle();
    expect((await core.getConversation(conversationId))!.feedback).toMatchObject({ helpful: false });
    expect(fake.callsTo('chat.postEphemeral').at(-1)!.body).toMatchObject({
      channel: 'CSUPPORT',
      user: 'UALICE',
    });
  });
});
