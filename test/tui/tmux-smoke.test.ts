import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const inCi = process.env.CI === 'true';

if (!hasTmux && !inCi) {
  console.warn(
    'tmux-smoke: skipped because tmux is not installed (install tmux to run the real dashboard in a terminal).',
  );
}

/**
 * The real binary in a real terminal: `node bin/answerloop.js tui` in a detached tmux session on its own server,
 * driven with send-keys and read with capture-pane.
 */
describe.skipIf(!hasTmux && !inCi)('answerloop tui in tmux', () => {
  // A private tmux server, so the test never touches an operator's sessions.
  const socket = `answerloop-smoke-${process.pid}`;
  const session = 'dashboard';
  let dataDir: string;

  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const capture = () => tmux('capture-pane', '-p', '-t', session);
  const send = (...keys: string[]) => tmux('send-keys', '-t', session, ...keys);

  async function waitForPane(pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pane = capture();
      if (typeof pattern === 'string' ? pane.includes(pattern) : pattern.test(pane)) return pane;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${String(pattern)}; the pane shows:\n${pane}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(() => {
    if (!hasTmux)
      throw new Error('tmux is required for the dashboard smoke test in CI: install it (see .ci/run).');
    dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-tmux-'));
    // CI is unset for the dashboard itself: Ink draws nothing interactive when it believes it runs in CI.
    const command = [
      'env -u CI',
      `ANSWERLOOP_DATA_DIR=${JSON.stringify(dataDir)}`,
      'ANSWERLOOP_LOG_FILE=',
      'TERM=xterm-256color',
      'node bin/answerloop.js tui',
      // Keep the pane after the dashboard exits, to see how it left the terminal.
      '; echo "dashboard exited: $?"; sleep 60',
    ].join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', repositoryRoot, command);
    // Pass Escape through at once, as a terminal does, instead of waiting to see whether a sequence follows.
    tmux('set-option', '-s', 'escape-time', '0');
  });

  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens on the Overview, moves between screens, shows help, follows a resize and quits cleanly', async () => {
    let pane = await waitForPane('Questions per day', 30_000);
    const lines = pane.split('\n');
    // Eight screens: at 80 columns the tabs give their numbers, with the current screen's name.
    expect(lines[0]).toMatch(/^ 1 Overview {1,2}2 3 4 5 6 7 8/);
    expect(pane).toMatch(/Knowledge\s+0 documents · 0 passages/);
    expect(pane).toMatch(/r refresh .*│ 1-8\/tab screens · \? help · q quit/);

    send('2');
    await waitForPane('feedback rated · status new · 0 conversations');
    send('Tab');
    await waitForPane('No dataset yet.');
    send('6');
    await waitForPane('0 documents · 0 passages');
    send('7');
    pane = await waitForPane('Ask a question the way a user would');
    // The question box has the keyboard: q is typed there, not taken as quit.
    send('q');
    await waitForPane(/Ask q/);
    send('Escape');
    await waitForPane('/ ask · ');
    send('?');
    await waitForPane('Keys: Playground');
    send('Escape');
    await waitForPane('Ask a question the way a user would');
    send('8');
    await waitForPane('No gaps: every question of the window was answered with confidence');
    send('7');
    await waitForPane('Ask a question the way a user would');

    tmux('resize-window', '-t', session, '-x', '100', '-y', '30');
    pane = await waitForPane(/Keys|Ask a question/);
    send('1');
    pane = await waitForPane(/Knowledge\s+0 documents.*Questions per day/);
    // Nothing was scrolled away: the tabs are still on the first line.
    expect(pane.split('\n')[0]).toMatch(/^ 1 Overview /);

    send('q');
    pane = await waitForPane('dashboard exited: 0');
    // The alternate screen is gone: the dashboard left the terminal as it found it.
    expect(pane).not.toContain('Questions per day');
  }, 60_000);
});
