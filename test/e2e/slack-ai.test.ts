import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatModel } from '../../src/core/index.ts';
import type { FakeSlackCall } from '../fakes/fake-slack-api.ts';
import {
  appHomeOpenedEvent,
  appMentionEvent,
  assistantThreadEvent,
  blockActionsPayload,
  messageEvent,
  messageShortcutPayload,
  slashCommandFields,
} from '../fakes/fake-slack-payloads.ts';
import {
  type Block,
  blocksOf,
  conversationIdOf,
  type Harness,
  nextTs,
  startHarness,
  stopHarness,
} from '../support/slack-test-harness.ts';
import { questionAnsweredUnsure } from '../support/weak-evidence.ts';

const responses = (harness: Harness, name: string): FakeSlackCall[] =>
  harness.fake.calls.filter((call) => call.method === '' && call.path === `/respond/${name}`);
const actionIdsOf = (blocks: Block[]) =>
  blocks
    .flatMap((block) => (block.elements ?? []).map((element) => element.action_id))
    .filter((id) => id !== undefined);
const answered = (harness: Harness, channel: string) =>
  harness.fake.messages.filter(
    (message) =>
      message.channel === channel &&
      (message.blocks ?? []).some((block) => (block as Block).block_id === 'answer_feedback'),
  );

