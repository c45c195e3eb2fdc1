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
  /** A forum channel (type 15) with tags, for help-forum tests. */
  forum: '1000000000000000210',
  /** A second text channel, for help-channel (auto mode) tests. */
  helpChannel: '1000000000000000211',
  /** A server the bot is not a member of (a user install is used there). */
  foreignGuild: '1000000000000000102',
  foreignChannel: '1000000000000000220',
  user: '1000000000000000300',
  otherBot: '1000000000000000301',
  command: '1000000000000000400',
} as const;

export const fakeBotUser = {
  id: discordIds.bot,
  username: 'answerloop',
  discriminator: '0000',
  global_name: null,
  avatar: null,
  bot: true,
  flags: 0,
};
export const fakeHumanUser = {
  id: discordIds.user,
  username: 'ada',
  discriminator: '0',
  global_name: 'Ada',
  avatar: null,
};
export const fakeOtherBotUser = {
  id: discordIds.otherBot,
  username: 'otherbot',
  discriminator: '0000',
  global_name: null,
  avatar: null,
  bot: true,
};

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
  /** Shards `GET /gateway/bot` recommends (default 1). */
  recommendedShards?: number;
  /**
   * Discord's rate limits: a value answers the request 429 as Discord does (Retry-After and X-RateLimit-*
   * headers, `{message, retry_after, global}`), for a route's bucket or, with `global`, for the whole bot;
   * undefined answers it normally. The request is recorded either way, with status 429.
   */
  rateLimit?: (request: RecordedRequest) => { retryAfterSeconds: number; global?: boolean } | undefined;
}

/** The tags of the fake forum channel, as Discord sends them in `available_tags`. */
export const forumTags = [
  { id: '1000000000000000501', name: 'answered by bot', moderated: false, emoji_id: null, emoji_name: '🤖' },
  { id: '1000000000000000502', name: 'needs a human', moderated: false, emoji_id: null, emoji_name: null },
  { id: '1000000000000000503', name: 'bug', moderated: false, emoji_id: null, emoji_name: null },
] as const;

export interface ForumPostOptions {
  title: string;
  content: string;
  author?: DiscordUser;
  /** Tag ids the author picked. */
  appliedTags?: string[];
  /** The first this many fetches of the starter message answer 10008 Unknown Message, as right after creation. */
  starterMissingFetches?: number;
  /** The first this many messages sent in the post are refused with 40058, as right after creation. */
  refusedSends?: number;
  /** The starter message mentions the bot (its content should hold `<@bot id>`). */
  mentionsBot?: boolean;
  /** Also dispatch the MESSAGE_CREATE of the starter message, as Discord does (default true). */
  dispatchStarterMessage?: boolean;
}

export interface FakeForumPost {
  /** The post's thread id, which is also its starter message's id. */
  id: string;
  thread: JsonObject;
  starter: JsonObject;
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
  readonly permissions: { createPublicThreads: boolean; addReactions: boolean };
  /**
   * The foreign server's setting "Use External Apps": when false, Discord makes every response of a
   * user-installed app there ephemeral, whatever the app asked for.
   */
  readonly foreignGuild: { externalAppsAllowed: boolean };
  /** Threads the fake knows (forum posts and threads started from messages), by id; tags as applied now. */
  readonly threads: Map<string, JsonObject>;
  /**
   * Dispatches an event to every identified gateway connection (every replica sees it, as a replay would), or with
   * `shard` only to the connections identified with that shard id, as Discord routes a guild's events.
   */
  dispatch(event: string, data: unknown, options?: { shard?: number }): void;
  /** A new post in the forum channel: THREAD_CREATE (newly_created) and the starter message's MESSAGE_CREATE. */
  createForumPost(options: ForumPostOptions): FakeForumPost;
  /** A message someone posts in a channel or thread: stored (so it can be fetched) and dispatched. */
  postMessage(channelId: string, content: string, author?: DiscordUser, extra?: JsonObject): JsonObject;
  /** Requests that created or edited a message without `allowed_mentions: { parse: [] }`: a test expecting none asserts this is empty. */
  messagesThatMayPing(): RecordedRequest[];
  /** Closes the newest gateway socket without a close frame, as a network failure would. */
  dropGatewayConnection(): void;
  /**
   * Until the returned function is called, new gateway connections get no HELLO (the gateway is unreachable in
   * effect: clients wait, reconnecting); then the held ones get theirs.
   */
  holdGateway(): () => void;
  /** The `shard` ([id, count]) of each IDENTIFY, in order. */
  identifiedShards(): Array<[number, number]>;
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
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
    if (description.length > 4096)
      problems.push(`embeds[${index}].description: ${description.length} > 4096`);
    if (footer.length > 2048) problems.push(`embeds[${index}].footer.text: ${footer.length} > 2048`);
    if (fields.length > 25) problems.push(`embeds[${index}].fields: ${fields.length} > 25`);
    total += title.length + description.length + footer.length;
    fields.forEach((field, fieldIndex) => {
      const name = text(field.name);
      const value = text(field.value);
      if (name.length === 0 || name.length > 256)
        problems.push(`embeds[${index}].fields[${fieldIndex}].name: length ${name.length}`);
      if (value.length === 0 || value.length > 1024)
        problems.push(`embeds[${index}].fields[${fieldIndex}].value: length ${value.length}`);
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
    if (row.type !== 1)
      problems.push(`components[${rowIndex}].type: ${String(row.type)} is not an action row`);
    if (children.length === 0 || children.length > 5)
      problems.push(`components[${rowIndex}]: ${children.length} buttons`);
    children.forEach((child, childIndex) => {
      const where = `components[${rowIndex}].components[${childIndex}]`;
      const customId = typeof child.custom_id === 'string' ? child.custom_id : '';
      const label = typeof child.label === 'string' ? child.label : '';
      if (child.type !== 2) problems.push(`${where}.type: ${String(child.type)} is not a button`);
      if (child.style !== 5 && (customId.length === 0 || customId.length > 100))
        problems.push(`${where}.custom_id: length ${customId.length}`);
      if (label.length > 80) problems.push(`${where}.label: ${label.length} > 80`);
    });
  });
  return problems;
}

