import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A small Discord on 127.0.0.1 that speaks the real wire protocol to an unmodified discord.js client:
 * a REST server (point discord.js's `rest.api` at `apiUrl`) whose `GET /gateway/bot` sends the client to a
 * gateway WebSocket (HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats, RESUME, dispatches with increasing `s`).
 *
 * It records every request, and it enforces the rules of Discord that a bot can break: the 3-second
 * acknowledgement window, one callback per interaction, no edits before an acknowledgement, and the
 * message limits (2000 content, 4096 embed description, 6000 per message, 100-character custom ids...).
 * A request that breaks a rule gets the status and error body real Discord would send.
 */

export const discordIds = {
  application: '1000000000000000001',
  // On Discord the bot user id equals the application id.
  bot: '1000000000000000001',
  guild: '1000000000000000100',
  otherGuild: '1000000000000000101',
  channel: '1000000000000000200',
  otherChannel: '1000000000000000201',
  thirdChannel: '1000000000000000202',
  user: '1000000000000000300',
  otherBot: '1000000000000000301',
  command: '1000000000000000400',
} as const;

export const fakeBotUser = { id: discordIds.bot, username: 'answerloop', discriminator: '0000', global_name: null, avatar: null, bot: true, flags: 0 };
export const fakeHumanUser = { id: discordIds.user, username: 'ada', discriminator: '0', global_name: 'Ada', avatar: null };
export const fakeOtherBotUser = { id: discordIds.otherBot, username: 'otherbot', discriminator: '0000', global_name: null, avatar: null, bot: true };

export interface DiscordUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

/** Another person in the test server (distinct ids keep per-user rate limits apart between tests). */
export function makeUser(id: string, username: string): DiscordUser {
  return { id, username, discriminator: '0', global_name: username, avatar: null };
}
type JsonObject = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  /** Decoded path below the API version: `/webhooks/1/token/messages/@original` (discord.js sends `%40original`). */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: JsonObject | JsonObject[] | undefined;
  /** Status the fake answered with. */
  status: number;
  /** The error Discord would give, when the request broke a rule. */
  error?: { code: number; message: string; errors?: string[] };
}

export interface GatewayFrame {
  op: number;
  d: unknown;
  s?: number | null;
  t?: string | null;
}

export interface FakeDiscordOptions {
  /** Heartbeat interval sent in HELLO, in milliseconds (Discord sends about 41250). */
  heartbeatIntervalMs?: number;
  /** Privileged intents the application is allowed in the Developer Portal (bits); IDENTIFY asking others is closed with 4014. */
  allowedPrivilegedIntents?: number;
  /** Milliseconds an interaction may wait for its first callback (Discord: 3 seconds). */
  acknowledgeWithinMs?: number;
  /** Token the REST API and gateway accept. */
  token?: string;
}

export interface FakeDiscord {
  /** Pass as discord.js `rest.api` (no trailing slash). */
  readonly apiUrl: string;
  readonly requests: RecordedRequest[];
  /** Frames the client sent to the gateway. */
  readonly gatewayFrames: GatewayFrame[];
  /** Query strings of every gateway connection, in order. */
  readonly gatewayConnections: string[];
  /** Messages created in each channel (REST posts), oldest first. */
  readonly channelMessages: Map<string, JsonObject[]>;
  /** Server-side permissions a test can take away from the bot while it runs. */
  readonly permissions: { createPublicThreads: boolean };
  dispatch(event: string, data: unknown): void;
  /** Closes the gateway socket without a close frame, as a network failure would. */
  dropGatewayConnection(): void;
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  waitForGatewayFrame(predicate: (frame: GatewayFrame) => boolean, timeoutMs?: number): Promise<GatewayFrame>;
  /** Requests the fake refused, with Discord's error: a test expecting none asserts this is empty. */
  rejectedRequests(): RecordedRequest[];
  close(): Promise<void>;
}

const privilegedIntents = (1 << 1) | (1 << 8) | (1 << 15);
const apiPrefix = '/api/v10';

let nextSnowflake = 1_300_000_000_000_000_000n;
export function snowflake(): string {
  nextSnowflake += 1n;
  return nextSnowflake.toString();
}

