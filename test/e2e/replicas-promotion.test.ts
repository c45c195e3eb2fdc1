/**
 * Two real processes of bin/answerloop.js on the real Elasticsearch node: a promotion, then a rollback, done by the
 * CLI in a third process becomes the active model of both replicas within seconds (their /metrics say so).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchStore } from '../../src/core/adapters/elasticsearch/index.ts';
import { silentLogger } from '../../src/core/ports/index.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/fake-slack-api.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';
import { useLocalModel } from '../support/local-model.ts';
import {
  binary,
  eventually,
  freePort,
  killReplicas,
  type Replica,
  slackReplicaWorkspace,
  startReadyReplicas,
} from '../support/replicas.ts';

const url = await useElasticsearch();
const model = useLocalModel();
const candidate = 'ft:gpt-4o-mini-2024-07-18:acme:support:Repl1';

async function activeModelOf(replica: Replica): Promise<string | undefined> {
  const text = await (
    await fetch(`http://127.0.0.1:${replica.port}/metrics`, { signal: AbortSignal.timeout(3000) })
  ).text();
  return /answerloop_active_model_info\{model="([^"]+)"\} 1/.exec(text)?.[1];
}

describe.skipIf(!url || !model)('a promotion seen by every replica', () => {
  const prefix = uniqueIndexPrefix('promotion');
  let workspace: string;
  let fake: FakeSlackApi;
  let env: NodeJS.ProcessEnv;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    const closedPort = await freePort();
    ({ workspace, env } = slackReplicaWorkspace({
      name: 'promotion',
      elasticsearchUrl: url!,
      modelDir: model!.modelDir,
      slackApiUrl: fake.url,
      signingSecret: 'promotion-test-secret',
      env: {
        ANSWERLOOP_STORE__ELASTICSEARCH__INDEX_PREFIX: prefix,
        // Answers from "OpenAI" (nothing is asked here: a closed local port stands in for it).
        ANSWERLOOP_ANSWERING__MODE: 'auto',
        OPENAI_API_KEY: 'sk-test-key-000000000000',
        ANSWERLOOP_OPENAI__BASE_URL: `http://127.0.0.1:${closedPort}/v1`,
      },
    }));
    replicas.push(...(await startReadyReplicas(workspace, env, 2, { ingest: false })));
    // A candidate in the registry, as a finished fine-tuning job leaves it.
    const store = createElasticsearchStore({
      url: url!,
      indexPrefix: prefix,
      analyzer: 'english',
      requestTimeoutMs: 10_000,
      maxRetries: 0,
      bulkSize: 500,
      logger: silentLogger,
    });
    await store.saveModel({
      name: candidate,
      baseModel: 'gpt-4o-mini-2024-07-18',
      jobId: 'ftjob-replicas',
      datasetVersion: 'support@1',
      status: 'candidate',
      evaluation: null,
      promotedAt: null,
      previousActive: null,
      createdAt: new Date().toISOString(),
    });
    await store.close();
  }, 240_000);

  afterAll(async () => {
    await killReplicas(replicas);
    await fake?.close();
    if (url) await deleteIndices(url, prefix);
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it(
    'switches both replicas to a model promoted by the CLI, and back on rollback, within seconds',
    { timeout: 120_000 },
    async () => {
      const base = await activeModelOf(replicas[0]!);
      expect(base).toBe('gpt-4o-mini-2024-07-18');
      expect(await activeModelOf(replicas[1]!)).toBe(base);

      const cli = (...args: string[]) =>
        promisify(execFile)(process.execPath, [binary, ...args], { cwd: workspace, env, timeout: 60_000 });
      await cli('models', 'promote', candidate);
      const promotedAt = Date.now();
      const switched = await eventually(
        async () => (await Promise.all(replicas.map(activeModelOf))).every((name) => name === candidate),
        10_000,
      );
      const promotionSeenMs = Date.now() - promotedAt;

      await cli('models', 'rollback');
      const rolledBackAt = Date.now();
      const back = await eventually(
        async () => (await Promise.all(replicas.map(activeModelOf))).every((name) => name === base),
        10_000,
      );
      const rollbackSeenMs = Date.now() - rolledBackAt;
      console.log(
        `promotion seen by both replicas after ${promotionSeenMs} ms, rollback after ${rollbackSeenMs} ms`,
      );

      expect(switched).toBe(true);
      expect(back).toBe(true);
      expect(promotionSeenMs).toBeLessThan(5000);
      expect(rollbackSeenMs).toBeLessThan(5000);
    },
  );
});
