import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small fake of Slack's Web API (https://slack.com/api/<method>) on 127.0.0.1, for end-to-end tests of the
 * real Bolt app. It records every call the bot makes, keeps the messages it posts so chat.update,
 * conversations.replies and conversations.history see them, and answers each method the way Slack does:
 * form-encoded POST in, `{ok: true, ...}` JSON out.
 */

export interface FakeSlackCall {
  /** Web API method, e.g. 'chat.postMessage'; '' for a response_url post. */
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  /** Form fields, with the JSON ones (blocks, view, attachments, metadata) parsed. */
  body: Record<string, unknown>;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  thread_ts?: string;
  blocks?: unknown[];
  metadata?: unknown;
  /** Set while a native stream (chat.startStream) is open on the message. */
  streaming?: boolean;
}

export interface FakeSlackApiOptions {
  /** Answers a call instead of the default; return undefined to fall through to the default. */
  answer?: (call: FakeSlackCall) => Record<string, unknown> | undefined;
  /**
   * Slack's rate limiting: a number answers the call HTTP 429 `{ok: false, error: 'ratelimited'}` with that
   * many seconds in Retry-After, as Slack does; undefined answers it normally. The call is recorded either way.
   */
  rateLimit?: (call: FakeSlackCall) => number | undefined;
  /** Milliseconds to hold a call's response (a slow Slack); 0 or undefined answers at once. */
  delayMs?: (call: FakeSlackCall) => number;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Channels shared with another organisation: conversations.info says is_ext_shared. */
  sharedChannels?: string[];
}

export interface FakeSlackApi {
  /** The base URL to give Bolt as `clientOptions.slackApiUrl` (ends with /api/). */
  url: string;
  port: number;
  calls: FakeSlackCall[];
  /** The calls whose response is being held back now (see `delayMs`): their caller is still waiting. */
  held: Set<FakeSlackCall>;
  /** The calls answered 429 (see `rateLimit`). */
  rateLimited: FakeSlackCall[];
  /** Messages in every channel, oldest first: what the bot posted and what tests seeded. */
  messages: FakeSlackMessage[];
  /** Seeds a message as if a person had written it. */
  addMessage(message: FakeSlackMessage): void;
  callsTo(method: string): FakeSlackCall[];
  /** Resolves with the first call (past or future) matching the predicate. */
  waitForCall(predicate: (call: FakeSlackCall) => boolean, timeoutMs?: number): Promise<FakeSlackCall>;
  close(): Promise<void>;
}

const jsonFields = new Set([
  'blocks',
  'view',
  'attachments',
  'metadata',
  'chunks',
  'prompts',
  'loading_messages',
]);

