import {
  type AnyThreadChannel,
  Client,
  type ClientOptions,
  DiscordjsErrorCodes,
  Events,
  GatewayIntentBits,
  RESTEvents,
  Status,
} from 'discord.js';
import pTimeout from 'p-timeout';
import { AnswerloopError, type Core, type Logger, toAnswerloopError } from '../../core/index.ts';
import { createAccessPolicy } from './access-policy.ts';
import type { DiscordBotContext } from './bot-context.ts';
import { eventBoundary, interactionBoundary, messageBoundary } from './error-boundary.ts';
import { handleNewForumPost } from './forum-posts.ts';
import { routeInteraction } from './interaction-router.ts';
import { routeMessage } from './message-router.ts';
import { noPings } from './no-pings.ts';
import { noteThreadMessage, noteThreadUpdate } from './thread-activity.ts';

export interface StartDiscordBotOptions {
  /** Operator log; defaults to core's. */
  logger?: Logger;
  /** How long to wait for Discord's READY and the guilds before giving up (default 60 s). */
  readyTimeoutMs?: number;
}

export interface DiscordBot {
  /** The bot's Discord user, e.g. `answerloop#1234`. */
  readonly userTag: string;
  /** The gateway shards this process connected, and the total over all processes. */
  readonly shards: { ids: number[]; count: number };
  /** True while every shard of this process is connected and ready (readiness); false while one reconnects. */
  connected(): boolean;
  stop(): Promise<void>;
}

/** Gateway close codes after which discord.js gives up, with what the operator should do. */
const fatalCloseCodes: Record<number, string> = {
  4004: 'Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal (Bot > Reset Token).',
  4013: 'Discord rejected the gateway intents the bot asked for.',
  4014: 'Discord refused the Message Content intent: enable it in the Developer Portal (Bot > Privileged Gateway Intents), or set discord.mentions: false and no discord.channels mode mention or auto.',
};

/**
 * Gateway intents: commands and forum posts (threadCreate) need only Guilds; reading what messages say
 * (mentions, help channels, forum starter messages, follow-ups) needs the privileged Message Content intent.
 */
export function discordIntents(readsMessages: boolean): GatewayIntentBits[] {
  return readsMessages
    ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]
    : [GatewayIntentBits.Guilds];
}

/**
 * discord.js's shard options from `discord.shards` / `discord.shardCount`: a list is this process's share of
 * shardCount; auto with a count runs every shard of it; auto with auto asks Discord how many it recommends.
 */
export function shardOptions(settings: {
  shards: 'auto' | readonly number[];
  shardCount: 'auto' | number;
}): Pick<ClientOptions, 'shards' | 'shardCount'> {
  // The configuration refuses a list without a count; discord.js would fall back to 1.
  if (settings.shards !== 'auto')
    return {
      shards: [...settings.shards],
      ...(settings.shardCount === 'auto' ? {} : { shardCount: settings.shardCount }),
    };
  if (settings.shardCount !== 'auto')
    return {
      shards: Array.from({ length: settings.shardCount }, (_, id) => id),
      shardCount: settings.shardCount,
    };
  return { shards: 'auto' };
}

/** @discordjs/ws rejects login with plain errors for fatal close codes; their messages name the code. */
const gatewayErrorCloseCodes: Record<string, number> = {
  'Authentication failed': 4004,
  'Used invalid intents': 4013,
  'Used disallowed intents': 4014,
};

function loginFailure(error: unknown): AnswerloopError {
  if (error instanceof AnswerloopError) return error;
  const code = (error as { code?: unknown }).code;
  const status = (error as { status?: unknown }).status;
  if (code === DiscordjsErrorCodes.TokenInvalid || status === 401)
    return new AnswerloopError('config_invalid', fatalCloseCodes[4004]!, { cause: error });
  const closeCode = error instanceof Error ? gatewayErrorCloseCodes[error.message] : undefined;
  if (closeCode !== undefined)
    return new AnswerloopError('config_invalid', fatalCloseCodes[closeCode]!, {
      cause: error,
      details: { closeCode },
    });
  const failure = toAnswerloopError(error, 'upstream_failed');
  return new AnswerloopError('upstream_failed', `Could not connect to Discord: ${failure.message}`, {
    cause: error,
    isRetryable: true,
  });
}

/**
 * Starts the Discord face: logs in, waits until the guilds are known, and answers `/ask`, "Answer with
 * answerloop", the feedback buttons and the correction modal; mentions, help channels and help forums as
 * `discord.channels` configures them. Lost gateway connections are resumed by
 * discord.js itself. The only difference between production and tests is `discord.apiUrl`.
 */
