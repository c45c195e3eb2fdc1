import { createHmac } from 'node:crypto';

/**
 * Slack's wire format for what it sends an app: Events API envelopes and interactivity payloads, as
 * documented and as Bolt parses them, plus the request signing of HTTP mode.
 */

export const botUserId = 'UBOT';
export const teamId = 'T1';
let eventCounter = 0;

export function nextEventId(): string {
  eventCounter += 1;
  return `Ev${String(eventCounter).padStart(8, '0')}`;
}

export function eventEnvelope(event: Record<string, unknown>, options: { eventId?: string } = {}): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: options.eventId ?? nextEventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: '4-fake',
    event,
  };
}

export function appMentionEvent(options: { user: string; channel: string; ts: string; text: string; threadTs?: string; botId?: string }): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: options.user,
    text: `<@${botUserId}> ${options.text}`,
    ts: options.ts,
    channel: options.channel,
    event_ts: options.ts,
    team: teamId,
    ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    ...(options.botId ? { bot_id: options.botId } : {}),
  };
}

export function messageEvent(options: {
  user: string;
  channel: string;
  ts: string;
  text: string;
  channelType: 'im' | 'channel' | 'group';
  threadTs?: string;
  botId?: string;
  subtype?: string;
}): Record<string, unknown> {
  return {
    type: 'message',
    user: options.user,
    text: options.text,
    ts: options.ts,
    channel: options.channel,
    channel_type: options.channelType,
    event_ts: options.ts,
    team: teamId,
    ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    ...(options.botId ? { bot_id: options.botId } : {}),
    ...(options.subtype ? { subtype: options.subtype } : {}),
  };
}

export function reactionAddedEvent(options: { user: string; reaction: string; channel: string; ts: string; itemUser: string }): Record<string, unknown> {
  return {
    type: 'reaction_added',
    user: options.user,
    reaction: options.reaction,
    item_user: options.itemUser,
    item: { type: 'message', channel: options.channel, ts: options.ts },
    event_ts: `${Math.floor(Date.now() / 1000)}.000200`,
  };
}

export function blockActionsPayload(options: {
  user: string;
  channel: string;
  message: { ts: string; text?: string; thread_ts?: string; blocks?: unknown[] };
  actionId: string;
  value: string;
  triggerId?: string;
  responseUrl?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: options.user, username: options.user.toLowerCase(), name: options.user.toLowerCase(), team_id: teamId },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: options.message.ts, channel_id: options.channel, is_ephemeral: false },
    trigger_id: options.triggerId ?? '1111.2222.trigger',
    team: { id: teamId, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channel, name: 'support' },
    message: { type: 'message', user: botUserId, bot_id: 'BBOT', text: options.message.text ?? '', ...options.message },
    state: { values: {} },
    ...(options.responseUrl ? { response_url: options.responseUrl } : {}),
    actions: [
      {
        action_id: options.actionId,
        block_id: 'answer_feedback',
        type: 'button',
        value: options.value,
        text: { type: 'plain_text', text: 'button', emoji: true },
        action_ts: `${Math.floor(Date.now() / 1000)}.000300`,
      },
    ],
  };
}

export function viewSubmissionPayload(options: {
  user: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, { type: string; value: string | null }>>;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: teamId, domain: 'fake' },
    user: { id: options.user, username: options.user.toLowerCase(), name: options.user.toLowerCase(), team_id: teamId },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    trigger_id: '3333.4444.trigger',
    view: {
      id: 'V1',
      team_id: teamId,
      type: 'modal',
      blocks: [],
      private_metadata: options.privateMetadata,
      callback_id: options.callbackId,
      state: { values: options.values },
      hash: '1700000000.fake',
      title: { type: 'plain_text', text: 'Suggest a correction' },
      close: null,
      submit: null,
      root_view_id: 'V1',
      app_id: 'A1',
      bot_id: 'BBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** The headers Slack signs an HTTP request with: v0 HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignatureHeaders(body: string, signingSecret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

/** POSTs an event (JSON) or an interactivity payload (form-encoded `payload=`) to Bolt's HTTP receiver. */
export async function postToSlackApp(
  port: number,
  payload: Record<string, unknown>,
  options: { signingSecret: string; interactive?: boolean; headers?: Record<string, string> },
): Promise<{ status: number; text: string }> {
  const body = options.interactive ? `payload=${encodeURIComponent(JSON.stringify(payload))}` : JSON.stringify(payload);
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': options.interactive ? 'application/x-www-form-urlencoded' : 'application/json',
      ...slackSignatureHeaders(body, options.signingSecret),
      ...options.headers,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}
