import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnswerloopError } from '../core/index.ts';
import type { OpsHandlers } from './probes.ts';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** The probes and metrics on a port of their own (ops.port), for processes without an HTTP face. */
export async function startOpsServer(
  handlers: OpsHandlers,
  options: { host: string; port: number },
): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = handlers.routes[path];
    if (!route) {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`Not found. Try ${Object.keys(handlers.routes).join(', ')}.\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    route(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new AnswerloopError(
              'config_invalid',
              `Port ${options.port} for the probes is in use: set ops.port (ANSWERLOOP_OPS__PORT) to a free one.`,
              { cause: error },
            )
          : error,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
