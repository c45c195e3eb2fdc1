import { startSlackBot } from '../src/bot/slack/index.ts';
import { type FakeSlackCall, startFakeSlackApi } from '../test/fakes/fake-slack-api.ts';
import { appMentionEvent, eventEnvelope, postToSlackApp } from '../test/fakes/fake-slack-payloads.ts';
import { openAskBenchCore } from './ask-overhead.ts';
import { type LatencySummary, summarise } from './latency-summary.ts';
import type { SyntheticQuery } from './synthetic-corpus.ts';

const signingSecret = 'bench-signing-secret';

export interface SlackEndToEndResult {
  concurrency: number;
  events: number;
  /** From posting the signed app_mention event to the fake Web API receiving the finished answer. */
  eventToAnswer: LatencySummary;
  /** Web API calls the bot made per question (reactions, the streamed message and its updates). */
  webApiCallsPerQuestion: number;
  eventsPerSecond: number;
}

function isFinalAnswerFor(channel: string) {
  return (call: FakeSlackCall) =>
    // Native streaming finishes with chat.stopStream; the post-then-update path with chat.update.
    (call.method === 'chat.stopStream' ||
      call.method === 'chat.update' ||
      call.method === 'chat.postMessage') &&
    call.body.channel === channel &&
    Array.isArray(call.body.blocks) &&
    (call.body.blocks as Array<{ block_id?: string }>).some((block) => block.block_id === 'answer_feedback');
}

/**
 * The real Slack app (Bolt over HTTP, as `slack.mode: http` runs it) against the fake Slack Web API of the
 * end-to-end tests and the fake OpenAI server: signed app_mention events in, streamed answers out, with
 * `concurrency` questions in flight. Each question gets its own channel so its answer is easy to recognise.
 */
export async function measureSlackEndToEnd(options: {
  projectRoot: string;
  baseUrl: string;
  chunks: number;
  queries: SyntheticQuery[];
  concurrency: number;
  events: number;
  warmup: number;
}): Promise<SlackEndToEndResult> {
  const fake = await startFakeSlackApi();
  const bench = await openAskBenchCore({
    projectRoot: options.projectRoot,
    baseUrl: options.baseUrl,
    chunks: options.chunks,
    queries: options.queries,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: signingSecret,
      ANSWERLOOP_SLACK__MODE: 'http',
      ANSWERLOOP_SLACK__API_URL: fake.url,
      ANSWERLOOP_SLACK__RATE_LIMIT_PER_MINUTE: '0',
    },
  });
  const bot = await startSlackBot(bench.core, { port: 0 });
  let timestamp = 1_800_000_000;
  const askOnce = async (index: number): Promise<number> => {
    const channel = `CBENCH${index}`;
    timestamp += 1;
    const event = appMentionEvent({
      user: `UBENCH${index % 50}`,
      channel,
      ts: `${timestamp}.000100`,
      text: options.queries[index % options.queries.length]!.text,
    });
    const started = performance.now();
    const answered = fake.waitForCall(isFinalAnswerFor(channel), 60_000);
    const response = await postToSlackApp(bot.port!, eventEnvelope(event), { signingSecret });
    if (response.status !== 200)
      throw new Error(`The Slack app answered ${response.status} to an event: ${response.text}`);
    await answered;
    return performance.now() - started;
  };
  try {
    for (let index = 0; index < options.warmup; index += 1) await askOnce(1_000_000 + index);
    const callsBefore = fake.calls.length;
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.events) latencies.push(await askOnce(next++));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await bot.idle();
    return {
      concurrency: options.concurrency,
      events: options.events,
      eventToAnswer: summarise(latencies),
      webApiCallsPerQuestion: (fake.calls.length - callsBefore) / options.events,
      eventsPerSecond: options.events / seconds,
    };
  } finally {
    await bot.stop();
    await bench.dispose();
    await fake.close();
  }
}
