import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackBot, startSlackBot } from '../../src/bot/slack/index.ts';
import { createLocalEmbedder } from '../../src/core/adapters/local-embedder/index.ts';
import { type Core, createCore, loadConfig, silentLogger } from '../../src/core/index.ts';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/fake-slack-api.ts';
import { appMentionEvent, eventEnvelope, postToSlackApp } from '../fakes/fake-slack-payloads.ts';
import { useLocalModel } from '../support/local-model.ts';

const signingSecret = 'test-signing-secret';
const docsDir = fileURLToPath(new URL('../fixtures/answering-docs/', import.meta.url));
const model = useLocalModel();

type Block = {
  type: string;
  block_id?: string;
  elements?: Array<Record<string, unknown>>;
  text?: { text: string };
};

describe.skipIf(!model)(
  'Slack shows a verified answer as verified by the support team (Bolt over HTTP, fake Slack)',
  () => {
    let dataDir: string;
    let fake: FakeSlackApi;
    let core: Core;
    let bot: SlackBot;
    let timestamp = 1_800_000_000;

    /** Mentions the bot with a question and returns its final answer in the thread: the text and the blocks under it. */
    async function mention(text: string): Promise<{ text: string; blocks: Block[] }> {
      timestamp += 1;
      const ts = `${timestamp}.000100`;
      const response = await postToSlackApp(
        bot.port!,
        eventEnvelope(appMentionEvent({ user: 'UALICE', channel: 'CSUPPORT', ts, text })),
        { signingSecret },
      );
      expect(response.status).toBe(200);
      await bot.idle();
      const answer = fake.messages.find(
        (message) =>
          message.thread_ts === ts &&
          (message.blocks ?? []).some((block) => (block as Block).block_id === 'answer_feedback'),
      );
      expect(answer).toBeDefined();
      const blocks = (answer!.blocks ?? []) as Block[];
      // Streamed answers carry their text in the message; others in section blocks.
      const sections = blocks
        .filter((block) => block.type === 'section')
        .map((block) => block.text?.text ?? '');
      return { text: [answer!.text, ...sections].join('\n'), blocks };
    }
    const blockText = (answer: { blocks: Block[] }, id: string) =>
      JSON.stringify(answer.blocks.find((block) => block.block_id === id) ?? null);
    const answerText = (answer: { text: string }) => answer.text;
    const conversationIdOf = (answer: { blocks: Block[] }) =>
      String(answer.blocks.find((block) => block.block_id === 'answer_feedback')?.elements?.[0]?.value ?? '');

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-slack-verified-'));
      fake = await startFakeSlackApi();
      const config = loadConfig({
        env: {
          ANSWERLOOP_DATA_DIR: dataDir,
          SLACK_BOT_TOKEN: 'xoxb-test',
          SLACK_SIGNING_SECRET: signingSecret,
          ANSWERLOOP_SLACK__MODE: 'http',
          ANSWERLOOP_SLACK__API_URL: fake.url,
          ANSWERLOOP_SLACK__UPDATE_INTERVAL_MS: '0',
          // The answer's blocks, text and footer in one chat.update (native streaming sends the text apart).
          ANSWERLOOP_SLACK__STREAM: 'update',
        },
        overrides: { logFile: '' },
      });
      core = createCore({
        config,
        embedder: createLocalEmbedder({ ...model!, allowRemote: false, logger: silentLogger }),
        logger: silentLogger,
      });
      await core.ingest([docsDir]);
      bot = await startSlackBot(core, { port: 0 });
    }, 120_000);

    afterAll(async () => {
      await bot?.stop();
      await core?.close();
      await fake?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it(
      'answers the next person asking in other words with the verified answer, labelled, with its original sources',
      { timeout: 120_000 },
      async () => {
        const first = await mention('How do I reset my password?');
        expect(blockText(first, 'answer_footer')).not.toContain('Verified by the support team');
        const conversationId = conversationIdOf(first);
        await core.curation.correct({
          conversationId,
          reviewer: 'maria',
          answer:
            'Settings, Security, then "Send reset link" [1]. Nothing in your inbox after five minutes? Check the spam folder.',
        });
        await core.verified.publish({ conversationId, reviewer: 'maria' });

        const verified = await mention('I forgot my password and cannot sign in, what do I do?');
        expect(answerText(verified)).toContain('Check the spam folder.');
        expect(blockText(verified, 'answer_footer')).toContain(
          ':white_check_mark: Verified by the support team',
        );
        expect(blockText(verified, 'answer_sources')).toContain('Accounts and sign-in');
        expect(blockText(verified, 'answer_sources')).toContain('accounts.md');
        expect(await core.getConversation(conversationIdOf(verified))).toMatchObject({
          platform: 'slack',
          model: 'verified',
        });

        const [record] = await core.verified.list();
        await core.verified.retire({ id: record!.id, reviewer: 'maria' });
        const afterRetiring = await mention('I forgot my password and cannot sign in, what do I do?');
        expect(answerText(afterRetiring)).not.toContain('Check the spam folder.');
        expect(blockText(afterRetiring, 'answer_footer')).not.toContain('Verified by the support team');
      },
    );
  },
);