/** An application command definition as Discord validates it on registration. */
function commandProblems(command: JsonObject, index: number): string[] {
  const problems: string[] = [];
  const where = `[${index}]`;
  const type = Number(command.type ?? 1);
  const name = typeof command.name === 'string' ? command.name : '';
  const description = typeof command.description === 'string' ? command.description : '';
  if (type === 1) {
    if (!/^[-_\p{L}\p{N}]{1,32}$/u.test(name) || name !== name.toLowerCase())
      problems.push(`${where}.name: ${name} is not a valid slash command name`);
    if (description.length === 0 || description.length > 100)
      problems.push(`${where}.description: length ${description.length}`);
  } else if (type === 2 || type === 3) {
    if (name.length === 0 || name.length > 32) problems.push(`${where}.name: length ${name.length}`);
    if (description !== '') problems.push(`${where}.description: context menu commands have none`);
    if (command.options !== undefined) problems.push(`${where}.options: context menu commands have none`);
  } else {
    problems.push(`${where}.type: ${type}`);
  }
  const integrationTypes = command.integration_types as unknown[] | undefined;
  if (
    integrationTypes !== undefined &&
    (!Array.isArray(integrationTypes) || integrationTypes.some((value) => value !== 0 && value !== 1))
  )
    problems.push(`${where}.integration_types`);
  const contexts = command.contexts as unknown[] | undefined;
  if (
    contexts !== undefined &&
    contexts !== null &&
    (!Array.isArray(contexts) || contexts.some((value) => value !== 0 && value !== 1 && value !== 2))
  )
    problems.push(`${where}.contexts`);
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
    const input = (
      component.type === 18 ? component.component : (component.components as JsonObject[] | undefined)?.[0]
    ) as JsonObject | undefined;
    if (!input || input.type !== 4) problems.push('components: every component must hold a text input');
    else {
      if (typeof input.custom_id !== 'string' || input.custom_id.length > 100)
        problems.push('text input custom_id');
      if (typeof input.placeholder === 'string' && input.placeholder.length > 100)
        problems.push('text input placeholder > 100');
      if (Number(input.max_length ?? 4000) > 4000) problems.push('text input max_length > 4000');
    }
    if (component.type === 18) {
      const label = typeof component.label === 'string' ? component.label : '';
      if (label.length === 0 || label.length > 45) problems.push(`label: length ${label.length}`);
      if (typeof component.description === 'string' && component.description.length > 100)
        problems.push('label description > 100');
    }
  }
  return problems;
}

function waitFor<T>(
  events: EventEmitter,
  name: string,
  seen: T[],
  predicate: (item: T) => boolean,
  timeoutMs: number,
): Promise<T> {
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
  /** A user-installed app in a server it is not a member of, where that server forbids external apps. */
  forcedEphemeral: boolean;
  /** Used only through a user install (the app is not in the server or DM): Discord allows 5 follow-ups. */
  userInstallOnly: boolean;
  followUps: number;
}