class DiscordRuleError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** Checks a message body against Discord's documented limits; returns the broken rules. */
export function messageLimitProblems(body: JsonObject): string[] {
  const problems: string[] = [];
  const content = typeof body.content === 'string' ? body.content : '';
  if (content.length > 2000) problems.push(`content: ${content.length} > 2000 characters`);
  const embeds = Array.isArray(body.embeds) ? (body.embeds as JsonObject[]) : [];
  if (embeds.length > 10) problems.push(`embeds: ${embeds.length} > 10`);
  let total = 0;
  embeds.forEach((embed, index) => {
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const title = text(embed.title);
    const description = text(embed.description);
    const footer = text((embed.footer as JsonObject | undefined)?.text);
    const fields = Array.isArray(embed.fields) ? (embed.fields as JsonObject[]) : [];
    if (title.length > 256) problems.push(`embeds[${index}].title: ${title.length} > 256`);
    if (description.length > 4096) problems.push(`embeds[${index}].description: ${description.length} > 4096`);
    if (footer.length > 2048) problems.push(`embeds[${index}].footer.text: ${footer.length} > 2048`);
    if (fields.length > 25) problems.push(`embeds[${index}].fields: ${fields.length} > 25`);
    total += title.length + description.length + footer.length;
    fields.forEach((field, fieldIndex) => {
      const name = text(field.name);
      const value = text(field.value);
      if (name.length === 0 || name.length > 256) problems.push(`embeds[${index}].fields[${fieldIndex}].name: length ${name.length}`);
      if (value.length === 0 || value.length > 1024) problems.push(`embeds[${index}].fields[${fieldIndex}].value: length ${value.length}`);
      total += name.length + value.length;
    });
  });
  if (total > 6000) problems.push(`embeds: ${total} > 6000 characters in one message`);
  problems.push(...componentProblems(body.components));
  return problems;
}

function componentProblems(components: unknown): string[] {
  if (components === undefined) return [];
  if (!Array.isArray(components)) return ['components: not an array'];
  const problems: string[] = [];
  if (components.length > 5) problems.push(`components: ${components.length} > 5 rows`);
  (components as JsonObject[]).forEach((row, rowIndex) => {
    const children = Array.isArray(row.components) ? (row.components as JsonObject[]) : [];
    if (row.type !== 1) problems.push(`components[${rowIndex}].type: ${String(row.type)} is not an action row`);
    if (children.length === 0 || children.length > 5) problems.push(`components[${rowIndex}]: ${children.length} buttons`);
    children.forEach((child, childIndex) => {
      const where = `components[${rowIndex}].components[${childIndex}]`;
      const customId = typeof child.custom_id === 'string' ? child.custom_id : '';
      const label = typeof child.label === 'string' ? child.label : '';
      if (child.type !== 2) problems.push(`${where}.type: ${String(child.type)} is not a button`);
      if (child.style !== 5 && (customId.length === 0 || customId.length > 100)) problems.push(`${where}.custom_id: length ${customId.length}`);
      if (label.length > 80) problems.push(`${where}.label: ${label.length} > 80`);
    });
  });
  return problems;
}

/** A modal (callback type 9): title up to 45, custom id up to 100, 1-5 label or action-row components. */
function modalProblems(data: JsonObject): string[] {
  const problems: string[] = [];
  const title = typeof data.title === 'string' ? data.title : '';
  const customId = typeof data.custom_id === 'string' ? data.custom_id : '';
  const components = Array.isArray(data.components) ? (data.components as JsonObject[]) : [];
  if (title.length === 0 || title.length > 45) problems.push(`title: length ${title.length}`);
  if (customId.length === 0 || customId.length > 100) problems.push(`custom_id: length ${customId.length}`);
  if (components.length === 0 || components.length > 5) problems.push(`components: ${components.length}`);
  for (const component of components) {
    const input = (component.type === 18 ? component.component : (component.components as JsonObject[] | undefined)?.[0]) as JsonObject | undefined;
    if (!input || input.type !== 4) problems.push('components: every component must hold a text input');
    else {
      if (typeof input.custom_id !== 'string' || input.custom_id.length > 100) problems.push('text input custom_id');
      if (typeof input.placeholder === 'string' && input.placeholder.length > 100) problems.push('text input placeholder > 100');
      if (Number(input.max_length ?? 4000) > 4000) problems.push('text input max_length > 4000');
    }
    if (component.type === 18) {
      const label = typeof component.label === 'string' ? component.label : '';
      if (label.length === 0 || label.length > 45) problems.push(`label: length ${label.length}`);
      if (typeof component.description === 'string' && component.description.length > 100) problems.push('label description > 100');
    }
  }
  return problems;
}

