import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(projectRoot, 'scripts/elasticsearch');
const tools = ['java', 'mvn', 'curl'].every(
  (tool) => spawnSync('bash', ['-c', `command -v ${tool}`]).status === 0,
);
if (!tools && process.env.CI === 'true')
  throw new Error('CI must test the Elasticsearch launcher: install a JDK 17, Maven and curl.');
if (!tools) console.warn('\n!!! java, mvn or curl is missing: SKIPPING the Elasticsearch launcher tests.\n');

/** A free port, so this node never meets the shared one on 9200. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;

function run(command: string, extra: string[] = []) {
  const result = spawnSync('bash', [script, command, '--port', String(port), ...extra], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!tools)('scripts/elasticsearch', () => {
  afterAll(() => {
    run('stop');
    rmSync(path.join(projectRoot, '.elasticsearch', `node-${port}`), { recursive: true, force: true });
    rmSync(path.join(projectRoot, '.elasticsearch', `node-${port}.lock`), { force: true });
  });

  it('starts a node, is idempotent, and stops it', { timeout: 240_000 }, async () => {
    const before = run('status');
    expect(before.status).toBe(3);
    expect(before.output).toContain(`not running on port ${port}`);
    expect(run('stop').status).toBe(0);

    const started = run('start');
    expect(started.status, started.output).toBe(0);
    expect(started.output).toContain(`Elasticsearch is ready at ${url}`);

    const again = run('start');
    expect(again.status).toBe(0);
    expect(again.output).toContain('already running');
    const status = run('status');
    expect(status.status).toBe(0);
    expect(status.output).toMatch(/status (green|yellow)/);

    // The stand-in plugins: GET / for the clients' info(), HEAD / for ping(), and the english analyzer.
    const root = (await (await fetch(url)).json()) as { version: { number: string } };
    expect(root.version.number).toBe('8.14.3');
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    const analyzed = await fetch(`${url}/_analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ analyzer: 'english', text: 'Resetting the passwords' }),
    });
    expect(
      ((await analyzed.json()) as { tokens: Array<{ token: string }> }).tokens.map((token) => token.token),
    ).toEqual(['reset', 'password']);

    const stopped = run('stop');
    expect(stopped.status).toBe(0);
    expect(stopped.output).toContain('stopped');
    expect(run('status').status).toBe(3);
    expect(run('stop').status).toBe(0);
  });

  it('refuses a port that another program holds', { timeout: 30_000 }, async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const result = run('start');
      expect(result.status).toBe(1);
      expect(result.output).toContain(`port ${port} is in use by another program`);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('rejects a bad port and an unknown command', () => {
    const badPort = spawnSync('bash', [script, 'start', '--port', 'abc'], { encoding: 'utf8' });
    expect(badPort.status).toBe(1);
    expect(badPort.stderr).toContain('--port must be a number');
    expect(spawnSync('bash', [script, 'restart'], { encoding: 'utf8' }).status).toBe(2);
  });
});