interface ForumPostState {
  starterMissingFetches: number;
  refusedSends: number;
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
  const permissions = { createPublicThreads: true, addReactions: true };
  const foreignGuild = { externalAppsAllowed: true };
  const forumPosts = new Map<string, ForumPostState>();
  let sequence = 0;
  // Every replica opens its own connection; each gets every dispatch once it has identified.
  const sockets = new Set<WebSocket>();
  const identified = new Set<WebSocket>();
  let newest: WebSocket | undefined;
  let held: WebSocket[] | undefined;
  // The shard each connection identified with, for dispatches to one shard.
  const shardOf = new Map<WebSocket, [number, number]>();
  const hello = (connection: WebSocket) =>
    send(connection, { op: 10, d: { heartbeat_interval: heartbeatIntervalMs }, s: null, t: null });

  const gateway = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => gateway.once('listening', () => resolve()));
  const gatewayUrl = `ws://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

  const send = (socket: WebSocket, frame: GatewayFrame) => {
    // Text frames only: discord.js takes binary frames as zlib-compressed.
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  // Every event dispatched to all connections, so a connection that resumes gets what it missed, as on Discord.
  const dispatched: GatewayFrame[] = [];
  const dispatchTo = (targets: Iterable<WebSocket>, event: string, data: unknown) => {
    sequence += 1;
    const frame = { op: 0, t: event, s: sequence, d: data };
    for (const target of targets) send(target, frame);
    return frame;
  };
  const dispatch = (event: string, data: unknown, dispatchOptions: { shard?: number } = {}) => {
    if (event === 'INTERACTION_CREATE') {
      const interaction = data as {
        token: string;
        guild_id?: string;
        channel?: { id: string };
        authorizing_integration_owners?: Record<string, string>;
      };
      // Redelivering the same interaction keeps its state: its token is acknowledged once, whoever tries.
      if (!interactions.has(interaction.token)) {
        const userInstallOnly = interaction.authorizing_integration_owners?.['0'] === undefined;
        interactions.set(interaction.token, {
          dispatchedAt: Date.now(),
          acknowledged: false,
          channelId: interaction.channel?.id ?? discordIds.channel,
          forcedEphemeral:
            userInstallOnly &&
            interaction.guild_id === discordIds.foreignGuild &&
            !foreignGuild.externalAppsAllowed,
          userInstallOnly,
          followUps: 0,
        });
      }
    }
    const targets =
      dispatchOptions.shard === undefined
        ? identified
        : [...identified].filter((socket) => shardOf.get(socket)?.[0] === dispatchOptions.shard);
    dispatched.push(dispatchTo(targets, event, data));
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
  const threadPayload = (
    id: string,
    parentId: string,
    name: string,
    ownerId: string,
    autoArchiveDuration = 1440,
    extra: JsonObject = {},
  ) => ({
    id,
    type: 11,
    guild_id: discordIds.guild,
    parent_id: parentId,
    name,
    owner_id: ownerId,
    last_message_id: null,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    flags: 0,
    applied_tags: [] as string[],
    thread_metadata: {
      archived: false,
      auto_archive_duration: autoArchiveDuration,
      archive_timestamp: new Date().toISOString(),
      locked: false,
      create_timestamp: new Date().toISOString(),
    },
    ...extra,
  });
  const storeMessage = (channelId: string, created: JsonObject) => {
    const list = channelMessages.get(channelId) ?? [];
    list.push(created);
    channelMessages.set(channelId, list);
    return created;
  };

  gateway.on('connection', (connection, request) => {
    sockets.add(connection);
    newest = connection;
    gatewayConnections.push(request.url ?? '');
    connection.on('close', () => {
      sockets.delete(connection);
      identified.delete(connection);
      shardOf.delete(connection);
    });
    if (held) held.push(connection);
    else hello(connection);
    connection.on('message', (data) => {
      const frame = JSON.parse(String(data)) as GatewayFrame;
      gatewayFrames.push(frame);
      events.emit('gateway', frame);
      if (frame.op === 1) send(connection, { op: 11, d: null, s: null, t: null });
      if (frame.op === 2)
        identify(connection, frame.d as { token: string; intents: number; shard?: [number, number] });
      if (frame.op === 6) {
        // RESUME: replay the events dispatched after the client's last sequence, then confirm.
        const { seq } = frame.d as { seq: number };
        for (const missed of dispatched.filter((item) => (item.s ?? 0) > seq)) send(connection, missed);
        identified.add(connection);
        send(connection, { op: 0, t: 'RESUMED', s: ++sequence, d: {} });
      }
    });
  });

  function identify(
    connection: WebSocket,
    data: { token: string; intents: number; shard?: [number, number] },
  ) {
    if (data.token !== token && data.token !== `Bot ${token}`) {
      connection.close(4004, 'Authentication failed.');
      return;
    }
    if ((data.intents & privilegedIntents & ~allowedPrivileged) !== 0) {
      connection.close(4014, 'Disallowed intent(s).');
      return;
    }
    identified.add(connection);
    shardOf.set(connection, data.shard ?? [0, 1]);
    dispatchTo([connection], 'READY', {
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
    dispatchTo([connection], 'GUILD_CREATE', guildCreatePayload());
  }

  const textChannel = (id: string, name: string, position: number) => ({
    id,
    type: 0,
    name,
    position,
    guild_id: discordIds.guild,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
  });
  const forumChannel = {
    ...textChannel(discordIds.forum, 'help-forum', 3),
    type: 15,
    available_tags: forumTags,
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
    default_thread_rate_limit_per_user: 0,
    flags: 0,
  };
  const guildChannelIds = new Set<string>([
    discordIds.channel,
    discordIds.otherChannel,
    discordIds.thirdChannel,
    discordIds.forum,
    discordIds.helpChannel,
  ]);
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
    roles: [
      {
        id: discordIds.guild,
        name: '@everyone',
        permissions: '2251799813685247',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    voice_states: [],
    presences: [],
    threads: [],
    stage_instances: [],
    guild_scheduled_events: [],
    channels: [
      textChannel(discordIds.channel, 'support', 0),
      textChannel(discordIds.otherChannel, 'integrations', 1),
      textChannel(discordIds.thirdChannel, 'random', 2),
      forumChannel,
      textChannel(discordIds.helpChannel, 'help', 4),
    ],
    members: [
      {
        user: fakeBotUser,
        roles: [],
        joined_at: '2024-01-01T00:00:00.000Z',
        deaf: false,
        mute: false,
        flags: 0,
      },
    ],
  });

  const routeRequest = (
    method: string,
    path: string,
    query: URLSearchParams,
    body: JsonObject | undefined,
    authorization: string | undefined,
  ): { status: number; json?: unknown } => {
    let match: RegExpMatchArray | null;
    const requireBot = () => {
      if (authorization !== `Bot ${token}`) throw new DiscordRuleError(401, 0, '401: Unauthorized');
    };
    const requireValidMessage = (payload: JsonObject | undefined) => {
      const problems = messageLimitProblems(payload ?? {});
      if (problems.length > 0) throw new DiscordRuleError(400, 50035, 'Invalid Form Body', problems);
      const hasSomething =
        (typeof payload?.content === 'string' && payload.content.length > 0) ||
        (Array.isArray(payload?.embeds) && payload.embeds.length > 0);
      if (!hasSomething && !Array.isArray(payload?.components))
        throw new DiscordRuleError(400, 50006, 'Cannot send an empty message');
    };

    if (method === 'GET' && path === '/gateway/bot') {
      requireBot();
      return {
        status: 200,
        json: {
          url: gatewayUrl,
          shards: options.recommendedShards ?? 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 16 },
        },
      };
    }
    if (method === 'GET' && path === '/users/@me') {
      requireBot();
      return { status: 200, json: fakeBotUser };
    }

    // Interaction callbacks carry no Authorization header: the token in the path is the credential.
    if (method === 'POST' && (match = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      const state = interactions.get(match[2]!);
      if (!state || Date.now() - state.dispatchedAt > acknowledgeWithinMs)
        throw new DiscordRuleError(404, 10062, 'Unknown interaction');
      if (state.acknowledged)
        throw new DiscordRuleError(400, 40060, 'Interaction has already been acknowledged.');
      const type = Number(body?.type);
      const data = (body?.data ?? {}) as JsonObject;
      if (type === 4 || type === 7) requireValidMessage(data);
      if (type === 9) {
        const problems = modalProblems(data);
        if (problems.length > 0) throw new DiscordRuleError(400, 50035, 'Invalid Form Body', problems);
      }
      state.acknowledged = true;
      state.callbackType = type;
      if (query.get('with_response') === 'true')
        return { status: 200, json: { interaction: { id: match[1], type: 2 }, resource: { type } } };
      return { status: 204 };
    }
    if ((match = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/))) {
      const [, applicationId, interactionToken, messageId] = match;
      const state = interactions.get(interactionToken!);
      if (applicationId !== discordIds.application || !state)
        throw new DiscordRuleError(404, 10015, 'Unknown Webhook');
      if (!state.acknowledged) throw new DiscordRuleError(404, 10008, 'Unknown Message');
      if (method === 'DELETE') return { status: 204 };
      if (method === 'GET')
        return {
          status: 200,
          json: message(state.channelId, {}, { id: messageId === '@original' ? snowflake() : messageId }),
        };
      requireValidMessage(body);
      // Where a server forbids external apps, Discord shows a user-installed app's messages to the user alone.
      const flags = Number(body?.flags ?? 0) | (state.forcedEphemeral ? 64 : 0);
      const sent = message(
        state.channelId,
        { ...body, flags },
        { type: 20, webhook_id: discordIds.application, application_id: discordIds.application },
      );
      if (method === 'PATCH') return { status: 200, json: sent };
      if (method === 'POST' && !messageId) {
        state.followUps += 1;
        if (state.userInstallOnly && state.followUps > 5)
          throw new DiscordRuleError(
            400,
            40094,
            'This interaction has hit the maximum number of follow up messages',
          );
        return { status: 200, json: sent };
      }
    }
    if ((match = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/)) && method === 'PUT') {
      requireBot();
      if (match[1] !== discordIds.application)
        throw new DiscordRuleError(403, 50035, 'Invalid Form Body', ['application_id']);
      if (match[2] && match[2] !== discordIds.guild) throw new DiscordRuleError(403, 50001, 'Missing Access');
      const commands = Array.isArray(body) ? body : [];
      const problems = commands.flatMap((command, index) => commandProblems(command as JsonObject, index));
      if (problems.length > 0) throw new DiscordRuleError(400, 50035, 'Invalid Form Body', problems);
      return {
        status: 200,
        json: commands.map((command) => ({
          ...command,
          id: snowflake(),
          application_id: match![1],
          guild_id: match![2],
          version: snowflake(),
          type: command.type ?? 1,
        })),
      };
    }
    if ((match = path.match(/^\/channels\/(\d+)(\/.*)?$/))) {
      requireBot();
      const channelId = match[1]!;
      // The bot reaches only channels of servers it is in (a user install gives it none).
      if (!guildChannelIds.has(channelId) && !threads.has(channelId)) {
        throw channelId === discordIds.foreignChannel
          ? new DiscordRuleError(403, 50001, 'Missing Access')
          : new DiscordRuleError(404, 10003, 'Unknown Channel');
      }
    }
    if ((match = path.match(/^\/channels\/(\d+)\/messages$/))) {
      const channelId = match[1]!;
      if (method === 'POST') {
        if (channelId === discordIds.forum)
          throw new DiscordRuleError(400, 40058, 'Cannot send messages in a forum channel');
        const post = forumPosts.get(channelId);
        if (post && post.refusedSends > 0) {
          // Right after a post is created Discord can still take it for the forum channel itself.
          post.refusedSends -= 1;
          throw new DiscordRuleError(400, 40058, 'Cannot send messages in a forum channel');
        }
        requireValidMessage(body);
        const reference = body?.message_reference as JsonObject | undefined;
        return {
          status: 200,
          json: storeMessage(
            channelId,
            message(channelId, body ?? {}, reference ? { type: 19, message_reference: reference } : {}),
          ),
        };
      }
      if (method === 'GET') {
        const limit = Number(query.get('limit') ?? 50);
        const before = query.get('before');
        const list = (channelMessages.get(channelId) ?? []).filter(
          (item) => !before || BigInt(String(item.id)) < BigInt(before),
        );
        return { status: 200, json: list.slice(-limit).reverse() };
      }
    }
    if (method === 'GET' && (match = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/))) {
      const post = forumPosts.get(match[1]!);
      if (post && match[2] === match[1] && post.starterMissingFetches > 0) {
        post.starterMissingFetches -= 1;
        throw new DiscordRuleError(404, 10008, 'Unknown Message');
      }
      const found = (channelMessages.get(match[1]!) ?? []).find((item) => item.id === match![2]);
      if (!found) throw new DiscordRuleError(404, 10008, 'Unknown Message');
      return { status: 200, json: found };
    }
    if (
      method === 'PUT' &&
      (match = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/))
    ) {
      // Reacting needs Add Reactions (for an emoji nobody used on the message yet) and Read Message History.
      if (!permissions.addReactions) throw new DiscordRuleError(403, 50013, 'Missing Permissions');
      const found = (channelMessages.get(match[1]!) ?? []).find((item) => item.id === match![2]);
      if (!found) throw new DiscordRuleError(404, 10008, 'Unknown Message');
      // The path holds a Unicode emoji or a server emoji as name:id; a bare word such as "eyes" is no emoji.
      const emoji = match[3]!;
      if (!/^\w+:\d+$/.test(emoji) && !/[^\x20-\x7e]/.test(emoji))
        throw new DiscordRuleError(400, 10014, 'Unknown Emoji');
      const reactions = (found.reactions as JsonObject[] | undefined) ?? [];
      if (!reactions.some((reaction) => (reaction.emoji as JsonObject).name === emoji))
        reactions.push({ emoji: { name: emoji, id: null }, count: 1, me: true });
      found.reactions = reactions;
      return { status: 204 };
    }
    if (method === 'PATCH' && (match = path.match(/^\/channels\/(\d+)$/))) {
      const thread = threads.get(match[1]!);
      if (!thread) throw new DiscordRuleError(400, 50024, 'Cannot execute action on this channel type');
      if (body?.applied_tags !== undefined) {
        const tags = Array.isArray(body.applied_tags) ? (body.applied_tags as unknown[]).map(String) : [];
        const known = new Set<string>(forumTags.map((tag) => tag.id));
        if (thread.parent_id !== discordIds.forum)
          throw new DiscordRuleError(400, 50035, 'Invalid Form Body', [
            'applied_tags: only forum posts have tags',
          ]);
        if (tags.length > 5)
          throw new DiscordRuleError(400, 50035, 'Invalid Form Body', [`applied_tags: ${tags.length} > 5`]);
        const unknown = tags.filter((tag) => !known.has(tag));
        if (unknown.length > 0)
          throw new DiscordRuleError(400, 50035, 'Invalid Form Body', [
            `applied_tags: unknown tags ${unknown.join(', ')}`,
          ]);
        thread.applied_tags = tags;
      }
      return { status: 200, json: thread };
    }
    if (method === 'POST' && /^\/channels\/\d+\/typing$/.test(path)) {
      return { status: 204 };
    }
    if (method === 'POST' && (match = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/))) {
      if (!permissions.createPublicThreads) throw new DiscordRuleError(403, 50013, 'Missing Permissions');
      if (threads.has(match[2]!))
        throw new DiscordRuleError(400, 160004, 'A thread has already been created for this message');
      const name = typeof body?.name === 'string' ? body.name : '';
      if (name.length === 0 || name.length > 100)
        throw new DiscordRuleError(400, 50035, 'Invalid Form Body', [`name: length ${name.length}`]);
      // A thread started from a message takes the message's id.
      const thread = threadPayload(
        match[2]!,
        match[1]!,
        name,
        discordIds.bot,
        Number(body?.auto_archive_duration ?? 1440),
      );
      threads.set(thread.id, thread);
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
      let result: { status: number; json?: unknown; headers?: Record<string, string> };
      const limited = options.rateLimit?.(recorded);
      if (limited) {
        result = {
          status: 429,
          headers: {
            'retry-after': String(limited.retryAfterSeconds),
            'x-ratelimit-limit': '5',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': String(limited.retryAfterSeconds),
            'x-ratelimit-bucket': 'fake-bucket',
            'x-ratelimit-scope': limited.global ? 'global' : 'user',
            ...(limited.global ? { 'x-ratelimit-global': 'true' } : {}),
          },
          json: {
            message: 'You are being rate limited.',
            retry_after: limited.retryAfterSeconds,
            global: limited.global ?? false,
          },
        };
      } else if (!url.pathname.startsWith(`${apiPrefix}/`)) {
        result = { status: 404, json: { message: 'only API v10 is served', code: 0 } };
      } else {
        try {
          result = routeRequest(
            recorded.method,
            recorded.path,
            recorded.query,
            recorded.body as JsonObject | undefined,
            recorded.authorization,
          );
        } catch (error) {
          if (!(error instanceof DiscordRuleError)) throw error;
          recorded.error = { code: error.code, message: error.message, errors: error.problems };
          result = {
            status: error.status,
            json: {
              code: error.code,
              message: error.message,
              errors: {
                _errors: error.problems.map((problem) => ({ code: 'BASE_TYPE_INVALID', message: problem })),
              },
            },
          };
        }
      }
      recorded.status = result.status;
      requests.push(recorded);
      events.emit('request', recorded);
      if (result.json === undefined) {
        response.writeHead(result.status, result.headers ?? {});
        response.end();
      } else {
        response.writeHead(result.status, { 'content-type': 'application/json', ...result.headers });
        response.end(JSON.stringify(result.json));
      }
    });
  });
  await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', () => resolve()));
  const apiUrl = `http://127.0.0.1:${(rest.address() as AddressInfo).port}/api`;

  const postMessage = (
    channelId: string,
    content: string,
    author: DiscordUser = fakeHumanUser,
    extra: JsonObject = {},
  ): JsonObject => {
    const posted = { ...messageCreatePayload(content, { channelId, author }), ...extra };
    storeMessage(channelId, posted);
    dispatch('MESSAGE_CREATE', posted);
    return posted;
  };

  return {
    apiUrl,
    requests,
    gatewayFrames,
    gatewayConnections,
    channelMessages,
    permissions,
    foreignGuild,
    threads,
    dispatch,
    createForumPost(post) {
      const author = post.author ?? fakeHumanUser;
      const id = snowflake();
      const thread = threadPayload(id, discordIds.forum, post.title, author.id, 4320, {
        applied_tags: post.appliedTags ?? [],
        message_count: 1,
        member: { id, user_id: author.id, join_timestamp: new Date().toISOString(), flags: 1 },
      });
      threads.set(id, thread);
      forumPosts.set(id, {
        starterMissingFetches: post.starterMissingFetches ?? 0,
        refusedSends: post.refusedSends ?? 0,
      });
      // The starter message of a forum post has the post's id.
      const starter = {
        ...messageCreatePayload(post.content, { channelId: id, author, mentionsBot: post.mentionsBot }),
        id,
      };
      storeMessage(id, starter);
      dispatch('THREAD_CREATE', { ...thread, newly_created: true });
      if (post.dispatchStarterMessage ?? true) dispatch('MESSAGE_CREATE', starter);
      return { id, thread, starter };
    },
    postMessage,
    messagesThatMayPing() {
      const sendsMessage = (request: RecordedRequest) =>
        (request.method === 'POST' && /^\/channels\/\d+\/messages$/.test(request.path)) ||
        (/^\/webhooks\/\d+\/[^/]+(\/messages\/.+)?$/.test(request.path) &&
          (request.method === 'POST' || request.method === 'PATCH')) ||
        (request.method === 'POST' &&
          /^\/interactions\//.test(request.path) &&
          [4, 7].includes(Number((request.body as JsonObject | undefined)?.type)));
      return requests.filter((request) => {
        if (!sendsMessage(request) || request.status >= 300) return false;
        const body = (
          request.path.startsWith('/interactions/') ? (request.body as JsonObject).data : request.body
        ) as JsonObject | undefined;
        const allowed = body?.allowed_mentions as
          { parse?: unknown[]; users?: unknown[]; roles?: unknown[]; replied_user?: boolean } | undefined;
        return (
          !allowed ||
          (allowed.parse?.length ?? 1) > 0 ||
          (allowed.users?.length ?? 0) > 0 ||
          (allowed.roles?.length ?? 0) > 0 ||
          allowed.replied_user === true
        );
      });
    },
    dropGatewayConnection() {
      newest?.terminate();
    },
    holdGateway() {
      held ??= [];
      return () => {
        const waiting = held ?? [];
        held = undefined;
        for (const connection of waiting) hello(connection);
      };
    },
    identifiedShards: () =>
      gatewayFrames
        .filter((frame) => frame.op === 2)
        .map((frame) => (frame.d as { shard?: [number, number] }).shard ?? [0, 1]),
    // Generous: on a loaded machine an answer can take seconds; a missing request still fails the test.
    waitForRequest: (predicate, timeoutMs = 15_000) =>
      waitFor(events, 'request', requests, predicate, timeoutMs),
    waitForGatewayFrame: (predicate, timeoutMs = 15_000) =>
      waitFor(events, 'gateway', gatewayFrames, predicate, timeoutMs),
    rejectedRequests: () => requests.filter((request) => request.error !== undefined),
    async close() {
      for (const client of sockets) client.terminate();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
      rest.closeAllConnections();
      await new Promise<void>((resolve) => rest.close(() => resolve()));
    },
  };
}