function waitFor<T>(events: EventEmitter, name: string, seen: T[], predicate: (item: T) => boolean, timeoutMs: number): Promise<T> {
  const found = seen.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const onItem = (item: T) => {
      if (!predicate(item)) return;
      clearTimeout(timer);
      events.off(name, onItem);
      resolve(item);
    };
    const timer = setTimeout(() => {
      events.off(name, onItem);
      reject(new Error(`fake Discord: no matching ${name} within ${timeoutMs} ms`));
    }, timeoutMs);
    events.on(name, onItem);
  });
}

interface InteractionState {
  dispatchedAt: number;
  acknowledged: boolean;
  /** Callback type that acknowledged it (4 reply, 5 deferred, 6 deferred update, 7 update, 9 modal). */
  callbackType?: number;
  channelId: string;
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const allowedPrivileged = options.allowedPrivilegedIntents ?? privilegedIntents;
  const acknowledgeWithinMs = options.acknowledgeWithinMs ?? 3000;
  const token = options.token ?? 'test-token';
  const events = new EventEmitter();
  const requests: RecordedRequest[] = [];
  const gatewayFrames: GatewayFrame[] = [];
  const gatewayConnections: string[] = [];
  const channelMessages = new Map<string, JsonObject[]>();
  const threads = new Map<string, JsonObject>();
  // Interaction tokens are `token-<interaction id>`, as the payload builders below make them.
  const interactions = new Map<string, InteractionState>();
  const sessionId = `session-${snowflake()}`;
  const permissions = { createPublicThreads: true };
  let sequence = 0;
  let socket: WebSocket | undefined;

