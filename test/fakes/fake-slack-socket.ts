import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A fake of Slack's Socket Mode server on 127.0.0.1. The fake Web API answers apps.connections.open with
 * `url`; the client connects, gets `hello` (without it Bolt's start() never resolves), then receives
 * envelopes and acknowledges each with `{envelope_id, payload?}`.
 */

export interface SocketEnvelopeAck {
  envelope_id: string;
  payload?: unknown;
}

export interface FakeSlackSocket {
  /** ws:// URL for apps.connections.open. */
  url: string;
  /** Resolves once a client is connected and greeted. */
  connected: Promise<void>;
  acks: SocketEnvelopeAck[];
  /** Sends an envelope and returns its id. */
  send(
    type: 'events_api' | 'interactive' | 'slash_commands',
    payload: unknown,
    options?: { retryAttempt?: number; retryReason?: string },
  ): string;
  /** Sends any frame as it is, malformed ones included. */
  sendRaw(frame: Record<string, unknown>): void;
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketEnvelopeAck>;
  close(): Promise<void>;
}

export async function startFakeSlackSocket(): Promise<FakeSlackSocket> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const acks: SocketEnvelopeAck[] = [];
  const ackListeners = new Set<(ack: SocketEnvelopeAck) => void>();
  let socket: WebSocket | undefined;
  let envelopeCounter = 0;

  const connected = new Promise<void>((resolve) => {
    server.on('connection', (client) => {
      socket = client;
      client.on('message', (data) => {
        const ack = JSON.parse(data.toString()) as SocketEnvelopeAck;
        acks.push(ack);
        for (const listener of ackListeners) listener(ack);
      });
      client.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'fake-socket', approximate_connection_time: 18060 },
          connection_info: { app_id: 'A1' },
        }),
      );
      resolve();
    });
  });

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=fake`,
    connected,
    acks,
    send(type, payload, options = {}) {
      if (!socket) throw new Error('No Socket Mode client is connected.');
      envelopeCounter += 1;
      const envelopeId = `envelope-${envelopeCounter}`;
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          accepts_response_payload: type !== 'events_api',
          ...(type === 'events_api'
            ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' }
            : {}),
          payload,
        }),
      );
      return envelopeId;
    },
    sendRaw(frame) {
      if (!socket) throw new Error('No Socket Mode client is connected.');
      socket.send(JSON.stringify(frame));
    },
    waitForAck(envelopeId, timeoutMs = 5000) {
      const found = acks.find((ack) => ack.envelope_id === envelopeId);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          ackListeners.delete(listener);
          reject(new Error(`No ack for ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (ack: SocketEnvelopeAck) => {
          if (ack.envelope_id !== envelopeId) return;
          clearTimeout(timer);
          ackListeners.delete(listener);
          resolve(ack);
        };
        ackListeners.add(listener);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
