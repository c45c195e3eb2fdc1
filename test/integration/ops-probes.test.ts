/**
 * The probes of `answerloop start` over real HTTP, on a core with the embedded store: /readyz reports every check,
 * and a check that never answers is reported as such after its bound instead of holding the probe open.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { type Core, createCore, loadConfig, silentLogger } from '../../src/core/index.ts';
import { startOpsServer } from '../../src/ops/ops-server.ts';
import { coreReadinessChecks, createOpsHandlers, type ReadinessCheck } from '../../src/ops/probes.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';

describe('readiness probe', () => {
  let workspace: string;
  let core: Core;

  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'answerloop-probes-'));
    const config = loadConfig({
      cwd: workspace,
      env: { ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'), ANSWERLOOP_LOG_FILE: '' },
    });
    const store = createSqliteStore({ file: ':memory:', logger: silentLogger });
    core = createCore({ config, store, embedder: createDeterministicEmbedder(64), logger: silentLogger });
  });

  afterEach(async () => {
    await core.close();
    await rm(workspace, { recursive: true, force: true });
  });

  const readiness = async (extra: ReadinessCheck[]) => {
    const handlers = createOpsHandlers(core, () => [...coreReadinessChecks(core), ...extra]);
    const server = await startOpsServer(handlers, { host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/readyz`);
      return {
        status: response.status,
        body: (await response.json()) as {
          ok: boolean;
          checks: Record<string, { ok: boolean; detail?: string }>;
        },
      };
    } finally {
      await server.close();
    }
  };

  it('is ready when the store and the model answer', async () => {
    const { status, body } = await readiness([]);
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(['model', 'store']);
  });

  it('reports a check that never answers as failed after two seconds, and one that throws with its message', async () => {
    const { status, body } = await readiness([
      { name: 'gateway', check: () => new Promise(() => {}) },
      {
        name: 'broken',
        check: () => Promise.reject(new Error('the socket closed')),
      },
    ]);
    expect(status).toBe(503);
    expect(body.ok).toBe(false);
    expect(body.checks.store).toMatchObject({ ok: true });
    expect(body.checks.gateway).toEqual({ ok: false, detail: 'no answer within 2000 ms' });
    expect(body.checks.broken).toEqual({ ok: false, detail: 'the socket closed' });
  });
});