  const gateway = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => gateway.once('listening', () => resolve()));
  const gatewayUrl = `ws://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

  const send = (frame: GatewayFrame) => {
    // Text frames only: discord.js takes binary frames as zlib-compressed.
    if (socket?.readyState === socket?.OPEN) socket?.send(JSON.stringify(frame));
  };
  const dispatch = (event: string, data: unknown) => {
    sequence += 1;
    if (event === 'INTERACTION_CREATE') {
      const interaction = data as { token: string; channel?: { id: string } };
      interactions.set(interaction.token, { dispatchedAt: Date.now(), acknowledged: false, channelId: interaction.channel?.id ?? discordIds.channel });
    }
    send({ op: 0, t: event, s: sequence, d: data });
  };

  const message = (channelId: string, body: JsonObject, extra: JsonObject = {}): JsonObject => ({
    id: snowflake(),
    type: 0,
    channel_id: channelId,
    author: fakeBotUser,
    content: body.content ?? '',
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    flags: body.flags ?? 0,
    ...extra,
  });
  const storeMessage = (channelId: string, created: JsonObject) => {
    const list = channelMessages.get(channelId) ?? [];
    list.push(created);
    channelMessages.set(channelId, list);
    return created;
  };

  gateway.on('connection', (connection, request) => {
    socket = connection;
    gatewayConnections.push(request.url ?? '');
    send({ op: 10, d: { heartbeat_interval: heartbeatIntervalMs }, s: null, t: null });
    connection.on('message', (data) => {
      const frame = JSON.parse(String(data)) as GatewayFrame;
      gatewayFrames.push(frame);
      events.emit('gateway', frame);
      if (frame.op === 1) send({ op: 11, d: null, s: null, t: null });
      if (frame.op === 2) identify(frame.d as { token: string; intents: number; shard?: [number, number] });
      if (frame.op === 6) {
        // RESUME: replay nothing, just confirm; discord.js keeps its session and sequence.
        send({ op: 0, t: 'RESUMED', s: ++sequence, d: {} });
      }
    });
  });

  function identify(data: { token: string; intents: number; shard?: [number, number] }) {
    if (data.token !== token && data.token !== `Bot ${token}`) {
      socket?.close(4004, 'Authentication failed.');
      return;
    }
    if ((data.intents & privilegedIntents & ~allowedPrivileged) !== 0) {
      socket?.close(4014, 'Disallowed intent(s).');
      return;
    }
    dispatch('READY', {
      v: 10,
      user: fakeBotUser,
      guilds: [{ id: discordIds.guild, unavailable: true }],
      session_id: sessionId,
      resume_gateway_url: gatewayUrl,
      shard: data.shard ?? [0, 1],
      application: { id: discordIds.application, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
    });
    // Without a GUILD_CREATE for each unavailable guild, discord.js waits 15 s before it is ready.
    dispatch('GUILD_CREATE', guildCreatePayload());
  }

  const textChannel = (id: string, name: string, position: number) => ({
    id, type: 0, name, position, guild_id: discordIds.guild, permission_overwrites: [], parent_id: null, nsfw: false, topic: null, last_message_id: null, rate_limit_per_user: 0,
  });
  const guildCreatePayload = () => ({
    id: discordIds.guild,
    name: 'Answerloop Test Server',
    icon: null,
    owner_id: discordIds.user,
    unavailable: false,
    member_count: 2,
    large: false,
    joined_at: '2024-01-01T00:00:00.000Z',
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    features: [],
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    roles: [{ id: discordIds.guild, name: '@everyone', permissions: '2251799813685247', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    voice_states: [],
    presences: [],
    threads: [],
    stage_instances: [],
    guild_scheduled_events: [],
    channels: [textChannel(discordIds.channel, 'support', 0), textChannel(discordIds.otherChannel, 'integrations', 1), textChannel(discordIds.thirdChannel, 'random', 2)],
    members: [{ user: fakeBotUser, roles: [], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 }],
  });

  const routeRequest = (method: string, path: string, query: URLSearchParams, body: JsonObject | undefined, authorization: string | undefined): { status: number; json?: unknown } => {
    let match: RegExpMatchArray | null;
    const requireBot = () => {
      if (authorization !== `Bot ${token}`) throw new DiscordRuleError(401, 0, '401: Unauthorized');
    };
    const requireValidMessage = (payload: JsonObject | undefined) => {
      const problems = messageLimitProblems(payload ?? {});
      if (problems.length > 0) throw new DiscordRuleError(400, 50035, 'Invalid Form Body', problems);
      const hasSomething = (typeof payload?.content === 'string' && payload.content.length > 0) || (Array.isArray(payload?.embeds) && payload.embeds.length > 0);
      if (!hasSomething && !Array.isArray(payload?.components)) throw new DiscordRuleError(400, 50006, 'Cannot send an empty message');
    };

    if (method === 'GET' && path === '/gateway/bot') {
      requireBot();
      return { status: 200, json: { url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } };
    }
    if (method === 'GET' && path === '/users/@me') {
      requireBot();
      return { status: 200, json: fakeBotUser };
    }

    // Interaction callbacks carry no Authorization header: the token in the path is the credential.
    if (method === 'POST' && (match = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      const state = interactions.get(match[2]!);
      if (!state || Date.now() - state.dispatchedAt > acknowledgeWithinMs) throw new DiscordRuleError(404, 10062, 'Unknown interaction');
      if (state.acknowledged) throw new DiscordRuleError(400, 40060, 'Interaction has already been acknowledged.');
      const type = Number(body?.type);
      const data = (body?.data ?? {}) as JsonObject;
      if (type === 4 || type === 7) requireValidMessage(data);
      if (type === 9) {
        const problems = modalProblems(data);
        if (problems.length > 0) throw new DiscordRuleError(400, 50035, 'Invalid Form Body', problems);
      }
      state.acknowledged = true;
      state.callbackType = type;
      if (query.get('with_response') === 'true') return { status: 200, json: { interaction: { id: match[1], type: 2 }, resource: { type } } };
      return { status: 204 };
    }
    if ((match = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/))) {
      const [, applicationId, interactionToken, messageId] = match;
      const state = interactions.get(interactionToken!);
      if (applicationId !== discordIds.application || !state) throw new DiscordRuleError(404, 10015, 'Unknown Webhook');
      if (!state.acknowledged) throw new DiscordRuleError(404, 10008, 'Unknown Message');
      if (method === 'DELETE') return { status: 204 };
      if (method === 'GET') return { status: 200, json: message(state.channelId, {}, { id: messageId === '@original' ? snowflake() : messageId }) };
      requireValidMessage(body);
      if (method === 'PATCH') return { status: 200, json: message(state.channelId, body ?? {}, { type: 20, webhook_id: discordIds.application, application_id: discordIds.application }) };
      if (method === 'POST' && !messageId) return { status: 200, json: message(state.channelId, body ?? {}, { type: 20, webhook_id: discordIds.application, application_id: discordIds.application }) };
    }
    if ((match = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/)) && method === 'PUT') {
      requireBot();
      if (match[1] !== discordIds.application) throw new DiscordRuleError(403, 50035, 'Invalid Form Body', ['application_id']);
      if (match[2] && match[2] !== discordIds.guild) throw new DiscordRuleError(403, 50001, 'Missing Access');
      const commands = Array.isArray(body) ? body : [];
      return {
        status: 200,
        json: commands.map((command) => ({ ...command, id: snowflake(), application_id: match![1], guild_id: match![2], version: snowflake(), type: command.type ?? 1 })),
      };
    }
    if ((match = path.match(/^\/channels\/(\d+)\/messages$/))) {
      requireBot();
      const channelId = match[1]!;
      if (method === 'POST') {
        requireValidMessage(body);
        const reference = body?.message_reference as JsonObject | undefined;
        return { status: 200, json: storeMessage(channelId, message(channelId, body ?? {}, reference ? { type: 19, message_reference: reference } : {})) };
      }
      if (method === 'GET') {
        const limit = Number(query.get('limit') ?? 50);
        const before = query.get('before');
        const list = (channelMessages.get(channelId) ?? []).filter((item) => !before || BigInt(String(item.id)) < BigInt(before));
        return { status: 200, json: list.slice(-limit).reverse() };
      }
    }
    if (method === 'POST' && /^\/channels\/\d+\/typing$/.test(path)) {
      requireBot();
      return { status: 204 };
    }
    if (method === 'POST' && (match = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/))) {
      requireBot();
      if (!permissions.createPublicThreads) throw new DiscordRuleError(403, 50013, 'Missing Permissions');
      const name = typeof body?.name === 'string' ? body.name : '';
      if (name.length === 0 || name.length > 100) throw new DiscordRuleError(400, 50035, 'Invalid Form Body', [`name: length ${name.length}`]);
      // A thread started from a message takes the message's id.
      const thread = {
        id: match[2],
        type: 11,
        guild_id: discordIds.guild,
        parent_id: match[1],
        name,
        owner_id: discordIds.bot,
        last_message_id: null,
        rate_limit_per_user: 0,
        message_count: 0,
        member_count: 1,
        flags: 0,
        thread_metadata: { archived: false, auto_archive_duration: Number(body?.auto_archive_duration ?? 1440), archive_timestamp: new Date().toISOString(), locked: false },
      };
      threads.set(thread.id!, thread);
      return { status: 201, json: thread };
    }
    return { status: 404, json: { message: '404: Not Found', code: 0 } };
  };

  const rest = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: decodeURIComponent(url.pathname).replace(apiPrefix, ''),
        query: url.searchParams,
        authorization: request.headers.authorization,
        body: raw ? (JSON.parse(raw) as JsonObject) : undefined,
        status: 0,
      };
      let result: { status: number; json?: unknown };
      if (!url.pathname.startsWith(`${apiPrefix}/`)) {
        result = { status: 404, json: { message: 'only API v10 is served', code: 0 } };
      } else {
        try {
          result = routeRequest(recorded.method, recorded.path, recorded.query, recorded.body as JsonObject | undefined, recorded.authorization);
        } catch (error) {
          if (!(error instanceof DiscordRuleError)) throw error;
          recorded.error = { code: error.code, message: error.message, errors: error.problems };
          result = { status: error.status, json: { code: error.code, message: error.message, errors: { _errors: error.problems.map((problem) => ({ code: 'BASE_TYPE_INVALID', message: problem })) } } };
        }
      }
      recorded.status = result.status;
      requests.push(recorded);
      events.emit('request', recorded);
      if (result.json === undefined) {
        response.writeHead(result.status);
        response.end();
      } else {
        response.writeHead(result.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result.json));
      }
    });
  });
  await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', () => resolve()));
  const apiUrl = `http://127.0.0.1:${(rest.address() as AddressInfo).port}/api`;

  return {
    apiUrl,
    requests,
    gatewayFrames,
    gatewayConnections,
    channelMessages,
    permissions,
    dispatch,
    dropGatewayConnection() {
      socket?.terminate();
    },
    waitForRequest: (predicate, timeoutMs = 5000) => waitFor(events, 'request', requests, predicate, timeoutMs),
    waitForGatewayFrame: (predicate, timeoutMs = 5000) => waitFor(events, 'gateway', gatewayFrames, predicate, timeoutMs),
    rejectedRequests: () => requests.filter((request) => request.error !== undefined),
    async close() {
      for (const client of gateway.clients) client.terminate();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      rest.closeAllConnections();
      await new Promise<void>((resolve) => rest.close(() => resolve()));
    },
  };
}

