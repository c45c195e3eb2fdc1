import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackConfigured, startSlackBot } from '../../src/bot/slack/index.ts';
import { AnswerloopError, type ChatModel, createCore, loadConfig } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { startFakeSlackApi } from '../fakes/fake-slack-api.ts';
import {
  appMentionEvent,
  blockActionsPayload,
  eventEnvelope,
  feedbackButtonsAction,
  messageEvent,
  nextEventId,
  reactionAddedEvent,
  viewSubmissionPayload,
} from '../fakes/fake-slack-payloads.ts';
import {
  type Block,
  blocksOf,
  conversationIdOf,
  createRecordingLogger,
  type Harness,
  nextTs,
  signingSecret,
  startHarness,
  stopHarness,
} from '../support/slack-test-harness.ts';

describe('Slack bot over HTTP against a fake Slack', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      env: {
        ANSWERLOOP_SLACK__FOLLOW_THREADS: 'true',
        ANSWERLOOP_SLACK__RATE_LIMIT_PER_MINUTE: '3',
        ANSWERLOOP_SLACK__CHANNEL_FILTERS: '{CBILLING: {tags: [billing]}}',
      },
    });
  });
  afterAll(async () => {
    await stopHarness(harness);
  });

  // Shared by the tests below: the first answered question and its thread.
  const questionTs = nextTs();
  let first: { ts: string; blocks: Block[]; conversationId: string };

  it('verifies auth.test at start with the bot token', () => {
    const auth = harness.fake.callsTo('auth.test');
    expect(auth).toHaveLength(1);
    expect(auth[0]!.authorization).toBe('Bearer xoxb-test');
  });

  it("answers a mention in a thread with Slack's native streaming, the sources, footer and feedback arriving with the stop", async () => {
    const { status } = await harness.send(
      appMentionEvent({
        user: 'UALICE',
        channel: 'CSUPPORT',
        ts: questionTs,
        text: 'How do I reset my password?',
      }),
    );
    expect(status).toBe(200);

    const reaction = harness.fake.callsTo('reactions.add')[0]!;
    expect(reaction.body).toMatchObject({
      channel: 'CSUPPORT',
      timestamp: questionTs,
      name: 'hourglass_flowing_sand',
    });
    expect(harness.fake.callsTo('reactions.remove')[0]!.body).toMatchObject({
      channel: 'CSUPPORT',
      timestamp: questionTs,
    });

    // startStream, any appends, then one stop: in that order, on one message, and nothing posted besides.
    const streamCalls = harness.fake.calls.filter(
      (call) => call.method.startsWith('chat.') && call.method !== 'chat.postEphemeral',
    );
    const methods = streamCalls.map((call) => call.method);
    expect(methods[0]).toBe('chat.startStream');
    expect(methods.at(-1)).toBe('chat.stopStream');
    expect(methods.slice(1, -1).every((method) => method === 'chat.appendStream')).toBe(true);
    const start = streamCalls[0]!;
    expect(start.body).toMatchObject({
      channel: 'CSUPPORT',
      thread_ts: questionTs,
      recipient_user_id: 'UALICE',
      recipient_team_id: 'T1',
    });
    const stop = streamCalls.at(-1)!;
    const streamed = harness.fake.messages.find((message) => message.thread_ts === questionTs)!;
    expect(stop.body.ts).toBe(streamed.ts);
    expect(streamed.text.toLowerCase()).toContain('reset');
    expect(streamCalls.slice(0, -1).every((call) => call.body.blocks === undefined)).toBe(true);

    const blocks = blocksOf(stop);
    expect(blocks.map((block) => block.block_id)).toEqual([
      'answer_sources',
      'answer_footer',
      'answer_rating',
      'answer_feedback',
    ]);
    expect(JSON.stringify(blocks.find((block) => block.block_id === 'answer_sources'))).toContain(
      'Accounts and sign-in',
    );
    expect(
      JSON.stringify(blocks.find((block) => block.block_id === 'answer_footer')).toLowerCase(),
    ).toContain('extractive answer');
    const rating = blocks.find((block) => block.block_id === 'answer_rating')!;
    expect(rating.type).toBe('context_actions');
    expect(rating.elements![0]).toMatchObject({ type: 'feedback_buttons', action_id: 'answer_rating' });
    expect(
      blocks
        .find((block) => block.block_id === 'answer_feedback')!
        .elements!.map((button) => button.action_id),
    ).toEqual(['answer_suggest_correction']);

    first = harness.answerIn('CSUPPORT', questionTs)!;
    const record = await harness.core.getConversation(first.conversationId);
    expect(record).toMatchObject({
      platform: 'slack',
      channel: 'CSUPPORT',
      thread: questionTs,
      question: 'How do I reset my password?',
    });
    expect(record!.user).not.toContain('UALICE');
  });

  it('rejects a bad signature with 401 and makes no call', async () => {
    const before = harness.fake.calls.length;
    const response = await harness.post(
      eventEnvelope(appMentionEvent({ user: 'UMALLORY', channel: 'CSUPPORT', ts: nextTs(), text: 'hello?' })),
      {
        secret: 'not-the-secret',
      },
    );
    await harness.bot.idle();
    expect(response.status).toBe(401);
    expect(harness.fake.calls.length).toBe(before);
  });

  it('never answers a retried or duplicated event twice', async () => {
    const ts = nextTs();
    const eventId = nextEventId();
    const event = appMentionEvent({
      user: 'UBOB',
      channel: 'CSUPPORT',
      ts,
      text: 'How do I turn on two-factor authentication?',
    });
    await harness.send(event, { eventId });
    expect(harness.answerIn('CSUPPORT', ts)).toBeDefined();
    const answers = () =>
      harness.fake.callsTo('chat.startStream').filter((call) => call.body.thread_ts === ts).length;
    expect(answers()).toBe(1);

    // Slack's retry after a slow acknowledgement, and the same event delivered again without retry headers.
    await harness.send(event, {
      eventId,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    await harness.send(event, { eventId });
    expect(answers()).toBe(1);

    // A retry of an event never seen (the first delivery failed to connect) is answered, once.
    const lostTs = nextTs();
    const lost = appMentionEvent({
      user: 'UBOB',
      channel: 'CSUPPORT',
      ts: lostTs,
      text: 'How are plans billed?',
    });
    const lostId = nextEventId();
    await harness.send(lost, {
      eventId: lostId,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'connection_failed' },
    });
    await harness.send(lost, {
      eventId: lostId,
      headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'connection_failed' },
    });
    expect(
      harness.fake.callsTo('chat.startStream').filter((call) => call.body.thread_ts === lostTs),
    ).toHaveLength(1);

    // A retry after a slow acknowledgement looks at the claim too: no replica ever claimed this one (the one that
    // acknowledged it died first), so it is answered, once.
    const slowTs = nextTs();
    const slowId = nextEventId();
    const slow = appMentionEvent({
      user: 'UCAROL',
      channel: 'CSUPPORT',
      ts: slowTs,
      text: 'How are plans billed?',
    });
    await harness.send(slow, {
      eventId: slowId,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    await harness.send(slow, {
      eventId: slowId,
      headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(
      harness.fake.callsTo('chat.startStream').filter((call) => call.body.thread_ts === slowTs),
    ).toHaveLength(1);

    // The same event twice at once to this process (a retry routed back here while the first is being answered):
    // the second finds the claim held in the store, although this process holds it.
    const twinTs = nextTs();
    const twinId = nextEventId();
    const twin = eventEnvelope(
      appMentionEvent({
        user: 'UCAROL',
        channel: 'CSUPPORT',
        ts: twinTs,
        text: 'How do I reset my password?',
      }),
      { eventId: twinId },
    );
    const responses = await Promise.all([
      harness.post(twin),
      harness.post(twin, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
    ]);
    await harness.bot.idle();
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(
      harness.fake.callsTo('reactions.add').filter((call) => call.body.timestamp === twinTs),
    ).toHaveLength(1);
    expect(
      harness.fake.callsTo('chat.startStream').filter((call) => call.body.thread_ts === twinTs),
    ).toHaveLength(1);
  });

  it('answers a direct message in the DM, outside a thread', async () => {
    const ts = nextTs();
    await harness.send(
      messageEvent({ user: 'UDAVE', channel: 'DDAVE', channelType: 'im', ts, text: 'How are plans billed?' }),
    );
    const dm = harness.answerIn('DDAVE', undefined)!;
    expect(dm).toBeDefined();
    expect(JSON.stringify(dm.blocks)).toContain('Billing');
    expect(
      harness.fake.callsTo('chat.postMessage').find((call) => call.body.channel === 'DDAVE')!.body.thread_ts,
    ).toBeUndefined();
  });

  it('carries the thread history into a follow-up mention', async () => {
    const ts = nextTs();
    await harness.send(
      appMentionEvent({
        user: 'UALICE',
        channel: 'CSUPPORT',
        ts,
        threadTs: questionTs,
        text: 'How long is it valid?',
      }),
    );
    const answers = harness.fake.messages.filter(
      (message) =>
        message.thread_ts === questionTs &&
        message.blocks?.some((block) => (block as Block).block_id === 'answer_feedback'),
    );
    expect(answers).toHaveLength(2);
    const followUp = await harness.core.getConversation(conversationIdOf(answers[1]!.blocks as Block[]));
    expect(followUp!.thread).toBe(questionTs);
    expect(followUp!.question).toBe('How long is it valid?');
    // The follow-up was rewritten with the first turn of the thread.
    expect(followUp!.standaloneQuestion).toContain('reset my password');
  });

  it('reads the earlier messages of a thread people started before it was mentioned there', async () => {
    const parentTs = nextTs();
    harness.fake.addMessage({
      channel: 'CSUPPORT',
      ts: parentTs,
      user: 'UOLIVIA',
      text: 'How do I turn on two-factor authentication for my account?',
    });
    const ts = nextTs();
    await harness.send(
      appMentionEvent({
        user: 'UPETER',
        channel: 'CSUPPORT',
        ts,
        threadTs: parentTs,
        text: 'can you help with this?',
      }),
    );
    expect(harness.fake.callsTo('conversations.replies').at(-1)!.body).toMatchObject({
      channel: 'CSUPPORT',
      ts: parentTs,
    });
    const answer = harness.answerIn('CSUPPORT', parentTs)!;
    const record = await harness.core.getConversation(answer.conversationId);
    expect(record!.standaloneQuestion).toContain('two-factor authentication');
  });

  it('follows a thread it answered without a mention, and ignores threads it did not', async () => {
    const ts = nextTs();
    await harness.send(
      messageEvent({
        user: 'UALICE',
        channel: 'CSUPPORT',
        channelType: 'channel',
        ts,
        threadTs: questionTs,
        text: 'And how do I turn on two-factor?',
      }),
    );
    const answers = harness.fake.messages.filter(
      (message) =>
        message.thread_ts === questionTs &&
        message.blocks?.some((block) => (block as Block).block_id === 'answer_feedback'),
    );
    expect(answers).toHaveLength(3);

    const otherThread = nextTs();
    const before = harness.fake.calls.length;
    await harness.send(
      messageEvent({
        user: 'UEVE',
        channel: 'CSUPPORT',
        channelType: 'channel',
        ts: nextTs(),
        threadTs: otherThread,
        text: 'How are plans billed?',
      }),
    );
    // A plain message that also mentions the bot is left to app_mention, which Slack sends too.
    await harness.send(
      messageEvent({
        user: 'UEVE',
        channel: 'CSUPPORT',
        channelType: 'channel',
        ts: nextTs(),
        threadTs: questionTs,
        text: '<@UBOT> hi',
      }),
    );
    expect(harness.fake.calls.length).toBe(before);
  });

  it('answers a bare mention with a short hint instead of a search', async () => {
    const ts = nextTs();
    const before = await harness.core.listConversations({ platform: 'slack' });
    await harness.send({ ...appMentionEvent({ user: 'UQUINN', channel: 'CSUPPORT', ts, text: '' }) });
    const reply = harness.fake.callsTo('chat.postMessage').at(-1)!;
    expect(reply.body).toMatchObject({
      thread_ts: ts,
      text: expect.stringMatching(/^Hi! Ask me a question/),
    });
    expect((await harness.core.listConversations({ platform: 'slack' })).total).toBe(before.total);
  });

  it('ignores bots, its own messages and edits', async () => {
    const before = harness.fake.calls.length;
    await harness.send(
      appMentionEvent({
        user: 'UOTHERBOT',
        botId: 'BOTHER',
        channel: 'CSUPPORT',
        ts: nextTs(),
        text: 'How are plans billed?',
      }),
    );
    await harness.send(
      messageEvent({
        user: 'UOTHERBOT',
        botId: 'BOTHER',
        channel: 'DOTHER',
        channelType: 'im',
        ts: nextTs(),
        text: 'How are plans billed?',
      }),
    );
    await harness.send(
      messageEvent({
        user: 'UBOT',
        channel: 'DDAVE',
        channelType: 'im',
        ts: nextTs(),
        text: 'How are plans billed?',
      }),
    );
    await harness.send(
      messageEvent({
        user: 'UDAVE',
        channel: 'DDAVE',
        channelType: 'im',
        ts: nextTs(),
        text: 'edited',
        subtype: 'message_changed',
      }),
    );
    expect(harness.fake.calls.length).toBe(before);
  });

  it('routes a channel to its knowledge filters', async () => {
    const ts = nextTs();
    await harness.send(
      appMentionEvent({ user: 'UFRANK', channel: 'CBILLING', ts, text: 'How do I reset my password?' }),
    );
    const reply = harness.fake.messages.find(
      (message) => message.channel === 'CBILLING' && message.thread_ts === ts && message.blocks,
    )!;
    const conversation = await harness.core.getConversation(conversationIdOf(reply.blocks as Block[]));
    // Only billing documents could be retrieved in this channel.
    expect(conversation!.sources.every((source) => source.docId.includes('billing'))).toBe(true);
  });

  it('limits questions per user politely', async () => {
    const replies: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UGRACE', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
      );
      replies.push(
        String(
          harness.fake
            .callsTo('chat.postMessage')
            .filter((call) => call.body.thread_ts === ts)
            .at(-1)?.body.text ?? '',
        ),
      );
    }
    expect(replies.slice(0, 3).every((text) => !/try again in/.test(text))).toBe(true);
    expect(replies[3]).toMatch(/several questions in a short time\. Please try again in \d+ seconds?/);
  });

  it('stores a feedback_buttons click and thanks the person privately, leaving the answer as it is', async () => {
    const updatesBefore = harness.fake.callsTo('chat.update').length;
    const response = await harness.interact(
      blockActionsPayload({
        user: 'UALICE',
        channel: 'CSUPPORT',
        message: { ts: first.ts, thread_ts: questionTs, blocks: first.blocks },
        actionId: 'answer_rating',
        value: '',
        action: feedbackButtonsAction({
          actionId: 'answer_rating',
          value: `helpful:${first.conversationId}`,
        }),
      }),
    );
    expect(response.status).toBe(200);
    const record = await harness.core.getConversation(first.conversationId);
    expect(record!.feedback).toMatchObject({ helpful: true });
    // Who clicked is kept as a hashed id, never the raw Slack user id.
    expect(record!.feedback!.by).toMatch(/^[0-9a-f]{24}$/);
    expect(harness.fake.callsTo('chat.postEphemeral').at(-1)!.body).toMatchObject({
      channel: 'CSUPPORT',
      user: 'UALICE',
      thread_ts: questionTs,
      text: expect.stringContaining('Thanks'),
    });
    expect(harness.fake.callsTo('chat.update')).toHaveLength(updatesBefore);

    // Thumbs down on the same answer replaces the rating; the older plain buttons still work too.
    await harness.interact(
      blockActionsPayload({
        user: 'UBOB',
        channel: 'CSUPPORT',
        message: { ts: first.ts, thread_ts: questionTs },
        actionId: 'answer_rating',
        value: '',
        action: feedbackButtonsAction({
          actionId: 'answer_rating',
          value: `not_helpful:${first.conversationId}`,
        }),
      }),
    );
    expect((await harness.core.getConversation(first.conversationId))!.feedback).toMatchObject({
      helpful: false,
    });
    await harness.interact(
      blockActionsPayload({
        user: 'UBOB',
        channel: 'CSUPPORT',
        message: { ts: first.ts, thread_ts: questionTs },
        actionId: 'answer_helpful',
        value: first.conversationId,
      }),
    );
    expect((await harness.core.getConversation(first.conversationId))!.feedback).toMatchObject({
      helpful: true,
    });
  });

  it('opens the correction modal and stores the submitted correction', async () => {
    await harness.post(
      blockActionsPayload({
        user: 'UHEIDI',
        channel: 'CSUPPORT',
        message: { ts: first.ts, thread_ts: questionTs, blocks: first.blocks },
        actionId: 'answer_suggest_correction',
        value: first.conversationId,
        triggerId: '999.888.trigger',
      }),
      { interactive: true },
    );
    await harness.bot.idle();
    const open = harness.fake.callsTo('views.open').at(-1)!;
    expect(open.body.trigger_id).toBe('999.888.trigger');
    const view = open.body.view as { callback_id: string; private_metadata: string; blocks: Block[] };
    expect(view.callback_id).toBe('answer_correction');
    expect(JSON.stringify(view.blocks)).toContain('"multiline":true');

    // An empty submission keeps the modal open with an error on the field.
    const empty = await harness.post(
      viewSubmissionPayload({
        user: 'UHEIDI',
        callbackId: 'answer_correction',
        privateMetadata: view.private_metadata,
        values: { correction: { correction_text: { type: 'plain_text_input', value: ' ' } } },
      }),
      { interactive: true },
    );
    expect(JSON.parse(empty.text)).toMatchObject({
      response_action: 'errors',
      errors: { correction: expect.any(String) },
    });

    const submitted = await harness.post(
      viewSubmissionPayload({
        user: 'UHEIDI',
        callbackId: 'answer_correction',
        privateMetadata: view.private_metadata,
        values: {
          correction: {
            correction_text: {
              type: 'plain_text_input',
              value: 'Use Settings > Security > Send reset link; the link lasts 30 minutes.',
            },
          },
        },
      }),
      { interactive: true },
    );
    await harness.bot.idle();
    expect(submitted.status).toBe(200);
    const record = await harness.core.getConversation(first.conversationId);
    expect(record).toMatchObject({
      correctedAnswer: 'Use Settings > Security > Send reset link; the link lasts 30 minutes.',
      correctionSource: 'user',
    });
    const note = harness.fake.callsTo('chat.postEphemeral').at(-1)!;
    expect(note.body).toMatchObject({ channel: 'CSUPPORT', user: 'UHEIDI', thread_ts: questionTs });
  });

  it("stores a teammate's reply marked with the reaction as a correction for review", async () => {
    const replyTs = nextTs();
    harness.fake.addMessage({
      channel: 'CSUPPORT',
      ts: replyTs,
      thread_ts: questionTs,
      user: 'UIVAN',
      text: 'You can also ask an admin: see <https://docs.example.com/admin|the admin guide> &amp; reset from there.',
    });
    await harness.send(
      reactionAddedEvent({
        user: 'UJUDY',
        reaction: 'white_check_mark',
        channel: 'CSUPPORT',
        ts: replyTs,
        itemUser: 'UIVAN',
      }),
    );

    const { items } = await harness.core.listConversations({
      platform: 'slack',
      channel: 'CSUPPORT',
      thread: questionTs,
      order: 'newest',
    });
    const corrected = items.filter((item) => item.correctionSource === 'teammate');
    expect(corrected).toHaveLength(1);
    expect(corrected[0]!.correctedAnswer).toBe(
      'You can also ask an admin: see [the admin guide](https://docs.example.com/admin) & reset from there.',
    );
    expect(corrected[0]!.reviewStatus).toBe('new');
    expect(harness.fake.callsTo('conversations.replies').at(-1)!.body).toMatchObject({
      channel: 'CSUPPORT',
      ts: replyTs,
    });

    // Another reaction, or the reaction on the bot's own answer, stores nothing more.
    await harness.send(
      reactionAddedEvent({
        user: 'UJUDY',
        reaction: 'tada',
        channel: 'CSUPPORT',
        ts: replyTs,
        itemUser: 'UIVAN',
      }),
    );
    await harness.send(
      reactionAddedEvent({
        user: 'UJUDY',
        reaction: 'white_check_mark',
        channel: 'CSUPPORT',
        ts: first.ts,
        itemUser: 'UBOT',
      }),
    );
    const after = await harness.core.listConversations({
      platform: 'slack',
      channel: 'CSUPPORT',
      thread: questionTs,
    });
    expect(after.items.filter((item) => item.correctionSource === 'teammate')).toHaveLength(1);
  });
});

describe('Slack bot settings and failures', () => {
  it('only answers in the allowed channels, and tells the person so privately; DMs stay open', async () => {
    const harness = await startHarness({
      env: { ANSWERLOOP_SLACK__ALLOWED_CHANNELS: '[CSUPPORT]', ANSWERLOOP_SLACK__STREAM: 'false' },
    });
    try {
      const elsewhere = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UKIM', channel: 'CRANDOM', ts: elsewhere, text: 'How are plans billed?' }),
      );
      expect(harness.fake.callsTo('chat.postMessage')).toHaveLength(0);
      expect(harness.fake.callsTo('chat.postEphemeral')[0]!.body).toMatchObject({
        channel: 'CRANDOM',
        user: 'UKIM',
        text: expect.stringMatching(/not set up to answer in this channel/),
      });

      const allowed = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UKIM', channel: 'CSUPPORT', ts: allowed, text: 'How are plans billed?' }),
      );
      // Not streaming: the answer is posted once, complete, and never edited.
      const posted = harness.fake.callsTo('chat.postMessage');
      expect(posted).toHaveLength(1);
      expect(posted[0]!.body.thread_ts).toBe(allowed);
      expect(blocksOf(posted[0]!).some((block) => block.block_id === 'answer_feedback')).toBe(true);
      expect(harness.fake.callsTo('chat.update')).toHaveLength(0);

      await harness.send(
        messageEvent({
          user: 'UKIM',
          channel: 'DKIM',
          channelType: 'im',
          ts: nextTs(),
          text: 'How are plans billed?',
        }),
      );
      expect(harness.answerIn('DKIM', undefined)).toBeDefined();
    } finally {
      await stopHarness(harness);
    }
  });

  it('streams with rate-limited chat.update calls when slack.stream is update, then the final blocks naming the model', async () => {
    const pieces = Array.from({ length: 12 }, (_, index) =>
      index === 0 ? 'Plans are **billed monthly** per seat' : ` and more detail ${index}`,
    );
    const streamingModel: ChatModel = {
      async complete(request) {
        for (const piece of pieces) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          request.onDelta?.(piece);
        }
        const text = `${pieces.join('')} [1].`;
        return {
          text,
          model: request.model,
          usage: { promptTokens: 10, completionTokens: 20, totalTokens: 30 },
          modelMs: 300,
        };
      },
    };
    const harness = await startHarness({
      chatModel: streamingModel,
      env: {
        ANSWERLOOP_SLACK__STREAM: 'update',
        ANSWERLOOP_SLACK__UPDATE_INTERVAL_MS: '150',
        ANSWERLOOP_OPENAI__CHAT_MODEL: 'ft:gpt-4o-mini:acme:support:1',
      },
    });
    try {
      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'ULEO', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
      );
      const posted = harness.fake.callsTo('chat.postMessage');
      expect(posted).toHaveLength(1);
      expect(posted[0]!.body.blocks).toBeUndefined();
      expect(posted[0]!.body.text).toContain('Plans are *billed monthly* per seat');
      const updates = harness.fake.callsTo('chat.update');
      const partial = updates.filter((call) => call.body.blocks === undefined);
      // About 300 ms of deltas at one update per 150 ms: a few edits, far fewer than the 12 deltas.
      expect(partial.length).toBeGreaterThanOrEqual(1);
      expect(partial.length).toBeLessThanOrEqual(5);
      const final = updates.at(-1)!;
      expect(JSON.stringify(final.body.blocks)).toContain('Answered by `ft:gpt-4o-mini:acme:support:1`');
    } finally {
      await stopHarness(harness);
    }
  });

  it('posts nothing when another replica took the delivery over while this one was answering', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let answering!: () => void;
    const started = new Promise<void>((resolve) => (answering = resolve));
    const slowModel: ChatModel = {
      async complete(request) {
        answering();
        await gate;
        return {
          text: 'Plans are billed monthly per seat [1].',
          model: request.model,
          usage: { promptTokens: 10, completionTokens: 8, totalTokens: 18 },
          modelMs: 5,
        };
      },
    };
    const harness = await startHarness({ chatModel: slowModel, env: { ANSWERLOOP_SLACK__STREAM: 'off' } });
    // Another replica on the same store whose clock says this one's claim expired long ago (as it would after this
    // one went quiet past the deadline): its sweep takes the claim over with a conditional write.
    const later = {
      now: () => new Date(Date.now() + 3_600_000),
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    };
    const other = createCore({
      config: harness.core.config,
      clock: later,
      embedder: createDeterministicEmbedder(),
      logger: createRecordingLogger(),
    });
    try {
      const ts = nextTs();
      const eventId = nextEventId();
      const delivered = harness.send(
        appMentionEvent({ user: 'UOTTO', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
        { eventId },
      );
      await started;
      const taken = await other.coordination.claims.takeOverExpired('slack', 10);
      expect(taken.map((claim) => claim.id)).toEqual([eventId]);
      release();
      await delivered;
      expect(
        harness.fake.callsTo('chat.postMessage').filter((call) => call.body.thread_ts === ts),
      ).toHaveLength(0);
      expect(
        harness.logger.entries.some((entry) =>
          entry.message?.startsWith('Did not post an answer: another replica took the delivery over'),
        ),
      ).toBe(true);
      expect((await other.coordination.claims.inspect('slack', eventId))?.owner).toBe(
        other.coordination.replicaId,
      );
    } finally {
      release();
      await other.close();
      await stopHarness(harness);
    }
  });

  it('takes over a delivery whose replica stopped, answering it unless Slack already shows its finished answer', async () => {
    const harness = await startHarness({ env: { ANSWERLOOP_SLACK__STREAM: 'off' } });
    // The replica that claimed both deliveries and stopped: its clock ran an hour behind, so its claims are long due.
    const earlier = {
      now: () => new Date(Date.now() - 3_600_000),
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    };
    const stopped = createCore({
      config: harness.core.config,
      clock: earlier,
      embedder: createDeterministicEmbedder(),
      logger: createRecordingLogger(),
    });
    try {
      const cutShort = nextTs();
      const finished = nextTs();
      const envelopes = new Map<string, Record<string, unknown>>();
      for (const ts of [cutShort, finished]) {
        const eventId = nextEventId();
        const envelope = eventEnvelope(
          appMentionEvent({ user: 'UNOOR', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
          { eventId },
        );
        envelopes.set(eventId, envelope);
        expect(
          await stopped.delivery.claim('slack', eventId, {
            payload: envelope,
            question: { channel: 'CSUPPORT', messageId: ts },
          }),
        ).toBeDefined();
      }
      // It had begun one answer (no footer yet) and posted the other in full, then stopped before recording either.
      harness.fake.addMessage({
        channel: 'CSUPPORT',
        ts: `${cutShort.split('.')[0]}.000200`,
        thread_ts: cutShort,
        bot_id: 'BBOT',
        text: 'Plans are billed …',
      });
      harness.fake.addMessage({
        channel: 'CSUPPORT',
        ts: `${finished.split('.')[0]}.000200`,
        thread_ts: finished,
        bot_id: 'BBOT',
        text: 'Plans are billed monthly per seat.',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Plans are billed monthly per seat.' } },
          {
            type: 'context',
            block_id: 'answer_footer',
            elements: [{ type: 'mrkdwn', text: 'Extractive answer' }],
          },
        ],
      });

      const taken = await harness.core.delivery.takeOverExpired('slack', 10);
      expect(taken.map((delivery) => delivery.id).sort()).toEqual([...envelopes.keys()].sort());
      for (const delivery of taken) harness.bot.redeliver(delivery);
      await harness.bot.idle();

      const answersTo = (ts: string) =>
        harness.fake.callsTo('chat.postMessage').filter((call) => call.body.thread_ts === ts);
      expect(answersTo(cutShort)).toHaveLength(1);
      expect(answersTo(finished)).toHaveLength(0);
      expect(
        harness.logger.entries.filter((entry) =>
          entry.message?.startsWith('A taken-over delivery was already answered'),
        ),
      ).toHaveLength(1);
      for (const eventId of envelopes.keys())
        expect((await harness.core.coordination.claims.inspect('slack', eventId))?.state).toBe('answered');
    } finally {
      await stopped.close();
      await stopHarness(harness);
    }
  });

  it('answers a failure with a short polite reply in the thread, and logs the cause', async () => {
    const failingModel: ChatModel = {
      complete: async () => {
        throw new AnswerloopError('upstream_failed', 'OpenAI answered 503 Service Unavailable', {
          isRetryable: true,
        });
      },
    };
    const harness = await startHarness({ chatModel: failingModel });
    try {
      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UMIA', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
      );
      const reply = harness.fake.callsTo('chat.postMessage').at(-1)!;
      expect(reply.body).toMatchObject({ channel: 'CSUPPORT', thread_ts: ts });
      expect(String(reply.body.text)).toMatch(/^Sorry, I could not answer just now/);
      expect(String(reply.body.text)).not.toContain('503');
      expect(harness.fake.callsTo('reactions.remove')).toHaveLength(1);
      const logged = harness.logger.entries.find(
        (entry) => entry.level === 'error' && entry.message === 'Slack handler failed',
      );
      expect(String((logged?.object.err as Error | undefined)?.message)).toContain('503');
    } finally {
      await stopHarness(harness);
    }
  });

  it('remembers answered events across a restart on the same store', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-slack-'));
    const eventId = nextEventId();
    const ts = nextTs();
    const event = appMentionEvent({ user: 'UNOAH', channel: 'CSUPPORT', ts, text: 'How are plans billed?' });
    const before = await startHarness({ dataDir });
    await before.send(event, { eventId });
    expect(before.answerIn('CSUPPORT', ts)).toBeDefined();
    await stopHarness(before, false);

    const after = await startHarness({ dataDir });
    try {
      await after.send(event, { eventId });
      expect(after.fake.callsTo('chat.postMessage')).toHaveLength(0);
    } finally {
      await stopHarness(after);
    }
  });

  it('fails to start with a clear error when Slack rejects the bot token', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const fake = await startFakeSlackApi({
      answer: (call) => (call.method === 'auth.test' ? { ok: false, error: 'invalid_auth' } : undefined),
    });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-slack-'));
    const core = createCore({
      config: loadConfig({
        env: {
          ANSWERLOOP_DATA_DIR: dataDir,
          SLACK_BOT_TOKEN: 'xoxb-revoked',
          SLACK_SIGNING_SECRET: signingSecret,
          ANSWERLOOP_SLACK__MODE: 'http',
          ANSWERLOOP_SLACK__API_URL: fake.url,
        },
        overrides: { logFile: '' },
      }),
      embedder: createDeterministicEmbedder(),
      logger: createRecordingLogger(),
    });
    try {
      const failure = await startSlackBot(core, { port: 0 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(AnswerloopError);
      expect(failure).toMatchObject({
        code: 'config_invalid',
        message: expect.stringMatching(/SLACK_BOT_TOKEN.*invalid_auth/),
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await core.close();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('names the missing environment variable for each mode', async () => {
    const base = { ANSWERLOOP_DATA_DIR: '/nonexistent-answerloop-test' };
    const configFor = (env: Record<string, string>) =>
      loadConfig({ env: { ...base, ...env }, overrides: { logFile: '' } });
    const attempt = (env: Record<string, string>) =>
      startSlackBot(
        createCore({
          config: configFor(env),
          embedder: createDeterministicEmbedder(),
          logger: createRecordingLogger(),
        }),
      ).then(
        () => 'started',
        (error: Error) => error.message,
      );
    expect(await attempt({ ANSWERLOOP_SLACK__MODE: 'http', SLACK_SIGNING_SECRET: 's' })).toMatch(
      /set SLACK_BOT_TOKEN/,
    );
    expect(await attempt({ ANSWERLOOP_SLACK__MODE: 'http', SLACK_BOT_TOKEN: 'xoxb-1' })).toMatch(
      /set SLACK_SIGNING_SECRET/,
    );
    expect(await attempt({ ANSWERLOOP_SLACK__MODE: 'socket', SLACK_BOT_TOKEN: 'xoxb-1' })).toMatch(
      /set SLACK_APP_TOKEN/,
    );

    expect(slackConfigured(configFor({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }))).toBe(true);
    expect(slackConfigured(configFor({ SLACK_BOT_TOKEN: 'xoxb-1' }))).toBe(false);
    expect(
      slackConfigured(
        configFor({ SLACK_BOT_TOKEN: 'xoxb-1', ANSWERLOOP_SLACK__MODE: 'http', SLACK_SIGNING_SECRET: 's' }),
      ),
    ).toBe(true);
    expect(
      slackConfigured(
        configFor({
          SLACK_BOT_TOKEN: 'xoxb-1',
          SLACK_APP_TOKEN: 'xapp-1',
          ANSWERLOOP_SLACK__ENABLED: 'false',
        }),
      ),
    ).toBe(false);
    expect(slackConfigured(configFor({ ANSWERLOOP_SLACK__ENABLED: 'true' }))).toBe(true);
  });
});
