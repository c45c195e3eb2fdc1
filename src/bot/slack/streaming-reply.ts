import type { Logger } from '../../core/index.ts';

export interface StreamingReplyTarget {
  /** Posts the first version of the message; returns its ts. */
  post(text: string): Promise<string>;
  update(ts: string, text: string): Promise<void>;
}

export interface StreamingReply {
  /** The whole answer so far; cheap to call on every delta. */
  push(textSoFar: string): void;
  /** Stops updating and waits for calls in flight; returns the ts of the message, if one was posted. */
  finish(): Promise<string | undefined>;
}

/**
 * Streams a growing answer into one Slack message: posted on the first piece, then edited with
 * chat.update at most once per `intervalMs` (Slack allows about one update per second per message), each
 * edit carrying the latest text. Calls never overlap. A failed post or edit is logged and streaming stops;
 * the final answer is still delivered by the caller, into the message if there is one.
 */
export function createStreamingReply(options: {
  target: StreamingReplyTarget;
  intervalMs: number;
  render: (textSoFar: string) => string;
  logger: Logger;
  now?: () => number;
}): StreamingReply {
  const now = options.now ?? Date.now;
  let messageTs: Promise<string | undefined> | undefined;
  let chain: Promise<void> = Promise.resolve();
  let latest = '';
  let sent = '';
  let lastSentAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const fail = (what: string) => (error: unknown) => {
    stopped = true;
    options.logger.warn({ err: error }, `Streaming ${what} failed; the final answer will still be sent`);
    return undefined;
  };

  const flush = () => {
    timer = undefined;
    if (stopped || latest === sent || !messageTs) return;
    const text = latest;
    sent = text;
    lastSentAt = now();
    const pendingTs = messageTs;
    chain = chain.then(async () => {
      const ts = await pendingTs;
      if (ts && !stopped) await options.target.update(ts, options.render(text)).catch(fail('update'));
    });
  };

  return {
    push(textSoFar) {
      latest = textSoFar;
      if (stopped || !textSoFar.trim()) return;
      if (!messageTs) {
        sent = textSoFar;
        lastSentAt = now();
        messageTs = options.target.post(options.render(textSoFar)).catch(fail('post'));
        chain = messageTs.then(() => undefined);
        return;
      }
      timer ??= setTimeout(flush, Math.max(0, lastSentAt + options.intervalMs - now()));
    },
    async finish() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
      return messageTs ? await messageTs : undefined;
    },
  };
}