// ---- Real-format payloads, as Discord sends them (with the fields discord.js 14 dereferences) ----

const fullPermissions = '2251799813685247';

interface InteractionPlace {
  guildId?: string;
  channelId?: string;
  /** Channel type: 0 text, 11 public thread. */
  channelType?: number;
  parentId?: string;
  user?: DiscordUser;
}

function interactionBase(type: number, data: JsonObject, place: InteractionPlace = {}, extra: JsonObject = {}): JsonObject {
  const id = snowflake();
  const guildId = place.guildId ?? discordIds.guild;
  const channelId = place.channelId ?? discordIds.channel;
  const user = place.user ?? fakeHumanUser;
  return {
    id,
    application_id: discordIds.application,
    type,
    data,
    token: `token-${id}`,
    version: 1,
    guild_id: guildId,
    channel_id: channelId,
    // Sent as an object: with channel_id alone discord.js leaves interaction.channelId null.
    channel: { id: channelId, type: place.channelType ?? 0, guild_id: guildId, name: 'support', parent_id: place.parentId ?? null, permissions: fullPermissions, nsfw: false, flags: 0 },
    member: { user, roles: [], permissions: fullPermissions, joined_at: '2024-01-01T00:00:00.000Z', nick: null, avatar: null, flags: 0, pending: false, deaf: false, mute: false, premium_since: null, communication_disabled_until: null },
    app_permissions: fullPermissions,
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { 0: guildId },
    context: 0,
    attachment_size_limit: 8_388_608,
    ...extra,
  };
}

