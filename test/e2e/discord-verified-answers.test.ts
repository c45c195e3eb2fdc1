import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEmbedder } from '../../src/core/adapters/local-embedder/index.ts';
import { silentLogger } from '../../src/core/index.ts';
import { discordIds, type RecordedRequest, slashCommandInteraction } from '../fakes/fake-discord.ts';
import { useLocalModel } from '../support/local-model.ts';
import { type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

interface SentMessage {
  embeds: Array<{
    title?: string;
    description?: string;
    fields?: Array<{ name: string; value: string }>;
    footer?: { text: string };
  }>;
  components: Array<{ components: Array<{ custom_id: string }> }>;
}

const model = useLocalModel();
const sent = (request: RecordedRequest) => request.body as unknown as SentMessage;
const conversationIdOf = (message: SentMessage) =>
  message.components[0]!.components[0]!.custom_id.split(':').at(-1)!;

describe.skipIf(!model)(
  'Discord shows a verified answer as verified by the support team (discord.js, fake Discord)',
  () => {
    let harness: DiscordHarness;

    async function ask(question: string): Promise<SentMessage> {
      const interaction = harness.interact(
        slashCommandInteraction('ask', [{ name: 'question', type: 3, value: question }]),
      );
      // The local model embeds each question: allow for a busy machine.
      const edit = await harness.fake.waitForRequest(
        (request) =>
          request.method === 'PATCH' &&
          request.path === `/webhooks/${discordIds.application}/${interaction.token}/messages/@original`,
        30_000,
      );
      return sent(edit);
    }

    beforeAll(async () => {
      harness = await startDiscordHarness({
        embedder: createLocalEmbedder({ ...model!, allowRemote: false, logger: silentLogger }),
        // Embedding with the real model can hold the event loop past a short heartbeat on a busy machine.
        fake: { heartbeatIntervalMs: 5000 },
      });
    }, 120_000);
    afterAll(async () => {
      await harness?.stop();
    });

    it(
      'answers a reworded /ask with the verified answer, its original sources and the verified footer',
      { timeout: 120_000 },
      async () => {
        const first = await ask('How do I reset my password?');
        expect(first.embeds[0]!.footer?.text).toBe('extractive answer');
        const conversationId = conversationIdOf(first);
        await harness.core.curation.correct({
          conversationId,
          reviewer: 'maria',
          answer:
            'Go to Settings, Security and click "Send reset link" [1]. The email can take five minutes; check the spam folder.',
        });
        const { verified } = await harness.core.verified.publish({ conversationId, reviewer: 'maria' });

        const answer = await ask('I forgot my password and cannot sign in, what do I do?');
        const embed = answer.embeds[0]!;
        expect(embed.description).toContain('check the spam folder');
        expect(embed.footer?.text).toBe('✅ Verified by the support team');
        expect(embed.fields?.[0]?.value).toContain(
          '**[1]** Accounts › Resetting your password · `docs/accounts.md`',
        );
        expect(await harness.core.getConversation(conversationIdOf(answer))).toMatchObject({
          platform: 'discord',
          model: 'verified',
          verifiedAnswerId: verified.id,
        });

        await harness.core.verified.retire({ id: verified.id, reviewer: 'maria' });
        const afterRetiring = await ask('I forgot my password and cannot sign in, what do I do?');
        expect(afterRetiring.embeds[0]!.footer?.text).toBe('extractive answer');
        expect(afterRetiring.embeds[0]!.description).not.toContain('check the spam folder');
        expect(harness.fake.rejectedRequests()).toEqual([]);
      },
    );
  },
);
