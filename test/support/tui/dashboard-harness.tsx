import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { Dashboard } from '../../../src/admin-tui/app.tsx';
import type { ScreenName } from '../../../src/admin-tui/state/navigation.ts';
import { FixedTerminalSize, type TerminalSize } from '../../../src/admin-tui/terminal/terminal-size.tsx';
import { createSqliteStore } from '../../../src/core/adapters/sqlite/index.ts';
import { type Core, createCore, loadConfig, silentLogger, type Store } from '../../../src/core/index.ts';
import { createDeterministicEmbedder } from '../../fakes/deterministic-embedder.ts';

export const repositoryRoot = path.resolve(import.meta.dirname, '../../..');
export const fixtureDocs = path.join(repositoryRoot, 'test/fixtures/answering-docs');
export const openAiKey = 'sk-test-dashboard-0000000000000000';

export interface TestCore {
  core: Core;
  /** The store under the core, for seeding records no dashboard action makes (models, evaluations). */
  store: Store;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A real core on the embedded SQLite store in a temporary data folder, with the deterministic embedder.
 * `openAi: true` sets an API key so answering, training and evaluation go to api.openai.com (which tests nock).
 */
export function openTestCore(
  options: { openAi?: boolean; overrides?: Record<string, unknown> } = {},
): TestCore {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-tui-'));
  const env: Record<string, string> = { ANSWERLOOP_DATA_DIR: dataDir, ANSWERLOOP_LOG_FILE: '' };
  if (options.openAi) env.OPENAI_API_KEY = openAiKey;
  const config = loadConfig({
    cwd: repositoryRoot,
    env,
    overrides: {
      openai: { maxRetries: 0, timeoutMs: 5000 },
      answering: { stream: false },
      ...options.overrides,
    },
  });
  const store = createSqliteStore({ file: path.join(dataDir, 'answerloop.db'), logger: silentLogger });
  const core = createCore({ config, store, embedder: createDeterministicEmbedder(), logger: silentLogger });
  return {
    core,
    store,
    dataDir,
    async close() {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Terminal key sequences, as a terminal sends them. */
export const keys = {
  tab: '\t',
  shiftTab: '\u001b[Z',
  enter: '\r',
  escape: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  backspace: '\u007f',
  ctrl: (letter: string) => String.fromCharCode(letter.toLowerCase().charCodeAt(0) - 96),
} as const;

export interface DashboardHarness {
  lastFrame(): string;
  /** Every frame drawn so far, oldest first: for states that pass quickly, like a progress bar. */
  frames(): string[];
  /** Types keys one write at a time, letting the dashboard render between them. */
  press(...sequences: string[]): Promise<void>;
  /** Types text as one paste. */
  type(text: string): Promise<void>;
  /** Waits until the newest frame matches, or fails with the frame. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Like waitFor, for a message that may wrap: the frame's lines are joined with single spaces first. */
  waitForWrapped(text: string, timeoutMs?: number): Promise<string>;
  resize(size: TerminalSize): void;
  unmount(): void;
}

/**
 * Lets React commit and run its effects (Ink's key handlers are re-subscribed in effects) before the next key.
 * Timers run before immediates after a busy moment (a synchronous SQLite call), so a few rounds of both.
 */
async function settle(): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Renders the whole dashboard at a fixed size (80x24 by default), the way gemini-cli's tests render with providers. */
export function renderDashboard(
  core: Core,
  options: { screen?: ScreenName; size?: TerminalSize; reviewer?: string } = {},
): DashboardHarness {
  const element = (size: TerminalSize) => (
    <FixedTerminalSize size={size}>
      <Dashboard core={core} initialScreen={options.screen} reviewer={options.reviewer ?? 'ops@test'} />
    </FixedTerminalSize>
  );
  const instance = render(element(options.size ?? { columns: 80, rows: 24 }));
  const lastFrame = () => instance.lastFrame() ?? '';
  return {
    lastFrame,
    frames: () => [...instance.frames],
    async press(...sequences) {
      await settle();
      for (const sequence of sequences) {
        instance.stdin.write(sequence);
        await settle();
      }
    },
    async type(text) {
      await settle();
      instance.stdin.write(text);
      await settle();
    },
    async waitFor(pattern, timeoutMs = 5000) {
      const matcher =
        typeof pattern === 'string'
          ? (frame: string) => frame.includes(pattern)
          : (frame: string) => pattern.test(frame);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = lastFrame();
        if (matcher(frame)) return frame;
        if (Date.now() > deadline)
          throw new Error(`Timed out waiting for ${String(pattern)} in the frame:\n${frame}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    waitForWrapped(text, timeoutMs) {
      const words = text
        .trim()
        .split(/\s+/)
        .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      return this.waitFor(new RegExp(words.join('\\s+')), timeoutMs);
    },
    resize(size) {
      instance.rerender(element(size));
    },
    unmount() {
      instance.unmount();
    },
  };
}