// ---- Real-format payloads, as Discord sends them (with the fields discord.js 14 dereferences) ----

const fullPermissions = '2251799813685247';

export interface InteractionPlace {
  guildId?: string;
  channelId?: string;
  /** Channel type: 0 text, 11 public thread, 1 DM, 3 group DM. */
  channelType?: number;
  parentId?: string;
  user?: DiscordUser;
  /**
   * Where it was used (Discord's `context`): 0 a server, 1 the DM with the bot, 2 another DM or group DM.
   * Contexts 1 and 2 carry `user` instead of `member` and no guild.
   */
  context?: 0 | 1 | 2;
  /** How the app was installed for this use: to the server (`0: guild id`), to the user (`1: user id`), or both. */
  install?: 'guild' | 'user' | 'both';
}

function interactionBase(
  type: number,
  data: JsonObject,
  place: InteractionPlace = {},
  extra: JsonObject = {},
): JsonObject {
  const id = snowflake();
  const context = place.context ?? 0;
  const inGuild = context === 0;
  const guildId = place.guildId ?? discordIds.guild;
  const channelId = place.channelId ?? discordIds.channel;
  const user = place.user ?? fakeHumanUser;
  const install = place.install ?? (inGuild ? 'guild' : 'user');
  const owners: Record<string, string> = {};
  if (install !== 'user' && inGuild) owners['0'] = guildId;
  // A guild install used in the DM with the bot is owned by "0": "0" (Discord's documented value for that case).
  if (install !== 'user' && !inGuild) owners['0'] = '0';
  if (install !== 'guild') owners['1'] = user.id;
  const channel = inGuild
    ? {
        id: channelId,
        type: place.channelType ?? 0,
        guild_id: guildId,
        name: 'support',
        parent_id: place.parentId ?? null,
        permissions: fullPermissions,
        nsfw: false,
        flags: 0,
      }
    : {
        id: channelId,
        type: place.channelType ?? (context === 1 ? 1 : 3),
        flags: 0,
        last_message_id: null,
        recipients: [context === 1 ? fakeBotUser : makeUser('1000000000000000399', 'friend')],
      };
  const member = {
    user,
    roles: [],
    permissions: fullPermissions,
    joined_at: '2024-01-01T00:00:00.000Z',
    nick: null,
    avatar: null,
    flags: 0,
    pending: false,
    deaf: false,
    mute: false,
    premium_since: null,
    communication_disabled_until: null,
  };
  return {
    id,
    application_id: discordIds.application,
    type,
    data,
    token: `token-${id}`,
    version: 1,
    ...(inGuild
      ? {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          member,
          guild_locale: 'en-US',
        }
      : { user }),
    channel_id: channelId,
    // Sent as an object: with channel_id alone discord.js leaves interaction.channelId null.
    channel,
    app_permissions: fullPermissions,
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: owners,
    context,
    attachment_size_limit: 8_388_608,
    ...extra,
  };
}

