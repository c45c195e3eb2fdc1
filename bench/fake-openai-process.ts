import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FakeOpenAi {
  /** Base URL for the SDK (`openai.baseUrl`), ending in /v1. */
  baseUrl: string;
  /** Milliseconds the server spent on each chat request so far. */
  handlingMs(): Promise<number[]>;
  stop(): Promise<void>;
}

/**
 * Starts bench/fake-openai-server.ts in its own process: on a 2-core machine it then uses the other core
 * instead of taking event-loop time from the code being measured.
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const script = fileURLToPath(new URL('./fake-openai-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error('The fake OpenAI server did not start within 20 s.')),
      20_000,
    );
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString('utf8');
      const match = /READY (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The fake OpenAI server exited early (code ${code}).`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/v1`,
    async handlingMs() {
      const response = await fetch(`${origin}/stats`);
      return ((await response.json()) as { handlingMs: number[] }).handlingMs;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