describe('Slack AI surfaces: private answers, shortcuts, help channels, the assistant panel', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      env: {
        ANSWERLOOP_SLACK__CHANNELS: [
          '{CHELP: {mode: auto, threshold: 0, reaction: eyes},',
          'CSTRICT: {mode: auto, threshold: 1},',
          'CQUIET: {reply: private},',
          'CBILLING: {filters: {tags: [billing]}},',
          'COFF: {mode: off}}',
        ].join(' '),
        ANSWERLOOP_SLACK__ASSISTANT__PANEL: 'true',
        // Greetings go straight to the model (a direct reply, confidence 1), as in the configuration's example.
        ANSWERLOOP_ANSWERING__ROUTES: "[{pattern: '^(hi|hello)\\b', route: direct}]",
      },
    });
  });
  afterAll(async () => {
    await stopHarness(harness);
  });

  it('answers /ask privately through the response_url, then shares it with the channel or dismisses it', async () => {
    const ack = await harness.interact(
      slashCommandFields({
        command: '/ask',
        text: 'How do I reset my password?',
        user: 'UALICE',
        channel: 'CSUPPORT',
        responseUrl: harness.responseUrl('ask-1'),
      }),
      { form: true },
    );
    expect(ack.status).toBe(200);
    const [privateAnswer] = responses(harness, 'ask-1');
    expect(privateAnswer!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const blocks = privateAnswer!.body.blocks as Block[];
    expect(JSON.stringify(blocks).toLowerCase()).toContain('reset');
    expect(actionIdsOf(blocks)).toEqual([
      'answer_rating',
      'answer_share',
      'answer_dismiss',
      'answer_suggest_correction',
    ]);
    // Nothing was posted for the channel to see.
    expect(harness.fake.callsTo('chat.postMessage')).toHaveLength(0);
    const conversationId = conversationIdOf(blocks);

    // Someone else cannot share another person's answer.
    const share = (user: string, name: string) =>
      harness.interact(
        blockActionsPayload({
          user,
          channel: 'CSUPPORT',
          message: { ts: nextTs() },
          actionId: 'answer_share',
          value: conversationId,
          ephemeral: true,
          responseUrl: harness.responseUrl(name),
        }),
      );
    await share('UMALLORY', 'share-0');
    expect(responses(harness, 'share-0').map((call) => call.body.response_type)).toEqual(['ephemeral']);

    await share('UALICE', 'share-1');
    const [shared, removed] = responses(harness, 'share-1');
    expect(shared!.body).toMatchObject({ response_type: 'in_channel' });
    const sharedBlocks = shared!.body.blocks as Block[];
    expect(JSON.stringify(sharedBlocks[0])).toContain('<@UALICE> asked: How do I reset my password?');
    expect(actionIdsOf(sharedBlocks)).toEqual(['answer_rating', 'answer_suggest_correction']);
    expect(removed!.body).toMatchObject({ delete_original: true });

    await harness.interact(
      blockActionsPayload({
        user: 'UALICE',
        channel: 'CSUPPORT',
        message: { ts: nextTs() },
        actionId: 'answer_dismiss',
        value: conversationId,
        ephemeral: true,
        responseUrl: harness.responseUrl('dismiss-1'),
      }),
    );
    expect(responses(harness, 'dismiss-1').map((call) => call.body)).toEqual([{ delete_original: true }]);
  });

  it('answers a mention privately in a channel set to reply: private', async () => {
    const ts = nextTs();
    await harness.send(
      appMentionEvent({ user: 'UBOB', channel: 'CQUIET', ts, text: 'How are plans billed?' }),
    );
    expect(
      harness.fake.calls.filter(
        (call) =>
          call.body.channel === 'CQUIET' &&
          call.method !== 'chat.postEphemeral' &&
          call.method.startsWith('chat.'),
      ),
    ).toEqual([]);
    const ephemeral = harness.fake
      .callsTo('chat.postEphemeral')
      .find((call) => call.body.channel === 'CQUIET')!;
    expect(ephemeral.body).toMatchObject({ user: 'UBOB', thread_ts: ts });
    expect(actionIdsOf(blocksOf(ephemeral))).toContain('answer_share');
  });

  it("answers a message through the shortcut in that message's thread", async () => {
    const messageTs = nextTs();
    harness.fake.addMessage({
      channel: 'CSUPPORT',
      ts: messageTs,
      user: 'UOLIVIA',
      text: 'How do I turn on two-factor authentication?',
    });
    await harness.interact(
      messageShortcutPayload({
        callbackId: 'answer_message',
        user: 'UPETER',
        channel: 'CSUPPORT',
        message: { ts: messageTs, text: 'How do I turn on two-factor authentication?', user: 'UOLIVIA' },
        responseUrl: harness.responseUrl('shortcut-1'),
      }),
    );
    const start = harness.fake.callsTo('chat.startStream').find((call) => call.body.thread_ts === messageTs)!;
    expect(start.body).toMatchObject({ channel: 'CSUPPORT', recipient_user_id: 'UPETER' });
    const answer = harness.answerIn('CSUPPORT', messageTs)!;
    expect((await harness.core.getConversation(answer.conversationId))!.question).toBe(
      'How do I turn on two-factor authentication?',
    );

    // In a private channel setting the shortcut answers only the person who used it.
    const quietTs = nextTs();
    await harness.interact(
      messageShortcutPayload({
        callbackId: 'answer_message',
        user: 'UPETER',
        channel: 'CQUIET',
        message: { ts: quietTs, text: 'How are plans billed?', user: 'UOLIVIA' },
        responseUrl: harness.responseUrl('shortcut-2'),
      }),
    );
    expect(responses(harness, 'shortcut-2')[0]!.body).toMatchObject({ response_type: 'ephemeral' });
    expect(answered(harness, 'CQUIET')).toEqual([]);
  });

  it('answers a confident question in a help channel unasked, and stays silent on unsure ones and on what is not a question', async () => {
    const confident = nextTs();
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CHELP',
        channelType: 'channel',
        ts: confident,
        text: 'How do I reset my password?',
      }),
    );
    const answer = harness.answerIn('CHELP', confident)!;
    expect(answer).toBeDefined();
    expect(JSON.stringify(answer.blocks).toLowerCase()).toContain('reset');

    const before = (await harness.core.listConversations({ platform: 'slack' })).total;
    const callsBefore = harness.fake.calls.length;
    const unsure = nextTs();
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CHELP',
        channelType: 'channel',
        ts: unsure,
        text: 'What is the airspeed velocity of an unladen swallow?',
      }),
    );
    // No message, no "I don't know": only the configured reaction shows the bot looked.
    const unsureCalls = harness.fake.calls.slice(callsBefore);
    expect(unsureCalls.map((call) => call.method)).toEqual(['reactions.add']);
    expect(unsureCalls[0]!.body).toMatchObject({ channel: 'CHELP', timestamp: unsure, name: 'eyes' });
    // Nothing was generated; the question is kept, silent, for the review queue and the gaps report.
    const newestSlack = () =>
      harness.core.listConversations({ platform: 'slack', order: 'newest', limit: 1 });
    const kept = await newestSlack();
    expect(kept.total).toBe(before + 1);
    expect(kept.items[0]).toMatchObject({
      question: 'What is the airspeed velocity of an unladen swallow?',
      channel: 'CHELP',
      silent: true,
      refused: true,
      answer: '',
      model: 'none',
    });

    const quietCalls = harness.fake.calls.length;
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CHELP',
        channelType: 'channel',
        ts: nextTs(),
        text: 'Deployed the new build to staging this morning.',
      }),
    );
    // Over its channel's threshold only: the same answerable question stays unanswered where the bar is higher.
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CSTRICT',
        channelType: 'channel',
        ts: nextTs(),
        text: 'How do I reset my password?',
      }),
    );
    // Thread replies, bots, and channels in mention mode are not read.
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CHELP',
        channelType: 'channel',
        ts: nextTs(),
        threadTs: unsure,
        text: 'How are plans billed?',
      }),
    );
    await harness.send(
      messageEvent({
        user: 'UBOT2',
        botId: 'BOTHER',
        channel: 'CHELP',
        channelType: 'channel',
        ts: nextTs(),
        text: 'How are plans billed?',
      }),
    );
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CSUPPORT',
        channelType: 'channel',
        ts: nextTs(),
        text: 'How are plans billed?',
      }),
    );
    expect(harness.fake.calls.length).toBe(quietCalls);
    // Of these, only the question under the stricter channel's bar was read, and kept silent.
    const after = await newestSlack();
    expect(after.total).toBe(before + 2);
    expect(after.items[0]).toMatchObject({
      channel: 'CSTRICT',
      question: 'How do I reset my password?',
      silent: true,
    });
    // Counted as silent questions, not as refusals.
    const { text } = await harness.core.metrics.render();
    expect(text).toMatch(/answerloop_questions_total\{platform="slack",route="silent"\} 2\n/);
    expect(text).not.toMatch(/answerloop_refusals_total\{platform="slack"\}/);
  });

  it('does not post a direct reply (a greeting) unasked in a help channel, though its confidence is 1', async () => {
    const greeting = nextTs();
    const callsBefore = harness.fake.calls.length;
    await harness.send(
      messageEvent({
        user: 'UCAROL',
        channel: 'CHELP',
        channelType: 'channel',
        ts: greeting,
        text: 'hello everyone, is anybody around today?',
      }),
    );
    // Nobody addressed the bot: small talk is not a documentation answer, whatever the channel's threshold (0 here).
    const calls = harness.fake.calls.slice(callsBefore);
    expect(calls.map((call) => call.method)).toEqual(['reactions.add']);
    expect(calls[0]!.body).toMatchObject({ channel: 'CHELP', timestamp: greeting, name: 'eyes' });
    // Asked directly, the same greeting is answered.
    const mention = nextTs();
    await harness.send(
      appMentionEvent({
        user: 'UCAROL',
        channel: 'CSUPPORT',
        ts: mention,
        text: '<@UBOT> hello, are you there?',
      }),
    );
    expect(harness.answerIn('CSUPPORT', mention)).toBeDefined();
  });

  it('stays out of a channel in mode off, telling a mention privately', async () => {
    await harness.send(
      appMentionEvent({ user: 'UDAVE', channel: 'COFF', ts: nextTs(), text: 'How are plans billed?' }),
    );
    expect(harness.fake.callsTo('chat.postEphemeral').at(-1)!.body).toMatchObject({
      channel: 'COFF',
      user: 'UDAVE',
      text: expect.stringMatching(/not set up to answer/),
    });
    expect(answered(harness, 'COFF')).toEqual([]);
  });

  it('greets a new assistant panel thread, remembers the channel being viewed, and answers with its filters', async () => {
    const threadTs = nextTs();
    await harness.send(
      assistantThreadEvent({
        type: 'assistant_thread_started',
        user: 'UERIN',
        channel: 'DERIN',
        threadTs,
        contextChannel: 'CSUPPORT',
      }),
    );
    const greeting = harness.fake.callsTo('chat.postMessage').find((call) => call.body.channel === 'DERIN')!;
    expect(greeting.body).toMatchObject({
      thread_ts: threadTs,
      text: expect.stringContaining('Ask me anything'),
    });
    expect(greeting.body.metadata).toMatchObject({
      event_type: 'assistant_thread_context',
      event_payload: { channel_id: 'CSUPPORT' },
    });
    const prompts = harness.fake.callsTo('assistant.threads.setSuggestedPrompts')[0]!;
    expect(prompts.body).toMatchObject({ channel_id: 'DERIN', thread_ts: threadTs });
    expect((prompts.body.prompts as Array<{ title: string }>).map((prompt) => prompt.title)).toEqual([
      'Get started',
      'Find a setting',
    ]);

    await harness.send(
      assistantThreadEvent({
        type: 'assistant_thread_context_changed',
        user: 'UERIN',
        channel: 'DERIN',
        threadTs,
        contextChannel: 'CBILLING',
      }),
    );
    const kept = harness.fake.messages.find(
      (message) => message.channel === 'DERIN' && message.thread_ts === threadTs,
    )!;
    expect(kept.metadata).toMatchObject({ event_payload: { channel_id: 'CBILLING' } });

    const historyReads = harness.fake.callsTo('conversations.replies').length;
    const questionTs = nextTs();
    harness.fake.addMessage({
      channel: 'DERIN',
      ts: questionTs,
      thread_ts: threadTs,
      user: 'UERIN',
      text: 'How do I reset my password?',
    });
    await harness.send(
      messageEvent({
        user: 'UERIN',
        channel: 'DERIN',
        channelType: 'im',
        ts: questionTs,
        threadTs,
        text: 'How do I reset my password?',
      }),
    );
    expect(harness.fake.callsTo('assistant.threads.setStatus')[0]!.body).toMatchObject({
      channel_id: 'DERIN',
      thread_ts: threadTs,
      status: 'Searching the docs...',
    });
    expect(harness.fake.callsTo('assistant.threads.setTitle')[0]!.body).toMatchObject({
      channel_id: 'DERIN',
      thread_ts: threadTs,
      title: 'How do I reset my password?',
    });
    // The working reaction is for channels; the panel has its status line.
    expect(harness.fake.callsTo('reactions.add').filter((call) => call.body.channel === 'DERIN')).toEqual([]);
    expect(
      harness.fake.callsTo('chat.startStream').find((call) => call.body.channel === 'DERIN')!.body,
    ).toMatchObject({ thread_ts: threadTs });
    const answer = harness.answerIn('DERIN', threadTs)!;
    const record = await harness.core.getConversation(answer.conversationId);
    // The viewed channel's knowledge filters applied: only billing documents could be retrieved.
    expect(record!.sources.length).toBeGreaterThan(0);
    expect(record!.sources.every((source) => source.docId.includes('billing'))).toBe(true);
    // The viewed channel came from the store: a question reads no thread history.
    expect(harness.fake.callsTo('conversations.replies')).toHaveLength(historyReads);
  });

  it('greets a person once on the Messages tab of App Home (agent_view)', async () => {
    await harness.send(appHomeOpenedEvent({ user: 'UFAY', channel: 'DFAY', tab: 'messages' }));
    await harness.send(appHomeOpenedEvent({ user: 'UFAY', channel: 'DFAY', tab: 'messages' }));
    await harness.send(appHomeOpenedEvent({ user: 'UFAY', channel: 'DFAY', tab: 'home' }));
    const greetings = harness.fake.callsTo('chat.postMessage').filter((call) => call.body.channel === 'DFAY');
    expect(greetings).toHaveLength(1);
    expect(String(greetings[0]!.body.text)).toContain('How do I get started?');
    // Whether the bot wrote there before came from the store, not from the channel's history.
    expect(harness.fake.callsTo('conversations.history')).toEqual([]);
  });
});

