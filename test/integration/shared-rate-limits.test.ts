/**
 * The per-user rate limit of the chat faces across processes (core.delivery.rateLimiter): two cores on one Elasticsearch (as two replicas
 * are) share one count per user, each process alone counts in memory when sharing is off, and a store that
 * cannot be reached lets the question through with a warning instead of blocking it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Core, createCore, loadConfig, type Logger } from '../../src/core/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import { deleteIndices, uniqueIndexPrefix, useElasticsearch } from '../support/elasticsearch.ts';

const url = await useElasticsearch();
const prefix = uniqueIndexPrefix('shared-rate-limits');
const root = mkdtempSync(path.join(tmpdir(), 'answerloop-rate-limits-'));

interface Entry {
  level: string;
  message?: string;
  [key: string]: unknown;
}

function recordingLogger(entries: Entry[]): Logger {
  const at = (level: string) => (object: Record<string, unknown>, message?: string) => {
    entries.push({ ...object, level, message });
  };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

const cores: Core[] = [];
function openCore(env: Record<string, string>, logs: Entry[] = []): Core {
  const config = loadConfig({
    cwd: root,
    env: { ANSWERLOOP_DATA_DIR: path.join(root, 'data'), ANSWERLOOP_LOG_FILE: '', ...env },
  });
  const core = createCore({ config, embedder: createDeterministicEmbedder(), logger: recordingLogger(logs) });
  cores.push(core);
  return core;
}

/** Each platform's limit per user and minute. */
const limits = (perMinute: number) => ({
  ANSWERLOOP_SLACK__RATE_LIMIT_PER_MINUTE: String(perMinute),
  ANSWERLOOP_DISCORD__RATE_LIMIT_PER_MINUTE: String(perMinute),
});

const onElasticsearch = (more: Record<string, string> = {}) => ({
  ANSWERLOOP_STORE__KIND: 'elasticsearch',
  ELASTICSEARCH_URL: url ?? '',
  ANSWERLOOP_STORE__ELASTICSEARCH__INDEX_PREFIX: prefix,
  ...more,
});

afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
});
afterAll(async () => {
  if (url) await deleteIndices(url, prefix);
  rmSync(root, { recursive: true, force: true });
});

async function allowedOf(
  limiter: { acquire(user: string): Promise<{ allowed: boolean }> },
  user: string,
  times: number,
) {
  let allowed = 0;
  for (let index = 0; index < times; index += 1) if ((await limiter.acquire(user)).allowed) allowed += 1;
  return allowed;
}

describe.skipIf(!url)('per-user rate limits across processes on one Elasticsearch', () => {
  it('counts a user against one limit on both replicas (sharedRateLimits: auto on Elasticsearch)', async () => {
    const logs: Entry[] = [];
    const env = onElasticsearch(limits(3));
    const [a, b] = [openCore(env, logs), openCore(env, logs)];
    const [onA, onB] = [a.delivery.rateLimiter('slack'), b.delivery.rateLimiter('slack')];
    expect(onA.shared && onB.shared).toBe(true);
    const user = `U${Date.now()}`;
    expect((await onA.acquire(user)).allowed).toBe(true);
    expect((await onB.acquire(user)).allowed).toBe(true);
    expect((await onA.acquire(user)).allowed).toBe(true);
    const refused = await onB.acquire(user);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect((await onA.acquire(user)).allowed).toBe(false);
    // The same id on the other platform is another person.
    expect((await b.delivery.rateLimiter('discord').acquire(user)).allowed).toBe(true);
    expect((await b.metrics.render()).text).toMatch(/rate_limited_total\{platform="slack"\} 1/);
    expect(logs.filter((entry) => entry.level === 'warn')).toEqual([]);
  });

  it('lets each process count for itself with sharedRateLimits: off', async () => {
    const off = onElasticsearch({ ANSWERLOOP_COORDINATION__SHARED_RATE_LIMITS: 'off', ...limits(2) });
    const [a, b] = [openCore(off), openCore(off)];
    const [onA, onB] = [a.delivery.rateLimiter('slack'), b.delivery.rateLimiter('slack')];
    expect(onA.shared).toBe(false);
    const user = `U${Date.now()}`;
    expect(await allowedOf(onA, user, 3)).toBe(2);
    expect(await allowedOf(onB, user, 3)).toBe(2);
  });

  it('lets the question through, with one warning, when the store cannot be reached', async () => {
    const logs: Entry[] = [];
    const core = openCore(
      onElasticsearch({
        ELASTICSEARCH_URL: 'http://127.0.0.1:9',
        ANSWERLOOP_STORE__ELASTICSEARCH__MAX_RETRIES: '0',
        ...limits(1),
      }),
      logs,
    );
    const limiter = core.delivery.rateLimiter('discord');
    expect(await allowedOf(limiter, 'U1', 4)).toBe(4);
    const warnings = logs.filter((entry) => entry.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(
      /shared rate limit could not reach the store; questions are let through/,
    );
    expect((await core.metrics.render()).text).toMatch(/rate_limit_fail_open_total\{platform="discord"\} 4/);
  });
});

describe('per-user rate limits on the embedded store', () => {
  it('counts in memory by default, and in the shared file with sharedRateLimits: on', async () => {
    const first = openCore(limits(1));
    expect(first.delivery.rateLimiter('slack').shared).toBe(false);
    // One limiter per platform and process: every handler asking core counts against the same window.
    expect((await first.delivery.rateLimiter('slack').acquire('U1')).allowed).toBe(true);
    expect((await first.delivery.rateLimiter('slack').acquire('U1')).allowed).toBe(false);
    expect((await first.delivery.rateLimiter('discord').acquire('U1')).allowed).toBe(true);
    await first.close();
    cores.splice(0);
    const on = { ANSWERLOOP_COORDINATION__SHARED_RATE_LIMITS: 'on', ...limits(2) };
    const [a, b] = [openCore(on), openCore(on)];
    const user = `U${Date.now()}`;
    expect(await allowedOf(a.delivery.rateLimiter('slack'), user, 2)).toBe(2);
    expect(await allowedOf(b.delivery.rateLimiter('slack'), user, 2)).toBe(0);
  });
});
