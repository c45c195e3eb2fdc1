import type { webApi } from '@slack/bolt';
import type { AskResult, Logger } from '../../core/index.ts';
import {
  renderAnswerTail,
  renderSlackAnswer,
  renderStreamingText,
  type AnswerControls,
  type SlackMessageContent,
} from '../render/slack-answer-blocks.ts';
import { createStreamingReply } from './streaming-reply.ts';

type WebClient = webApi.WebClient;

/**
 * Where a public answer goes while ask() writes it, and how it ends: the sources, footer and buttons always
 * arrive with the final text, so an answer never shows without them.
 */
export interface AnswerOutlet {
  /** The whole answer so far; cheap to call on every delta. */
  push(textSoFar: string): void;
  /** Delivers the final answer; resolves with the ts of its (first) message. */
  finish(result: AskResult): Promise<string | undefined>;
  /** Ends without an answer (ask() failed): a stream left open is stopped. */
  close(): Promise<void>;
}

export interface OutletTarget {
  client: WebClient;
  channel: string;
  threadTs?: string;
  /** The asker, and their workspace: Slack's streaming needs them outside direct messages. */
  userId: string;
  teamId?: string;
  logger: Logger;
  /** The answer's controls: "Ask a person" where the channel hands questions to people. */
  controls?: AnswerControls;
}

async function postParts(target: OutletTarget, parts: SlackMessageContent[]): Promise<string | undefined> {
  const inThread = target.threadTs ? { thread_ts: target.threadTs } : {};
  let firstTs: string | undefined;
  for (const part of parts) {
    const posted = await target.client.chat.postMessage({
      channel: target.channel,
      text: part.text,
      blocks: part.blocks,
      ...inThread,
    });
    firstTs ??= posted.ts;
  }
  return firstTs;
}

/** No streaming: the answer is posted once, complete. */
export function createPostOnceOutlet(target: OutletTarget): AnswerOutlet {
  return {
    push: () => undefined,
    finish: (result) => postParts(target, renderSlackAnswer(result, target.controls)),
    close: async () => undefined,
  };
}

/** Posted on the first piece, edited with chat.update as it grows, then edited into the final blocks. */
export function createUpdateOutlet(target: OutletTarget, intervalMs: number): AnswerOutlet {
  const inThread = target.threadTs ? { thread_ts: target.threadTs } : {};
  const reply = createStreamingReply({
    target: {
      post: async (text) =>
        (await target.client.chat.postMessage({ channel: target.channel, text, ...inThread })).ts ?? '',
      update: async (ts, text) => {
        await target.client.chat.update({ channel: target.channel, ts, text });
      },
    },
    intervalMs,
    render: renderStreamingText,
    logger: target.logger,
  });
  return {
    push: (textSoFar) => reply.push(textSoFar),
    async finish(result) {
      const [first, ...more] = renderSlackAnswer(result, target.controls);
      const streamedTs = await reply.finish();
      let firstTs = streamedTs || undefined;
      if (first && streamedTs)
        await target.client.chat.update({
          channel: target.channel,
          ts: streamedTs,
          text: first.text,
          blocks: first.blocks,
        });
      else if (first) firstTs = await postParts(target, [first]);
      await postParts(target, more);
      return firstTs;
    },
    close: async () => {
      await reply.finish();
    },
  };
}

function slackErrorCode(error: unknown): string {
  const failure = error as { data?: { error?: string }; code?: string; message?: string };
  return failure.data?.error ?? failure.code ?? failure.message ?? String(error);
}

/**
 * Slack's own streaming (chat.startStream, chat.appendStream, chat.stopStream through the Web API client's
 * chatStream helper), with the sources, footer and buttons given to chat.stopStream. Where Slack refuses to
 * start a stream (an unknown method, a surface without streaming), the answer goes the chat.update way
 * instead; when a started stream breaks (`message_not_in_streaming_state`), the message is edited into
 * the final answer.
 */
export function createNativeOutlet(target: OutletTarget, intervalMs: number): AnswerOutlet {
  const streamer = target.client.chatStream({
    channel: target.channel,
    thread_ts: target.threadTs!,
    recipient_user_id: target.userId,
    ...(target.teamId ? { recipient_team_id: target.teamId } : {}),
  });
  let chain: Promise<void> = Promise.resolve();
  let sent = '';
  let latest = '';
  let fallback: AnswerOutlet | undefined;
  let broken = false;
  let stopped = false;
  let appendPending = false;
  let finishing = false;
  let lastAppendAt = 0;

  const onFailure = (what: string) => (error: unknown) => {
    if (streamer.ts === undefined) {
      target.logger.warn(
        { reason: slackErrorCode(error), channel: target.channel },
        'Slack refused to start a stream; answering with chat.update instead',
      );
      fallback ??= createUpdateOutlet(target, intervalMs);
      fallback.push(latest);
    } else {
      broken = true;
      target.logger.warn(
        { reason: slackErrorCode(error), channel: target.channel },
        `Slack stream ${what} failed; the message will be edited into the answer`,
      );
    }
  };
  const finalEdit = async (result: AskResult) => {
    const [first, ...more] = renderSlackAnswer(result, target.controls);
    if (first)
      await target.client.chat.update({
        channel: target.channel,
        ts: streamer.ts!,
        text: first.text,
        blocks: first.blocks,
      });
    await postParts(target, more);
    return streamer.ts;
  };

  return {
    push(textSoFar) {
      latest = textSoFar;
      if (fallback) return fallback.push(textSoFar);
      if (broken || appendPending || !textSoFar.startsWith(sent) || textSoFar.length === sent.length) return;
      // One append at a time and at most one per interval, carrying every delta that arrived meanwhile: a
      // chat model's many small deltas become a few calls, within Slack's limits on the streaming methods.
      appendPending = true;
      chain = chain.then(async () => {
        const wait = lastAppendAt + intervalMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        appendPending = false;
        // The rest goes with the stop once the answer is complete.
        if (fallback || broken || finishing || !latest.startsWith(sent) || latest.length === sent.length)
          return;
        const delta = latest.slice(sent.length);
        sent = latest;
        lastAppendAt = Date.now();
        await streamer.append({ markdown_text: delta }).then(() => undefined, onFailure('append'));
      });
    },
    async finish(result) {
      finishing = true;
      await chain;
      if (fallback) return fallback.finish(result);
      if (broken) {
        stopped = true;
        await streamer.stop().catch(() => undefined);
        return finalEdit(result);
      }
      // What is left of the answer goes with the stop; text that differs from what streamed (citations
      // dropped, a refusal) is put right with an edit after it.
      const continues = result.answer.startsWith(sent);
      const rest = continues ? result.answer.slice(sent.length) : '';
      try {
        stopped = true;
        await streamer.stop({
          ...(rest ? { markdown_text: rest } : {}),
          blocks: renderAnswerTail(result, target.controls) as never,
        });
      } catch (error) {
        if (streamer.ts === undefined) {
          onFailure('start')(error);
          return fallback!.finish(result);
        }
        onFailure('stop')(error);
        return finalEdit(result);
      }
      if (!continues) return finalEdit(result);
      return streamer.ts;
    },
    async close() {
      finishing = true;
      await chain;
      if (fallback) return fallback.close();
      if (!stopped && streamer.ts !== undefined) {
        stopped = true;
        await streamer.stop().catch(() => undefined);
      }
    },
  };
}