describe('Slack: an answer on weak evidence', () => {
  it('streams the answer, then says beside it that the documentation may not answer the question', async () => {
    // Every answer under confidence 1 counts as weak here, so the test does not hang on how the question scores.
    const harness = await startHarness({ env: { ANSWERLOOP_ANSWERING__UNCERTAIN_BELOW: '1' } });
    try {
      const { uncertainNotice } = harness.core.config.answering;
      const question = await questionAnsweredUnsure(harness.core);
      const ts = nextTs();
      await harness.send(appMentionEvent({ user: 'UGUS', channel: 'CSUPPORT', ts, text: question }));
      const answer = harness.answerIn('CSUPPORT', ts)!;
      expect(JSON.stringify(answer.blocks)).toContain(uncertainNotice.slice(0, 40));
      expect(harness.fake.callsTo('chat.stopStream').length).toBeGreaterThan(0);
    } finally {
      await stopHarness(harness);
    }
  });
});

describe('Slack streaming fallbacks and shared channels', () => {
  it('falls back to post-then-update when Slack refuses chat.startStream, still ending with the blocks', async () => {
    const harness = await startHarness({
      fakeAnswer: (call) =>
        call.method === 'chat.startStream' ? { ok: false, error: 'unknown_method' } : undefined,
    });
    try {
      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UGUS', channel: 'CSUPPORT', ts, text: 'How do I reset my password?' }),
      );
      expect(harness.fake.callsTo('chat.startStream').length).toBeGreaterThan(0);
      expect(harness.fake.callsTo('chat.stopStream')).toEqual([]);
      const posted = harness.fake.callsTo('chat.postMessage').filter((call) => call.body.thread_ts === ts);
      expect(posted).toHaveLength(1);
      const final = harness.fake.callsTo('chat.update').at(-1)!;
      expect(final.body.ts).toBe(harness.fake.messages.find((message) => message.thread_ts === ts)!.ts);
      expect(blocksOf(final).map((block) => block.block_id)).toEqual(
        expect.arrayContaining(['answer_sources', 'answer_rating', 'answer_feedback']),
      );
      expect(
        harness.logger.entries.some(
          (entry) => entry.level === 'warn' && /refused to start a stream/.test(entry.message ?? ''),
        ),
      ).toBe(true);
    } finally {
      await stopHarness(harness);
    }
  });

  it('edits the message into the answer when a started stream breaks (message_not_in_streaming_state)', async () => {
    const long =
      'Plans are billed monthly per seat, with the invoice sent on the first day of each month. '.repeat(8);
    const model: ChatModel = {
      async complete(request) {
        // Deltas over time, as a model sends them: appends that arrive together go as one.
        for (const piece of long.match(/.{1,60}/g)!) {
          request.onDelta?.(piece);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return {
          text: `${long}[1]`,
          model: request.model,
          usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
          modelMs: 1,
        };
      },
    };
    const harness = await startHarness({
      chatModel: model,
      fakeAnswer: (call) =>
        call.method === 'chat.appendStream'
          ? { ok: false, error: 'message_not_in_streaming_state' }
          : undefined,
    });
    try {
      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UHAL', channel: 'CSUPPORT', ts, text: 'How are plans billed?' }),
      );
      const streamed = harness.fake.messages.find((message) => message.thread_ts === ts)!;
      expect(harness.fake.callsTo('chat.appendStream').length).toBeGreaterThan(0);
      const final = harness.fake.callsTo('chat.update').at(-1)!;
      expect(final.body.ts).toBe(streamed.ts);
      expect(blocksOf(final).some((block) => block.block_id === 'answer_feedback')).toBe(true);
      expect(streamed.text).toContain('billed monthly');
    } finally {
      await stopHarness(harness);
    }
  });

  it('does not answer people in a Slack Connect channel, and tells the asker privately why', async () => {
    const harness = await startHarness({ fake: { sharedChannels: ['CSHARED'] } });
    try {
      const ts = nextTs();
      await harness.send(
        appMentionEvent({
          user: 'UEXT',
          userTeam: 'TOTHER',
          channel: 'CSHARED',
          ts,
          text: 'How are plans billed?',
        }),
        { extShared: true },
      );
      expect(harness.fake.callsTo('chat.postEphemeral')[0]!.body).toMatchObject({
        channel: 'CSHARED',
        user: 'UEXT',
        text: expect.stringMatching(/shared with another organisation/),
      });
      // A person from another workspace in a channel the event does not flag is recognised by their team.
      await harness.send(
        appMentionEvent({
          user: 'UEXT',
          userTeam: 'TOTHER',
          channel: 'CSUPPORT',
          ts: nextTs(),
          text: 'How are plans billed?',
        }),
      );
      // A slash command carries no such flag: the channel is looked up.
      await harness.interact(
        slashCommandFields({
          command: '/ask',
          text: 'How are plans billed?',
          user: 'UEXT',
          channel: 'CSHARED',
          responseUrl: harness.responseUrl('ext-1'),
        }),
        { form: true },
      );
      expect(responses(harness, 'ext-1')[0]!.body.text).toMatch(/shared with another organisation/);
      expect(
        harness.fake.calls.filter((call) => ['chat.postMessage', 'chat.startStream'].includes(call.method)),
      ).toEqual([]);
      expect((await harness.core.listConversations({ platform: 'slack' })).total).toBe(0);
    } finally {
      await stopHarness(harness);
    }
  });

  it('answers in a Slack Connect channel only from public sources when allowed', async () => {
    const harness = await startHarness({
      env: {
        ANSWERLOOP_SLACK__SHARED_CHANNELS__ANSWER: 'public',
        ANSWERLOOP_SLACK__SHARED_CHANNELS__PUBLIC_TAGS: '[billing]',
      },
    });
    try {
      const ts = nextTs();
      await harness.send(
        appMentionEvent({
          user: 'UEXT',
          userTeam: 'TOTHER',
          channel: 'CSHARED',
          ts,
          text: 'How do I reset my password?',
        }),
        { extShared: true },
      );
      const answer = harness.answerIn('CSHARED', ts)!;
      const record = await harness.core.getConversation(answer.conversationId);
      expect(record!.sources.every((source) => source.docId.includes('billing'))).toBe(true);
    } finally {
      await stopHarness(harness);
    }
  });
});