/** A CHAT_INPUT application command interaction (type 2, data.type 1). */
export function slashCommandInteraction(
  name: string,
  options: Array<{ name: string; type: number; value: string | boolean | number }>,
  place?: InteractionPlace,
): JsonObject {
  const inGuild = (place?.context ?? 0) === 0;
  return interactionBase(
    2,
    {
      id: discordIds.command,
      name,
      type: 1,
      ...(inGuild ? { guild_id: place?.guildId ?? discordIds.guild } : {}),
      options,
    },
    place,
  );
}

/** A MESSAGE context-menu command (type 2, data.type 3) used on `target`, which Discord sends resolved. */
export function messageCommandInteraction(
  name: string,
  target: JsonObject,
  place?: InteractionPlace,
): JsonObject {
  const inGuild = (place?.context ?? 0) === 0;
  const resolved = { ...target, channel_id: place?.channelId ?? target.channel_id ?? discordIds.channel };
  return interactionBase(
    2,
    {
      id: snowflake(),
      name,
      type: 3,
      target_id: target.id,
      ...(inGuild ? { guild_id: place?.guildId ?? discordIds.guild } : {}),
      resolved: { messages: { [String(target.id)]: resolved } },
    },
    {
      channelId: String(resolved.channel_id),
      ...place,
    },
  );
}