/** The text a streaming call carries: markdown_text, or the markdown_text chunks. */
function streamedText(body: Record<string, unknown>): string {
  const chunks = Array.isArray(body.chunks) ? (body.chunks as Array<{ type?: string; text?: string }>) : [];
  return (
    text(body.markdown_text) +
    chunks
      .filter((chunk) => chunk.type === 'markdown_text')
      .map((chunk) => chunk.text ?? '')
      .join('')
  );
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = jsonFields.has(key) ? JSON.parse(value) : value;
  }
  return body;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export async function startFakeSlackApi(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const botUserId = options.botUserId ?? 'UBOT';
  const botId = options.botId ?? 'BBOT';
  const teamId = options.teamId ?? 'T1';
  const calls: FakeSlackCall[] = [];
  const rateLimited: FakeSlackCall[] = [];
  const held = new Set<FakeSlackCall>();
  const messages: FakeSlackMessage[] = [];
  const listeners = new Set<(call: FakeSlackCall) => void>();
  let clock = 1_700_000_100;
  let viewCounter = 0;
  const nextTs = () => `${(clock += 1)}.000100`;

  const defaultAnswer = (call: FakeSlackCall): Record<string, unknown> => {
    const body = call.body;
    switch (call.method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'answerloop',
          team_id: teamId,
          user_id: botUserId,
          bot_id: botId,
        };
      case 'chat.postMessage': {
        const message: FakeSlackMessage = {
          channel: text(body.channel),
          ts: nextTs(),
          text: text(body.text),
          user: botUserId,
          bot_id: botId,
          ...(body.thread_ts ? { thread_ts: text(body.thread_ts) } : {}),
          ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}),
          ...(body.metadata ? { metadata: body.metadata } : {}),
        };
        messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts, message };
      }
      // Slack's streaming: text arrives as markdown_text or as chunks of type markdown_text.
      case 'chat.startStream': {
        if (!body.thread_ts) return { ok: false, error: 'invalid_arguments' };
        const message: FakeSlackMessage = {
          channel: text(body.channel),
          ts: nextTs(),
          text: streamedText(body),
          user: botUserId,
          bot_id: botId,
          thread_ts: text(body.thread_ts),
          streaming: true,
        };
        messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const message = messages.find(
          (candidate) => candidate.channel === body.channel && candidate.ts === body.ts,
        );
        if (!message) return { ok: false, error: 'message_not_found' };
        if (!message.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
        message.text += streamedText(body);
        if (call.method === 'chat.stopStream') {
          message.streaming = false;
          if (Array.isArray(body.blocks)) message.blocks = body.blocks;
          if (body.metadata) message.metadata = body.metadata;
        }
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      // The OAuth code exchange: a code `code-<team>` installs the app into workspace <team>.
      case 'oauth.v2.access': {
        const team = /^code-(\w+)$/.exec(text(body.code))?.[1];
        if (!team || !body.client_id || !body.client_secret) return { ok: false, error: 'invalid_code' };
        return {
          ok: true,
          access_token: `xoxb-${team}-installed`,
          token_type: 'bot',
          scope: 'app_mentions:read,chat:write',
          bot_user_id: botUserId,
          app_id: 'A1',
          team: { id: team, name: `Workspace ${team}` },
          enterprise: null,
          is_enterprise_install: false,
          authed_user: { id: 'UINSTALLER', scope: '', token_type: 'user' },
        };
      }
      case 'conversations.info': {
        const channel = text(body.channel);
        return {
          ok: true,
          channel: {
            id: channel,
            is_channel: true,
            is_shared: (options.sharedChannels ?? []).includes(channel),
            is_ext_shared: (options.sharedChannels ?? []).includes(channel),
          },
        };
      }
      case 'chat.update': {
        const message = messages.find(
          (candidate) => candidate.channel === body.channel && candidate.ts === body.ts,
        );
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = text(body.text);
        if (Array.isArray(body.blocks)) message.blocks = body.blocks;
        if (body.metadata) message.metadata = body.metadata;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.getPermalink': {
        const channel = text(body.channel);
        const ts = text(body.message_ts);
        return {
          ok: true,
          channel,
          permalink: `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}`,
        };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'views.open':
        viewCounter += 1;
        return { ok: true, view: { id: `V${viewCounter}`, ...(body.view as Record<string, unknown>) } };
      case 'conversations.replies': {
        const channel = text(body.channel);
        const ts = text(body.ts);
        const parent = messages.find((message) => message.channel === channel && message.ts === ts);
        // An assistant panel thread's first message is Slack's own: the fake knows only the replies in it.
        const root = parent ? (parent.thread_ts ?? parent.ts) : ts;
        let thread = messages.filter(
          (message) => message.channel === channel && (message.ts === root || message.thread_ts === root),
        );
        if (thread.length === 0) return { ok: false, error: 'thread_not_found' };
        const oldest = text(body.oldest);
        const latest = text(body.latest);
        const inclusive = body.inclusive === 'true' || body.inclusive === true;
        const after = (value: string, bound: string) =>
          Number(value) > Number(bound) || (inclusive && value === bound);
        if (oldest) thread = thread.filter((message) => after(message.ts, oldest));
        if (latest)
          thread = thread.filter(
            (message) => after(latest, message.ts) || (inclusive && message.ts === latest),
          );
        const limit = Number(body.limit ?? 1000);
        return { ok: true, messages: thread.slice(0, limit), has_more: false };
      }
      case 'conversations.history': {
        const channel = text(body.channel);
        const latest = text(body.latest);
        const topLevel = messages.filter(
          (message) =>
            message.channel === channel && (!message.thread_ts || message.thread_ts === message.ts),
        );
        const matching = latest
          ? topLevel.filter((message) => Number(message.ts) <= Number(latest))
          : topLevel;
        return {
          ok: true,
          messages: matching.reverse().slice(0, Number(body.limit ?? 100)),
          has_more: false,
        };
      }
      default:
        return { ok: true };
    }
  };

  const server = http.createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (piece: string) => (raw += piece));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const call: FakeSlackCall = {
        method: url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : '',
        path: url.pathname,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body: parseBody(raw, request.headers['content-type']),
      };
      calls.push(call);
      const retryAfter = options.rateLimit?.(call);
      if (retryAfter !== undefined) {
        rateLimited.push(call);
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
        response.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        for (const listener of listeners) listener(call);
        return;
      }
      const answer = options.answer?.(call) ?? defaultAnswer(call);
      const respond = () => {
        held.delete(call);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      };
      const delay = options.delayMs?.(call) ?? 0;
      if (delay > 0) {
        held.add(call);
        setTimeout(respond, delay);
      } else respond();
      for (const listener of listeners) listener(call);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    port,
    calls,
    rateLimited,
    held,
    messages,
    addMessage(message) {
      messages.push(message);
      messages.sort((left, right) => Number(left.ts) - Number(right.ts));
    },
    callsTo: (method) => calls.filter((call) => call.method === method),
    waitForCall(predicate, timeoutMs = 5000) {
      const found = calls.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(
              `No matching Slack API call within ${timeoutMs} ms; calls: ${calls.map((call) => call.method).join(', ')}`,
            ),
          );
        }, timeoutMs);
        const listener = (call: FakeSlackCall) => {
          if (!predicate(call)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(call);
        };
        listeners.add(listener);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
