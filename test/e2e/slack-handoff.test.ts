import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appMentionEvent, blockActionsPayload } from '../fakes/fake-slack-payloads.ts';
import type { FakeSlackCall } from '../fakes/fake-slack-api.ts';
import {
  type Block,
  type Harness,
  nextTs,
  startHarness,
  stopHarness,
} from '../support/slack-test-harness.ts';

const handoffButton = (blocks: Block[]) =>
  blocks
    .find((block) => block.block_id === 'answer_feedback')
    ?.elements?.find((element) => element.action_id === 'answer_handoff');

/** "Ask a person": the question goes to the channel's escalation place, once, and the asker hears who follows up. */
describe('Slack hand-off to a person', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      env: {
        ANSWERLOOP_SLACK__STREAM: 'off',
        ANSWERLOOP_SLACK__CHANNELS:
          '{CSUPPORT: {handoff: {channel: CHELPDESK, mention: S0SUPPORT}}, CBROKEN: {handoff: {channel: CLOCKED}}}',
      },
      // The bot was never invited to CLOCKED.
      fakeAnswer: (call) =>
        call.method === 'chat.postMessage' && call.body.channel === 'CLOCKED'
          ? { ok: false, error: 'not_in_channel' }
          : undefined,
    });
  });
  afterAll(async () => {
    await stopHarness(harness);
  });

  const escalations = (channel: string) =>
    harness.fake.callsTo('chat.postMessage').filter((call) => call.body.channel === channel);
  const privateNotices = (user: string) =>
    harness.fake.callsTo('chat.postEphemeral').filter((call: FakeSlackCall) => call.body.user === user);

  async function ask(channel: string, user: string, text: string) {
    const ts = nextTs();
    await harness.send(appMentionEvent({ user, channel, ts, text }));
    return { ts, answer: harness.answerIn(channel, ts)! };
  }

  async function click(
    channel: string,
    user: string,
    threadTs: string,
    answer: { ts: string; conversationId: string },
  ) {
    return harness.interact(
      blockActionsPayload({
        user,
        channel,
        message: { ts: answer.ts, thread_ts: threadTs },
        actionId: 'answer_handoff',
        value: answer.conversationId,
      }),
    );
  }

  it('offers the button only where a channel hands questions to people', async () => {
    const there = await ask('CSUPPORT', 'UALICE', 'How do I reset my password?');
    expect(handoffButton(there.answer.blocks)).toMatchObject({ value: there.answer.conversationId });
    const elsewhere = await ask('CGENERAL', 'UALICE', 'How do I reset my password?');
    expect(elsewhere.answer).toBeDefined();
    expect(handoffButton(elsewhere.answer.blocks)).toBeUndefined();
  });

  it('posts the question, answer, sources, confidence and a link to the escalation channel, marks it and tells the asker', async () => {
    const { ts, answer } = await ask('CSUPPORT', 'UALICE', 'How do I reset my password?');
    await click('CSUPPORT', 'UALICE', ts, answer);

    const [posted] = escalations('CHELPDESK');
    expect(escalations('CHELPDESK')).toHaveLength(1);
    expect(posted!.body.text).toContain('<!subteam^S0SUPPORT>');
    expect(posted!.body.text).toContain('<@UALICE>');
    const blocks = JSON.stringify(posted!.body.blocks);
    expect(blocks).toContain('How do I reset my password?');
    expect(blocks).toContain("The bot's answer");
    expect(blocks).toContain('Sources: [1] Accounts and sign-in"');
    expect(blocks).toMatch(/Confidence \d+%/);
    expect(blocks).toContain(`https://fake.slack.test/archives/CSUPPORT/p${answer.ts.replace('.', '')}`);

    const notice = privateNotices('UALICE').at(-1)!;
    expect(notice.body).toMatchObject({ channel: 'CSUPPORT', thread_ts: ts });
    expect(notice.body.text).toContain('<!subteam^S0SUPPORT>');
    expect(notice.body.text).toContain('<#CHELPDESK>');

    const record = await harness.core.getConversation(answer.conversationId);
    expect(record!.handoff).toMatchObject({ place: 'CHELPDESK' });
    // The review queue lists it with the mark.
    const { items } = await harness.core.listConversations({ order: 'review', limit: 50 });
    expect(items.find((item) => item.id === answer.conversationId)?.handoff).toBeTruthy();

    // A second click, and the same click delivered again, post nothing more.
    await click('CSUPPORT', 'UBOB', ts, answer);
    await click('CSUPPORT', 'UALICE', ts, answer);
    expect(escalations('CHELPDESK')).toHaveLength(1);
    expect(privateNotices('UBOB').at(-1)!.body.text).toContain('already with the support team');
    expect((await harness.core.renderMetrics()).text).toMatch(
      /answerloop_handoffs_total\{platform="slack",outcome="handed_off"\} 1\n/,
    );
  });

  it('hands over a refusal too, saying the bot did not know', async () => {
    const { ts, answer } = await ask('CSUPPORT', 'UCAROL', 'What is the capital of Peru?');
    const record = await harness.core.getConversation(answer.conversationId);
    expect(record!.refused).toBe(true);
    expect(handoffButton(answer.blocks)).toBeDefined();
    await click('CSUPPORT', 'UCAROL', ts, answer);
    expect(JSON.stringify(escalations('CHELPDESK').at(-1)!.body.blocks)).toContain('did not find this');
    expect((await harness.core.getConversation(answer.conversationId))!.handoff).toBeTruthy();
  });

  it('says so politely when it cannot post to the escalation place, logs why, and lets a later click try again', async () => {
    const { ts, answer } = await ask('CBROKEN', 'UDAVE', 'How do I reset my password?');
    await click('CBROKEN', 'UDAVE', ts, answer);
    expect(privateNotices('UDAVE').at(-1)!.body.text).toContain("couldn't reach the support team");
    expect((await harness.core.getConversation(answer.conversationId))!.handoff ?? null).toBeNull();
    const logged = harness.logger.entries.find(
      (entry) => entry.level === 'error' && entry.object.reason === 'not_in_channel',
    );
    expect(logged?.message).toContain('invite the bot to that channel');
    expect(logged?.object).toMatchObject({ channel: 'CLOCKED', conversationId: answer.conversationId });

    await click('CBROKEN', 'UDAVE', ts, answer);
    expect(escalations('CLOCKED')).toHaveLength(2);
  });
});
