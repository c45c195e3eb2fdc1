import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchStore } from '../../src/core/adapters/elasticsearch/index.ts';
import { createLocalEmbedder } from '../../src/core/adapters/local-embedder/index.ts';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import {
  AnswerloopError,
  type Core,
  createCore,
  type Embedder,
  loadConfig,
  silentLogger,
  type Store,
} from '../../src/core/index.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { useLocalModel } from '../support/local-model.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/answering-docs');
const model = useLocalModel();
const elasticsearchUrl = await useElasticsearch();

const correction =
  'Open Settings, choose Security and click "Send reset link" [1]. The link is valid for 30 minutes [1]. ' +
  'No email after five minutes? Look in the spam folder, then write to the support team.';
const paraphrase = 'I forgot my password, how can I get back into my account?';

function makeCore(
  store: Store,
  embedder: Embedder,
  workspace: string,
  env: Record<string, string> = {},
): Core {
  const config = loadConfig({
    cwd: workspace,
    env: { ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'), ANSWERLOOP_LOG_FILE: '', ...env },
  });
  return createCore({ config, store, embedder, logger: silentLogger });
}

function defineSuite(storeName: string, openStore: () => Store) {
  describe(`verified answers on the ${storeName} store`, () => {
    let store: Store;
    let embedder: Embedder;
    let core: Core;
    let workspace: string;
    let verifiedId: string;

    beforeAll(async () => {
      workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-verified-'));
      cpSync(fixtures, path.join(workspace, 'docs'), { recursive: true });
      store = openStore();
      embedder = createLocalEmbedder({ ...model!, allowRemote: false, logger: silentLogger });
      core = makeCore(store, embedder, workspace);
      await core.ingest(['docs']);
    }, 120_000);

    afterAll(async () => {
      nock.cleanAll();
      await core?.close();
    });

    it('refuses to publish an answer nobody reviewed, saying how to review it', async () => {
      const asked = await core.ask({ question: 'How do I reset my password?', context: { platform: 'cli' } });
      const attempt = core.verified.publish({ conversationId: asked.conversationId, reviewer: 'ops' });
      await expect(attempt).rejects.toThrow(
        /is new: only an approved or corrected answer.*answerloop review approve/,
      );
      await expect(
        core.verified.publish({ conversationId: 'no-such-conversation', reviewer: 'ops' }),
      ).rejects.toMatchObject({ code: 'not_found' });
    });

    it('publishes a corrected answer with the sources it cites, and gives it to a reworded question at once', async () => {
      const asked = await core.ask({
        question: 'How do I reset my password?',
        context: { platform: 'slack', channel: 'C1' },
      });
      expect(asked.verified).toBeUndefined();
      await core.curation.correct({
        conversationId: asked.conversationId,
        reviewer: 'ops',
        answer: correction,
      });

      const published = await core.verified.publish({
        conversationId: asked.conversationId,
        reviewer: 'ops',
      });
      verifiedId = published.verified.id;
      expect(published.changed).toBe(true);
      expect(published.verified).toMatchObject({
        question: 'How do I reset my password?',
        status: 'active',
        stale: false,
        verifiedBy: 'ops',
      });
      expect(published.verified.sources).toHaveLength(1);
      expect(published.verified.sources[0]?.docId).toBe('docs/accounts.md');
      expect(
        (await core.verified.publish({ conversationId: asked.conversationId, reviewer: 'ops' })).changed,
      ).toBe(false);
      expect((await core.verified.list()).map((record) => record.id)).toEqual([verifiedId]);

      const result = await core.ask({ question: paraphrase, context: { platform: 'discord' } });
      expect(result.verified).toMatchObject({
        id: verifiedId,
        use: 'answer',
        verifiedBy: 'ops',
        question: 'How do I reset my password?',
      });
      expect(result.answer).toContain('Look in the spam folder');
      expect(result.model).toBe('verified');
      expect(result.refused).toBe(false);
      expect(result.sources.map((source) => source.docId)).toEqual(['docs/accounts.md']);
      expect(result.citations).toEqual([1]);
      expect(result.verified?.sources).toEqual([
        expect.objectContaining({ number: 1, docId: 'docs/accounts.md' }),
      ]);
      const record = await core.getConversation(result.conversationId);
      expect(record).toMatchObject({
        model: 'verified',
        verifiedAnswerId: verifiedId,
        answer: result.answer,
      });
      expect(record?.sources.map((source) => source.docId)).toEqual(['docs/accounts.md']);
    });

    it('is a passage of its own kind: tagged verified, found by search, and leaves other questions alone', async () => {
      const found = await core.search('password reset email', { filters: { tags: ['verified'] } });
      expect(found.hits.map((hit) => hit.chunk.docId)).toEqual([`verified/${verifiedId}`]);
      expect(found.hits[0]?.chunk.tags).toEqual(expect.arrayContaining(['verified', 'accounts']));
      expect(found.hits[0]?.chunk.title).toBe('How do I reset my password?');

      const other = await core.ask({
        question: 'How do I verify webhook signatures?',
        context: { platform: 'cli' },
      });
      expect(other.verified).toBeUndefined();
      expect(other.answer).not.toContain('spam folder');
    });

    it('serves the edited wording from then on', async () => {
      const edited = await core.verified.edit({
        id: verifiedId.slice(0, 6),
        reviewer: 'lead',
        answer: 'Use "Send reset link" under Settings, Security [1]. Still stuck? Write to the support team.',
      });
      expect(edited.changed).toBe(true);
      const result = await core.ask({ question: paraphrase, context: { platform: 'cli' } });
      expect(result.answer).toContain('Still stuck?');
      expect(result.verified).toMatchObject({ use: 'answer', verifiedBy: 'lead' });
    });

    it('flags the verified answer for review when a page it cites changes, and withdraws it until re-approved', async () => {
      const file = path.join(workspace, 'docs/accounts.md');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace('expires after 30 minutes', 'expires after 10 minutes'),
      );
      await core.ingest(['docs']);

      expect((await core.verified.list('stale')).map((record) => record.id)).toEqual([verifiedId]);
      expect((await core.verified.get(verifiedId)).staleDocIds).toEqual(['docs/accounts.md']);
      const withdrawn = await core.ask({ question: paraphrase, context: { platform: 'cli' } });
      expect(withdrawn.verified).toBeUndefined();
      expect((await core.search('password reset', { filters: { tags: ['verified'] } })).hits).toEqual([]);

      expect((await core.verified.reapprove({ id: verifiedId, reviewer: 'ops' })).changed).toBe(true);
      expect(await core.verified.list('stale')).toEqual([]);
      expect((await core.ask({ question: paraphrase, context: { platform: 'cli' } })).verified?.use).toBe(
        'answer',
      );
    });

    it('survives a rebuild of the knowledge index', async () => {
      const report = await core.ingest(['docs'], { rebuild: true });
      expect(report.changedDocIds).not.toContain(`verified/${verifiedId}`);
      expect((await core.ask({ question: paraphrase, context: { platform: 'cli' } })).verified?.id).toBe(
        verifiedId,
      );
      // A later ingest of the whole workspace does not prune it as a vanished file.
      await core.ingest(['.']);
      expect((await core.search('password reset', { filters: { tags: ['verified'] } })).hits).toHaveLength(1);
    }, 120_000);

    it('is a cited passage when it matches less well, and the answer says it rests on it', async () => {
      const strict = makeCore(store, embedder, workspace, {
        OPENAI_API_KEY: 'sk-test-0000000000000000000000',
        ANSWERLOOP_CURATION__VERIFIED_MIN_SIMILARITY: '0.99',
        ANSWERLOOP_ANSWERING__STREAM: 'false',
      });
      nock('https://api.openai.com')
        .post('/v1/chat/completions')
        .reply(200, (_uri, body) => {
          const user = (body as { messages: Array<{ role: string; content: string }> }).messages.at(
            -1,
          )!.content;
          const number = /<source id="(\d+)" title="[^"]*" location="verified\//.exec(user)?.[1] ?? '9';
          return {
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 1,
            model: 'gpt-4o-mini',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: `Use the reset link under Settings [${number}].` },
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          };
        });
      const result = await strict.ask({ question: paraphrase, context: { platform: 'cli' } });
      expect(result.verified).toMatchObject({ id: verifiedId, use: 'source' });
      expect(result.verified?.sources.map((source) => source.docId)).toEqual(['docs/accounts.md']);
      expect(result.sources[result.citations[0]! - 1]?.docId).toBe(`verified/${verifiedId}`);
    });

    it('saves nothing when the answer cannot be embedded, and publishing again after the fault completes it', async () => {
      let failing = true;
      const flaky: Embedder = {
        id: embedder.id,
        dimensions: embedder.dimensions,
        embed: (texts) =>
          failing ? Promise.reject(new Error('embedding service unavailable')) : embedder.embed(texts),
      };
      const faulty = makeCore(store, flaky, workspace);
      failing = false;
      const asked = await faulty.ask({
        question: 'How long are failed webhook deliveries retried?',
        context: { platform: 'cli' },
      });
      await faulty.curation.approve({ conversationId: asked.conversationId, reviewer: 'ops' });
      failing = true;
      await expect(
        faulty.verified.publish({ conversationId: asked.conversationId, reviewer: 'ops' }),
      ).rejects.toMatchObject({
        code: 'embedder_failed',
        message: expect.stringContaining('embedding service unavailable'),
      });
      expect((await core.verified.list()).map((record) => record.originConversationId)).not.toContain(
        asked.conversationId,
      );
      failing = false;
      const published = await faulty.verified.publish({
        conversationId: asked.conversationId,
        reviewer: 'ops',
      });
      expect(published.changed).toBe(true);
      expect(
        (await core.search('webhook deliveries retried', { filters: { tags: ['verified'] } })).hits.map(
          (hit) => hit.chunk.docId,
        ),
      ).toContain(`verified/${published.verified.id}`);
      await faulty.verified.retire({ id: published.verified.id, reviewer: 'ops' });
    });

    it('retires it: gone from answers and search, kept in the list as retired', async () => {
      const retired = await core.verified.retire({ id: verifiedId, reviewer: 'ops' });
      expect(retired.verified).toMatchObject({ status: 'retired', retiredBy: 'ops' });
      expect((await core.verified.retire({ id: verifiedId, reviewer: 'ops' })).changed).toBe(false);
      expect((await core.search('password reset email', { filters: { tags: ['verified'] } })).hits).toEqual(
        [],
      );
      const result = await core.ask({ question: paraphrase, context: { platform: 'cli' } });
      expect(result.verified).toBeUndefined();
      expect(result.answer).not.toContain('Still stuck?');
      expect(await core.verified.list()).toEqual([]);
      expect((await core.verified.list('retired')).map((record) => record.id)).toContain(verifiedId);
      await expect(
        core.verified.edit({ id: verifiedId, reviewer: 'ops', answer: 'x' }),
      ).rejects.toBeInstanceOf(AnswerloopError);
    });
  });
}

describe.skipIf(!model)('verified answers', () => {
  defineSuite('embedded', () => createSqliteStore({ file: ':memory:', logger: silentLogger }));

  describe.skipIf(!elasticsearchUrl)('elasticsearch', () => {
    const indexPrefix = uniqueIndexPrefix('verified');
    afterAll(() => deleteIndices(elasticsearchUrl!, indexPrefix));
    defineSuite('elasticsearch', () =>
      createElasticsearchStore({
        url: elasticsearchUrl!,
        indexPrefix,
        analyzer: 'english',
        requestTimeoutMs: 10_000,
        maxRetries: 0,
        bulkSize: 500,
        logger: silentLogger,
      }),
    );
  });
});
