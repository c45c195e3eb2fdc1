import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DiscordBot, startDiscordBot } from '../../src/bot/discord/index.ts';
import {
  type ChatModel,
  type Core,
  createCore,
  type Embedder,
  loadConfig,
  type Logger,
} from '../../src/core/index.ts';
import {
  createDeterministicEmbedder,
  hashedVectorAnswerabilityEnv,
} from '../fakes/deterministic-embedder.ts';
import {
  discordIds,
  type FakeDiscord,
  type FakeDiscordOptions,
  type RecordedRequest,
  startFakeDiscord,
} from '../fakes/fake-discord.ts';

/** A small knowledge base written for these tests, so they do not depend on anyone else's fixtures. */
export const defaultDocs: Record<string, string> = {
  'docs/accounts.md': [
    '# Accounts',
    '',
    '## Resetting your password',
    '',
    'To reset your password, open Settings and choose Security, then click "Send reset link". The password reset link arrives by email and expires after 30 minutes.',
    '',
    '## Deleting an account',
    '',
    'An owner can delete the account under Settings, Danger zone. Deleted accounts cannot be restored after 14 days.',
  ].join('\n'),
  'docs/billing.md': [
    '# Billing',
    '',
    '## Invoices',
    '',
    'Invoices are emailed on the first day of each month. Download past invoices from Billing, History.',
    '',
    '## Refunds',
    '',
    'Refunds are available within 14 days of a charge. Ask support with the invoice number.',
  ].join('\n'),
  'guides/webhooks.md': [
    '# Webhooks',
    '',
    '## Webhook retries',
    '',
    'Webhook deliveries that fail are retried five times with exponential backoff. Each webhook retry waits twice as long as the one before.',
  ].join('\n'),
};

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message?: string;
  [key: string]: unknown;
}

/** A Logger port that keeps every entry, so tests can see what the operator would read. */
export function recordingLogger(entries: LogEntry[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: LogEntry['level']) => (object: Record<string, unknown>, message?: string) => {
    entries.push({ ...bindings, ...object, level, message });
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
  };
}

export interface DiscordHarness {
  fake: FakeDiscord;
  core: Core;
  bot: DiscordBot;
  logs: LogEntry[];
  /** Sends an INTERACTION_CREATE and returns the payload (its id and token identify the requests it causes). */
  interact(payload: Record<string, unknown>): { id: string; token: string };
  /** The interaction callback (POST /interactions/:id/:token/callback) of an interaction. */
  callback(interaction: { id: string; token: string }): Promise<RecordedRequest>;
  /** The edit of the interaction's original response (PATCH /webhooks/:app/:token/messages/@original). */
  originalEdit(interaction: { token: string }): Promise<RecordedRequest>;
  /**
   * Another process of the bot on the same store: a new core over the same data (embedded file or
   * Elasticsearch indices) and a new discord.js client on its own gateway connection. Stopped with the harness.
   */
  startReplica(): Promise<DiscordReplica>;
  stop(): Promise<void>;
}

export interface DiscordReplica {
  core: Core;
  bot: DiscordBot;
  stop(): Promise<void>;
}

export interface DiscordHarnessOptions {
  /** Extra environment for loadConfig, e.g. ANSWERLOOP_DISCORD__MENTIONS. */
  env?: Record<string, string>;
  overrides?: Record<string, unknown>;
  docs?: Record<string, string>;
  fake?: FakeDiscordOptions;
  /** A chat model port; without one answers come from the offline extractive mode. */
  chatModel?: ChatModel;
  /** Default: the deterministic test embedder. */
  embedder?: Embedder;
}

/** A fake Discord, a real core over the embedded store with ingested docs, and the real bot between them. */
export async function startDiscordHarness(options: DiscordHarnessOptions = {}): Promise<DiscordHarness> {
  const root = mkdtempSync(path.join(tmpdir(), 'answerloop-discord-'));
  for (const [file, text] of Object.entries(options.docs ?? defaultDocs)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  const fake = await startFakeDiscord({ heartbeatIntervalMs: 250, ...options.fake });
  const config = loadConfig({
    cwd: root,
    env: {
      ANSWERLOOP_DATA_DIR: path.join(root, 'data'),
      ANSWERLOOP_LOG_FILE: '',
      DISCORD_TOKEN: 'test-token',
      DISCORD_APPLICATION_ID: discordIds.application,
      ANSWERLOOP_DISCORD__API_URL: fake.apiUrl,
      ...(options.embedder ? {} : hashedVectorAnswerabilityEnv),
      ...options.env,
    },
    overrides: options.overrides,
  });
  const logs: LogEntry[] = [];
  const openCore = () =>
    createCore({
      config,
      embedder: options.embedder ?? createDeterministicEmbedder(),
      logger: recordingLogger(logs),
      chatModel: options.chatModel,
    });
  const core = openCore();
  const folders = [
    ...new Set(Object.keys(options.docs ?? defaultDocs).map((file) => path.join(root, file.split('/')[0]!))),
  ];
  await core.ingest(folders);
  let bot: DiscordBot;
  try {
    bot = await startDiscordBot(core);
  } catch (error) {
    await core.close();
    await fake.close();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const isCallback = (interaction: { id: string; token: string }) => (request: RecordedRequest) =>
    request.path === `/interactions/${interaction.id}/${interaction.token}/callback`;
  const replicas: DiscordReplica[] = [];
  return {
    fake,
    core,
    bot,
    logs,
    interact(payload) {
      fake.dispatch('INTERACTION_CREATE', payload);
      return { id: String(payload.id), token: String(payload.token) };
    },
    callback: (interaction) => fake.waitForRequest(isCallback(interaction)),
    originalEdit: (interaction) =>
      fake.waitForRequest(
        (request) =>
          request.method === 'PATCH' &&
          request.path === `/webhooks/${discordIds.application}/${interaction.token}/messages/@original`,
      ),
    async startReplica() {
      const replicaCore = openCore();
      const replicaBot = await startDiscordBot(replicaCore).catch(async (error: unknown) => {
        await replicaCore.close();
        throw error;
      });
      let stopped = false;
      const replica: DiscordReplica = {
        core: replicaCore,
        bot: replicaBot,
        async stop() {
          if (stopped) return;
          stopped = true;
          await replicaBot.stop();
          await replicaCore.close();
        },
      };
      replicas.push(replica);
      return replica;
    },
    async stop() {
      for (const replica of replicas) await replica.stop();
      // A test may have stopped the first bot already, to play a restart.
      await bot.stop().catch(() => {});
      await core.close();
      await fake.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The message a button sits on, as Discord sends it with the click: built from the edit the bot made. */
export function messageFromEdit(edit: RecordedRequest): Record<string, unknown> {
  const body = edit.body as Record<string, unknown>;
  return {
    id: '1300000000000009999',
    type: 20,
    channel_id: discordIds.channel,
    content: body.content ?? '',
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    attachments: [],
    timestamp: new Date().toISOString(),
    flags: body.flags ?? 0,
  };
}