export async function startDiscordBot(core: Core, options: StartDiscordBotOptions = {}): Promise<DiscordBot> {
  const settings = core.config.discord;
  const token = core.config.secrets.discordToken;
  if (!token) {
    throw new AnswerloopError(
      'config_invalid',
      'Discord is enabled but DISCORD_TOKEN is not set: set it, or set discord.enabled: false.',
    );
  }
  const logger = (options.logger ?? core.logger).child({ component: 'discord' });
  const access = createAccessPolicy(core.config);
  const context: DiscordBotContext = {
    core,
    logger,
    access,
    rateLimiter: core.delivery.rateLimiter('discord'),
  };
  const readsMessages = access.readsMessages();
  const clientOptions: ClientOptions = {
    intents: discordIntents(readsMessages),
    // Answers quote documentation and questions: never let a quoted @everyone or role mention ping anyone.
    allowedMentions: noPings,
  };
  if (settings.apiUrl) clientOptions.rest = { api: settings.apiUrl };
  Object.assign(clientOptions, shardOptions(settings));
  const client = new Client(clientOptions);

  client.on(
    Events.InteractionCreate,
    interactionBoundary(logger, (interaction) => routeInteraction(interaction, context)),
  );
  if (readsMessages) {
    client.on(
      Events.MessageCreate,
      messageBoundary(logger, (message) => routeMessage(message, context)),
    );
    // The bot's threads are kept in the store as people write in them: follow-ups need no history read.
    client.on(
      Events.MessageCreate,
      messageBoundary(logger, (message) => noteThreadMessage(message, context)),
    );
  }
  client.on(
    Events.ThreadUpdate,
    eventBoundary<[AnyThreadChannel, AnyThreadChannel]>(
      logger,
      'forum post update',
      (_before, after) => ({ threadId: after.id, channelId: after.parentId }),
      (before, after) => noteThreadUpdate(before, after, context),
    ),
  );
  client.on(
    Events.ThreadCreate,
    eventBoundary<[AnyThreadChannel, boolean]>(
      logger,
      'forum post',
      (thread) => ({ threadId: thread.id, channelId: thread.parentId }),
      (thread, newlyCreated) => handleNewForumPost(thread, newlyCreated, context),
    ),
  );
  // discord.js's REST manager keeps Discord's per-route buckets and the global limit: a request over a limit
  // waits in its bucket's queue and a 429 is retried after its Retry-After, never failed. The operator sees it.
  client.rest.on(RESTEvents.RateLimited, (info) => {
    core.metrics.increment('platform_rate_limits_total', { platform: 'discord', method: info.route });
    logger.info(
      { route: info.route, global: info.global, scope: info.scope, retryAfterMs: info.retryAfter },
      'Discord answered 429 (rate limited): the request waits in its bucket and is retried',
    );
  });
  // Without an 'error' listener an EventEmitter error would end the process.
  client.on(Events.Error, (error) => logger.error({ err: toAnswerloopError(error) }, 'Discord client error'));
  client.on(Events.Warn, (message) => logger.warn({}, `Discord: ${message}`));
  client.on(Events.ShardReconnecting, (shardId) =>
    logger.info({ shardId }, 'Discord gateway connection lost; reconnecting'),
  );
  client.on(Events.ShardResume, (shardId, replayed) =>
    logger.info({ shardId, replayed }, 'Discord gateway session resumed'),
  );

  // Listen before login: READY can arrive before login() resolves.
  const ready = new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, () => resolve());
    client.on(Events.ShardDisconnect, (event, shardId) => {
      const reason =
        fatalCloseCodes[event.code] ?? `Discord closed the gateway connection for good (code ${event.code}).`;
      logger.error({ shardId, code: event.code }, reason);
      reject(new AnswerloopError('config_invalid', reason, { details: { closeCode: event.code } }));
    });
  });
  ready.catch(() => {});

  try {
    await client.login(token);
    await pTimeout(ready, {
      milliseconds: options.readyTimeoutMs ?? 60_000,
      message: new AnswerloopError(
        'timeout',
        'Discord did not send READY in time: check the network and the status page.',
        { isRetryable: true },
      ),
    });
  } catch (error) {
    await client.destroy().catch(() => {});
    throw loginFailure(error);
  }
  const userTag = client.user?.tag ?? 'unknown';
  const shards = {
    ids: [...client.ws.shards.keys()].sort((a, b) => a - b),
    count: client.options.shardCount ?? 1,
  };
  logger.info(
    {
      user: userTag,
      guilds: client.guilds.cache.size,
      readsMessages,
      shards: shards.ids,
      shardCount: shards.count,
    },
    'Discord bot connected',
  );

  return {
    userTag,
    shards,
    connected: () =>
      client.ws.shards.size > 0 && client.ws.shards.every((shard) => shard.status === Status.Ready),
    async stop() {
      client.removeAllListeners();
      await client.destroy();
    },
  };
}
