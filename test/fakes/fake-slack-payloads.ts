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

export function eventEnvelope(
  event: Record<string, unknown>,
  options: { eventId?: string; extShared?: boolean; teamId?: string } = {},
): Record<string, unknown> {
  const team = options.teamId ?? teamId;
  return {
    token: 'legacy-verification-token',
    team_id: team,
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: options.eventId ?? nextEventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: team, user_id: botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: options.extShared ?? false,
    event_context: '4-fake',
    event,
  };
}

export function appMentionEvent(options: {
  user: string;
  channel: string;
  ts: string;
  text: string;
  threadTs?: string;
  botId?: string;
  userTeam?: string;
}): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: options.user,
    ...(options.userTeam ? { user_team: options.userTeam, source_team: options.userTeam } : {}),
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
  userTeam?: string;
}): Record<string, unknown> {
  return {
    type: 'message',
    user: options.user,
    ...(options.userTeam ? { user_team: options.userTeam, source_team: options.userTeam } : {}),
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

export function reactionAddedEvent(options: {
  user: string;
  reaction: string;
  channel: string;
  ts: string;
  itemUser: string;
}): Record<string, unknown> {
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
  /** The clicked element as Slack describes it, instead of a plain button. */
  action?: Record<string, unknown>;
  /** A click on an ephemeral message: Slack sends no message, only the container and a response_url. */
  ephemeral?: boolean;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: {
      id: options.user,
      username: options.user.toLowerCase(),
      name: options.user.toLowerCase(),
      team_id: teamId,
    },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: options.message.ts,
      channel_id: options.channel,
      is_ephemeral: options.ephemeral ?? false,
      ...(options.message.thread_ts ? { thread_ts: options.message.thread_ts } : {}),
    },
    trigger_id: options.triggerId ?? '1111.2222.trigger',
    team: { id: teamId, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channel, name: 'support' },
    ...(options.ephemeral
      ? {}
      : {
          message: {
            type: 'message',
            user: botUserId,
            bot_id: 'BBOT',
            text: options.message.text ?? '',
            ...options.message,
          },
        }),
    state: { values: {} },
    ...(options.responseUrl ? { response_url: options.responseUrl } : {}),
    actions: [
      options.action ?? {
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
    user: {
      id: options.user,
      username: options.user.toLowerCase(),
      name: options.user.toLowerCase(),
      team_id: teamId,
    },
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

/** A click on Slack's feedback_buttons element: the clicked button's value, as the payload carries it. */
export function feedbackButtonsAction(options: { actionId: string; value: string }): Record<string, unknown> {
  return {
    type: 'feedback_buttons',
    action_id: options.actionId,
    block_id: 'answer_rating',
    value: options.value,
    action_ts: `${Math.floor(Date.now() / 1000)}.000400`,
  };
}

/** A slash command as Slack posts it: form fields, not JSON. */
export function slashCommandFields(options: {
  command: string;
  text: string;
  user: string;
  channel: string;
  responseUrl: string;
}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    team_domain: 'fake',
    channel_id: options.channel,
    channel_name: options.channel.startsWith('D') ? 'directmessage' : 'support',
    user_id: options.user,
    user_name: options.user.toLowerCase(),
    command: options.command,
    text: options.text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: options.responseUrl,
    trigger_id: '5555.6666.trigger',
  };
}

/** A message shortcut ("message_action") on someone's message. */
export function messageShortcutPayload(options: {
  callbackId: string;
  user: string;
  channel: string;
  message: { ts: string; text: string; user: string; thread_ts?: string };
  responseUrl: string;
}): Record<string, unknown> {
  return {
    type: 'message_action',
    token: 'legacy-verification-token',
    action_ts: `${Math.floor(Date.now() / 1000)}.000500`,
    team: { id: teamId, domain: 'fake' },
    user: {
      id: options.user,
      username: options.user.toLowerCase(),
      name: options.user.toLowerCase(),
      team_id: teamId,
    },
    channel: { id: options.channel, name: 'support' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: options.callbackId,
    trigger_id: '7777.8888.trigger',
    response_url: options.responseUrl,
    message_ts: options.message.ts,
    message: { type: 'message', ...options.message },
  };
}

/** The assistant panel's events: a thread opened, and the channel the person views changed. */
export function assistantThreadEvent(options: {
  type: 'assistant_thread_started' | 'assistant_thread_context_changed';
  user: string;
  channel: string;
  threadTs: string;
  contextChannel?: string;
}): Record<string, unknown> {
  return {
    type: options.type,
    assistant_thread: {
      user_id: options.user,
      context: options.contextChannel
        ? { channel_id: options.contextChannel, team_id: teamId, enterprise_id: null }
        : {},
      channel_id: options.channel,
      thread_ts: options.threadTs,
    },
    event_ts: `${Math.floor(Date.now() / 1000)}.000600`,
  };
}

export function appHomeOpenedEvent(options: {
  user: string;
  channel: string;
  tab: 'home' | 'messages';
}): Record<string, unknown> {
  return {
    type: 'app_home_opened',
    user: options.user,
    channel: options.channel,
    tab: options.tab,
    event_ts: `${Math.floor(Date.now() / 1000)}.000700`,
  };
}

/** The headers Slack signs an HTTP request with: v0 HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignatureHeaders(
  body: string,
  signingSecret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

/** POSTs an event (JSON), an interactivity payload (form-encoded `payload=`) or a slash command (form fields) to Bolt's HTTP receiver. */
export async function postToSlackApp(
  port: number,
  payload: Record<string, unknown>,
  options: { signingSecret: string; interactive?: boolean; form?: boolean; headers?: Record<string, string> },
): Promise<{ status: number; text: string }> {
  const body = options.form
    ? new URLSearchParams(payload as Record<string, string>).toString()
    : options.interactive
      ? `payload=${encodeURIComponent(JSON.stringify(payload))}`
      : JSON.stringify(payload);
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type':
        options.interactive || options.form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...slackSignatureHeaders(body, options.signingSecret),
      ...options.headers,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}