/** A button click (type 3, component_type 2) on a message the bot sent. */
export function buttonInteraction(
  customId: string,
  message: JsonObject,
  place?: InteractionPlace,
): JsonObject {
  return interactionBase(3, { custom_id: customId, component_type: 2 }, place, {
    message: { ...message, author: fakeBotUser },
  });
}

/** A modal submission (type 5) whose text inputs sit in label components, as Discord sends them today. */
export function modalSubmitInteraction(
  customId: string,
  values: Record<string, string>,
  place?: InteractionPlace,
  message?: JsonObject,
): JsonObject {
  const components = Object.entries(values).map(([inputId, value], index) => ({
    type: 18,
    id: index * 2 + 1,
    component: { type: 4, id: index * 2 + 2, custom_id: inputId, value },
  }));
  return interactionBase(
    5,
    { custom_id: customId, components },
    place,
    message ? { message: { ...message, author: fakeBotUser } } : {},
  );
}

/** A MESSAGE_CREATE in a guild channel, mentioning the bot when `mentionsBot`. */
export function messageCreatePayload(
  content: string,
  options: { channelId?: string; author?: DiscordUser; mentionsBot?: boolean } = {},
): JsonObject {
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
    mentions: options.mentionsBot
      ? [{ ...fakeBotUser, member: { roles: [], joined_at: '2024-01-01T00:00:00.000Z' } }]
      : [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    flags: 0,
  };
}