describe('Slack installed into several workspaces (slack.distribution: oauth)', () => {
  it('installs through /slack/install and a fake oauth.v2.access, then answers that workspace with its own token', async () => {
    const harness = await startHarness({
      env: {
        ANSWERLOOP_SLACK__DISTRIBUTION: 'oauth',
        SLACK_CLIENT_ID: '111.222',
        SLACK_CLIENT_SECRET: 'client-secret-value',
        SLACK_STATE_SECRET: 'state-secret-for-tests',
      },
    });
    try {
      // No single-workspace token is used: nothing calls auth.test before an installation exists.
      expect(harness.fake.callsTo('auth.test')).toEqual([]);
      const base = `http://127.0.0.1:${harness.bot.port}`;
      const install = await fetch(`${base}/slack/install`, { redirect: 'manual' });
      expect(install.status).toBe(302);
      const consent = new URL(install.headers.get('location')!);
      expect(`${consent.origin}${consent.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
      expect(consent.searchParams.get('client_id')).toBe('111.222');
      expect(consent.searchParams.get('scope')!.split(',')).toEqual(
        expect.arrayContaining(['app_mentions:read', 'chat:write', 'commands']),
      );
      const state = consent.searchParams.get('state')!;
      const cookie = install.headers.get('set-cookie')!.split(';')[0]!;

      const redirect = await fetch(
        `${base}/slack/oauth_redirect?code=code-T2&state=${encodeURIComponent(state)}`,
        { headers: { cookie } },
      );
      expect(redirect.status).toBe(200);
      expect(harness.fake.callsTo('oauth.v2.access')[0]!.body).toMatchObject({
        code: 'code-T2',
        client_id: '111.222',
      });
      expect(await harness.core.installations.get('slack', 'team:T2')).toContain('xoxb-T2-installed');
      // Tokens and the client secret never reach the log.
      const logged = JSON.stringify(harness.logger.entries);
      expect(logged).not.toContain('xoxb-T2-installed');
      expect(logged).not.toContain('client-secret-value');

      const ts = nextTs();
      await harness.send(
        appMentionEvent({ user: 'UZED', channel: 'COTHER', ts, text: 'How do I reset my password?' }),
        { teamId: 'T2' },
      );
      const start = harness.fake.callsTo('chat.startStream').find((call) => call.body.thread_ts === ts)!;
      expect(start.authorization).toBe('Bearer xoxb-T2-installed');
      expect(start.body).toMatchObject({ recipient_team_id: 'T2' });
      expect(harness.answerIn('COTHER', ts)).toBeDefined();

      // A workspace that never installed the app gets nothing.
      const stranger = nextTs();
      await harness.send(
        appMentionEvent({
          user: 'UYAN',
          channel: 'CTHIRD',
          ts: stranger,
          text: 'How do I reset my password?',
        }),
        { teamId: 'T3' },
      );
      expect(harness.fake.calls.filter((call) => call.body.channel === 'CTHIRD')).toEqual([]);

      // Removing the app from the workspace deletes its installation and token.
      await harness.send(
        { type: 'app_uninstalled', event_ts: `${Math.floor(Date.now() / 1000)}.000800` },
        { teamId: 'T2' },
      );
      expect(await harness.core.installations.get('slack', 'team:T2')).toBeUndefined();
    } finally {
      await stopHarness(harness);
    }
  });

  it('names what OAuth distribution is missing', async () => {
    const attempt = (env: Record<string, string>) =>
      startHarness({ env: { ANSWERLOOP_SLACK__DISTRIBUTION: 'oauth', ...env } }).then(
        async (harness) => {
          await stopHarness(harness);
          return 'started';
        },
        (error: Error) => error.message,
      );
    expect(await attempt({ SLACK_CLIENT_SECRET: 's', SLACK_STATE_SECRET: 'state' })).toMatch(
      /set SLACK_CLIENT_ID/,
    );
    expect(await attempt({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 's' })).toMatch(
      /set SLACK_STATE_SECRET/,
    );
    expect(
      await attempt({
        SLACK_CLIENT_ID: '1.2',
        SLACK_CLIENT_SECRET: 's',
        SLACK_STATE_SECRET: 'state',
        ANSWERLOOP_SLACK__MODE: 'socket',
        SLACK_APP_TOKEN: 'xapp-1',
      }),
    ).toMatch(/oauth needs slack\.mode: http/);
  });
});