/** A CHAT_INPUT application command interaction (type 2, data.type 1). */
export function slashCommandInteraction(name: string, options: Array<{ name: string; type: number; value: string | boolean | number }>, place?: InteractionPlace): JsonObject {
  return interactionBase(2, { id: discordIds.command, name, type: 1, guild_id: place?.guildId ?? discordIds.guild, options }, place);
}

/** A button click (type 3, component_type 2) on a message the bot sent. */
export function buttonInteraction(customId: string, message: JsonObject, place?: InteractionPlace): JsonObject {
  return interactionBase(3, { custom_id: customId, component_type: 2 }, place, { message: { ...message, author: fakeBotUser } });
}

/** A modal submission (type 5) whose text inputs sit in label components, as Discord sends them today. */
export function modalSubmitInteraction(customId: string, values: Record<string, string>, place?: InteractionPlace, message?: JsonObject): JsonObject {
  const components = Object.entries(values).map(([inputId, value], index) => ({
    type: 18,
    id: index * 2 + 1,
    component: { type: 4, id: index * 2 + 2, custom_id: inputId, value },
  }));
  return interactionBase(5, { custom_id: customId, components }, place, message ? { message: { ...message, author: fakeBotUser } } : {});
}

/** A MESSAGE_CREATE in a guild channel, mentioning the bot when `mentionsBot`. */
export function messageCreatePayload(content: string, options: { channelId?: string; author?: DiscordUser; mentionsBot?: boolean } = {}): JsonObject {
  const author = options.author ?? fakeHumanUser;
  return {
    id: snowflake(),
    type: 0,
    channel_id: options.channelId ?? discordIds.channel,
    guild_id: discordIds.guild,
    author,
    member: { roles: [], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 },
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: options.mentionsBot ? [{ ...fakeBotUser, member: { roles: [], joined_at: '2024-01-01T00:00:00.000Z' } }] : [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    flags: 0,
  };
}
