import type { IncomingMessage, ServerResponse } from 'node:http';
import pTimeout from 'p-timeout';
import type { Core } from '../core/index.ts';

/** One thing readiness depends on: the store, a chat platform's connection, the embedding model. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface OpsHandlers {
  /** Routes by path; each answers GET only. */
  routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void>;
  /** From now on /readyz says 503, so load balancers stop sending before the process stops taking events. */
  markDraining(): void;
}

const checkTimeoutMs = 2000;

async function bounded(check: ReadinessCheck): Promise<{ name: string; ok: boolean; detail?: string }> {
  try {
    const result = await pTimeout(check.check(), {
      milliseconds: checkTimeoutMs,
      fallback: () => ({ ok: false, detail: `no answer within ${checkTimeoutMs} ms` }),
    });
    return { name: check.name, ...result };
  } catch (error) {
    return { name: check.name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The store answers (a light health call), and the embedding model has loaded once (then it stays loaded). */
export function coreReadinessChecks(core: Core): ReadinessCheck[] {
  let modelLoaded = false;
  return [
    {
      name: 'store',
      async check() {
        const health = await core.storeHealth();
        return { ok: health.ok, detail: health.status };
      },
    },
    {
      name: 'model',
      async check() {
        if (!modelLoaded) {
          await core.checkEmbedder();
          modelLoaded = true;
        }
        return { ok: true };
      },
    },
  ];
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

/**
 * GET /healthz: the process is alive and its event loop turns (200, always, unless it cannot answer at all).
 * GET /readyz: 200 when every check passes, 503 with the failing ones otherwise, and 503 while shutting down.
 * GET /metrics: Prometheus' text format.
 */
export function createOpsHandlers(core: Core, checks: () => ReadinessCheck[]): OpsHandlers {
  let draining = false;
  const routes: OpsHandlers['routes'] = {
    '/healthz': (_request, response) =>
      send(
        response,
        200,
        'application/json',
        JSON.stringify({ ok: true, replicaId: core.coordination.replicaId }),
      ),
    '/readyz': (_request, response) => {
      void Promise.all(checks().map(bounded)).then((results) => {
        const ok = !draining && results.every((result) => result.ok);
        const body = {
          ok,
          draining,
          checks: Object.fromEntries(results.map(({ name, ...rest }) => [name, rest])),
        };
        send(response, ok ? 200 : 503, 'application/json', JSON.stringify(body));
      });
    },
    '/metrics': (_request, response) => {
      core.renderMetrics().then(
        ({ contentType, text }) => send(response, 200, contentType, text),
        (error: unknown) =>
          send(
            response,
            500,
            'text/plain',
            `metrics failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    },
  };
  return {
    routes,
    markDraining() {
      draining = true;
    },
  };
}
