import type { App } from '@slack/bolt';
import type { Logger, Metrics } from '../../core/index.ts';

/** Envelope types Bolt's Socket Mode receiver hands to listeners; anything else only needs its acknowledgement. */
const handledTypes = new Set(['events_api', 'interactive', 'slash_commands']);

interface SocketModeClientLike {
  listeners(event: string): Array<(...args: unknown[]) => unknown>;
  removeAllListeners(event: string): void;
  on(event: string, listener: (...args: unknown[]) => unknown): void;
  send(envelopeId: string, body?: Record<string, unknown>): Promise<void>;
}

interface Envelope {
  type?: unknown;
  envelope_id?: unknown;
  payload?: { event?: { type?: unknown } };
}

/** Why Bolt cannot take the envelope, or undefined when it can. */
function malformation(envelope: Envelope): string | undefined {
  if (typeof envelope.type !== 'string') return 'no type';
  if (envelope.type === 'events_api' && typeof envelope.payload?.event?.type !== 'string')
    return 'events_api envelope without an event';
  if (handledTypes.has(envelope.type) && (typeof envelope.payload !== 'object' || envelope.payload === null))
    return `${envelope.type} envelope without a payload`;
  return undefined;
}

/**
 * Socket Mode's client throws inside its own message handler on an envelope it cannot read (an `events_api`
 * envelope whose payload has no `event`), and nothing catches it: the whole process would exit. This guard
 * reads each frame first: a malformed envelope, or one of a type nobody handles, is acknowledged (so Slack does
 * not redeliver it forever) and logged; whatever else the handler throws is logged and counted, never fatal.
 */
export function guardSocketMode(app: App, dependencies: { logger: Logger; metrics: Metrics }): void {
  const client = (app as unknown as { receiver?: { client?: SocketModeClientLike } }).receiver?.client;
  if (!client || typeof client.listeners !== 'function') {
    dependencies.logger.warn({}, 'Socket Mode guard not installed: the receiver has no Socket Mode client');
    return;
  }
  const original = client.listeners('ws_message');
  client.removeAllListeners('ws_message');
  client.on('ws_message', async (data: unknown, isBinary: unknown) => {
    let envelope: Envelope | undefined;
    try {
      envelope = isBinary ? undefined : (JSON.parse(String(data)) as Envelope);
    } catch {
      envelope = undefined;
    }
    const envelopeId = typeof envelope?.envelope_id === 'string' ? envelope.envelope_id : undefined;
    const acknowledge = async (reason: string) => {
      dependencies.metrics.increment('face_errors_total', { face: 'slack', kind: 'malformed_envelope' });
      dependencies.logger.warn(
        { envelopeId, type: envelope?.type, reason },
        'Acknowledged a Socket Mode envelope without handling it',
      );
      if (envelopeId)
        await client
          .send(envelopeId)
          .catch((error: unknown) =>
            dependencies.logger.warn({ err: error }, 'Could not acknowledge an envelope'),
          );
    };
    if (envelope && envelopeId) {
      const problem = malformation(envelope);
      if (problem) return acknowledge(problem);
      if (typeof envelope.type === 'string' && !handledTypes.has(envelope.type))
        return acknowledge(`no handler for ${envelope.type} envelopes`);
    }
    for (const listener of original) {
      try {
        await listener(data, isBinary);
      } catch (error) {
        dependencies.metrics.increment('face_errors_total', { face: 'slack', kind: 'socket_message' });
        dependencies.logger.error(
          { err: error, envelopeId },
          'A Socket Mode message failed; the connection keeps serving',
        );
      }
    }
    return undefined;
  });
}
