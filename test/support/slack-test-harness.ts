import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlackBot, type SlackBot } from '../../src/bot/slack/index.ts';
import {
  type ChatModel,
  type Core,
  createCore,
  loadConfig,
  type Logger,
  type Store,
} from '../../src/core/index.ts';
import {
  createDeterministicEmbedder,
  hashedVectorAnswerabilityEnv,
} from '../fakes/deterministic-embedder.ts';
import {
  type FakeSlackApi,
  type FakeSlackApiOptions,
  type FakeSlackCall,
  startFakeSlackApi,
} from '../fakes/fake-slack-api.ts';
import { eventEnvelope, postToSlackApp } from '../fakes/fake-slack-payloads.ts';

/** The Slack bot over HTTP against the fake Web API, with the test documents ingested: shared by the Slack end-to-end suites. */

export const signingSecret = 'test-signing-secret';
export const docsDir = fileURLToPath(new URL('../fixtures/answering-docs/', import.meta.url));

export type Block = {
  type: string;
  block_id?: string;
  elements?: Array<Record<string, unknown>>;
  text?: { text: string };
};

/** A Logger that keeps what it is told, so tests can check the operator log. */
export function createRecordingLogger(): Logger & {
  entries: Array<{ level: string; object: Record<string, unknown>; message?: string }>;
} {
  const entries: Array<{ level: string; object: Record<string, unknown>; message?: string }> = [];
  const make = (bindings: Record<string, unknown>): Logger => ({
    debug: (object, message) => entries.push({ level: 'debug', object: { ...bindings, ...object }, message }),
    info: (object, message) => entries.push({ level: 'info', object: { ...bindings, ...object }, message }),
    warn: (object, message) => entries.push({ level: 'warn', object: { ...bindings, ...object }, message }),
    error: (object, message) => entries.push({ level: 'error', object: { ...bindings, ...object }, message }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return Object.assign(make({}), { entries });
}

export function blocksOf(call: FakeSlackCall): Block[] {
  return (call.body.blocks ?? []) as Block[];
}

export function conversationIdOf(blocks: Block[]): string {
  const actions = blocks.find((block) => block.block_id === 'answer_feedback');
  return String(actions?.elements?.[0]?.value ?? '');
}

let timestamp = 1_700_000_000;
export function nextTs(): string {
  timestamp += 1;
  return `${timestamp}.000100`;
}

export interface Harness {
  core: Core;
  bot: SlackBot;
  fake: FakeSlackApi;
  logger: ReturnType<typeof createRecordingLogger>;
  dataDir: string;
  post(
    payload: Record<string, unknown>,
    options?: { interactive?: boolean; form?: boolean; headers?: Record<string, string>; secret?: string },
  ): Promise<{ status: number; text: string }>;
  /** Posts an interactivity payload (or slash command fields with `form`) and waits for every handler it started. */
  interact(
    payload: Record<string, unknown>,
    options?: { form?: boolean },
  ): Promise<{ status: number; text: string }>;
  /** Posts an event and waits for every handler it started. */
  send(
    event: Record<string, unknown>,
    options?: { eventId?: string; headers?: Record<string, string>; extShared?: boolean; teamId?: string },
  ): Promise<{ status: number }>;
  /** A response_url on the fake: what the bot posts there is recorded as calls with method ''. */
  responseUrl(name: string): string;
  /** The bot's final answer in a thread: the message carrying the feedback buttons. */
  answerIn(
    channel: string,
    threadTs: string | undefined,
  ): { ts: string; blocks: Block[]; conversationId: string } | undefined;
}

export interface HarnessOptions {
  /** Settings as environment variables, the way operators set them. */
  env?: Record<string, string>;
  dataDir?: string;
  chatModel?: ChatModel;
  /** A store of the test's own (the recording in-memory store) instead of the configured one. */
  store?: Store;
  fakeAnswer?: FakeSlackApiOptions['answer'];
  fake?: Omit<FakeSlackApiOptions, 'answer'>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'answerloop-slack-'));
  const fake = await startFakeSlackApi({ ...options.fake, answer: options.fakeAnswer });
  const logger = createRecordingLogger();
  const config = loadConfig({
    env: {
      ANSWERLOOP_DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: signingSecret,
      ANSWERLOOP_SLACK__MODE: 'http',
      ANSWERLOOP_SLACK__API_URL: fake.url,
      ANSWERLOOP_SLACK__UPDATE_INTERVAL_MS: '0',
      ...hashedVectorAnswerabilityEnv,
      ...options.env,
    },
    overrides: { logFile: '' },
  });
  const core = createCore({
    config,
    embedder: createDeterministicEmbedder(),
    logger,
    ...(options.chatModel ? { chatModel: options.chatModel } : {}),
    ...(options.store ? { store: options.store } : {}),
  });
  await core.ingest([docsDir]);
  const bot = await startSlackBot(core, { port: 0 }).catch(async (error: unknown) => {
    // A bot that does not start leaves nothing running behind it.
    await core.close();
    await fake.close();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const post: Harness['post'] = (payload, options = {}) =>
    postToSlackApp(bot.port!, payload, {
      signingSecret: options.secret ?? signingSecret,
      interactive: options.interactive,
      form: options.form,
      headers: options.headers,
    });
  return {
    core,
    bot,
    fake,
    logger,
    dataDir,
    post,
    async interact(payload, options = {}) {
      const response = await post(payload, options.form ? { form: true } : { interactive: true });
      await bot.idle();
      return response;
    },
    responseUrl: (name) => `http://127.0.0.1:${fake.port}/respond/${name}`,
    async send(event, options = {}) {
      const response = await post(
        eventEnvelope(event, {
          eventId: options.eventId,
          extShared: options.extShared,
          teamId: options.teamId,
        }),
        { headers: options.headers },
      );
      await bot.idle();
      return response;
    },
    answerIn(channel, threadTs) {
      const message = fake.messages.find(
        (candidate) =>
          candidate.channel === channel &&
          candidate.thread_ts === threadTs &&
          (candidate.blocks ?? []).some((block) => (block as Block).block_id === 'answer_feedback'),
      );
      if (!message) return undefined;
      const blocks = (message.blocks ?? []) as Block[];
      return { ts: message.ts, blocks, conversationId: conversationIdOf(blocks) };
    },
  };
}

export async function stopHarness(harness: Harness, removeData = true): Promise<void> {
  await harness.bot.stop();
  await harness.core.close();
  await harness.fake.close();
  if (removeData) rmSync(harness.dataDir, { recursive: true, force: true });
}
