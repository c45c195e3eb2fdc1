import { connect, createServer } from 'node:net';

/**
 * A port on 127.0.0.1 where a connection is refused. A port picked by listening on port 0 and closing again can be
 * handed to the next process that asks for a free port (the replica and fake-server tests start many), so a test
 * that needs "nothing listens here" first takes port 2 (privileged, nothing here serves it, and not one of the
 * "bad ports" fetch refuses to dial) when a connection to it is refused, and only otherwise falls back to a port
 * just released.
 */
export async function refusedPort(): Promise<number> {
  if (await refuses(2)) return 2;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
