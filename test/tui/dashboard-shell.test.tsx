import '../support/tui/interactive-ink.ts';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDashboard } from '../../src/admin-tui/index.ts';
import { keys, openTestCore, renderDashboard, type TestCore } from '../support/tui/dashboard-harness.tsx';

/** Terminal streams for runDashboard: a keyboard we type into and a screen that keeps what is drawn. */
function fakeTerminal(columns: number, rows: number) {
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    chunks: [] as string[],
    setEncoding() {},
    setRawMode() {},
    ref() {},
    unref() {},
    resume() {},
    pause() {},
    read(this: { chunks: string[] }) {
      return this.chunks.shift() ?? null;
    },
  });
  const written: string[] = [];
  const stdout = Object.assign(new EventEmitter(), {
    isTTY: false,
    columns,
    rows,
    write: (text: string) => written.push(text) > 0,
  });
  const type = (text: string) => {
    stdin.chunks.push(text);
    stdin.emit('readable');
  };
  return {
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    type,
    written,
  };
}

describe('dashboard shell', () => {
  let test: TestCore;

  beforeAll(() => {
    test = openTestCore();
  });

  afterAll(async () => {
    await test.close();
  });

  it('switches screens with tab, shift+tab and number keys; the footer follows the screen', async () => {
    const dashboard = renderDashboard(test.core);
    let frame = await dashboard.waitFor('Questions per day');
    expect(frame.split('\n').at(-1)).toMatch(/^r refresh .*│ 1-8\/tab screens · \? help · q quit$/);
    await dashboard.press(keys.tab);
    frame = await dashboard.waitFor('feedback rated · status new');
    expect(frame.split('\n').at(-1)).toMatch(/^a approve · c correct/);
    await dashboard.press(keys.shiftTab);
    await dashboard.waitFor('Questions per day');
    await dashboard.press('6');
    await dashboard.waitFor('0 documents · 0 passages');
    await dashboard.press('7');
    frame = await dashboard.waitFor('Ask a question the way a user would');
    // The playground's box has the keyboard: q is typed, not quit.
    await dashboard.type('q');
    frame = await dashboard.waitFor(/│ Ask q/);
    await dashboard.press(keys.escape, '1');
    await dashboard.waitFor('Questions per day');
    dashboard.unmount();
  });

  it('shows every key of the current screen on ?, and closes help on q without quitting', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'review' });
    await dashboard.waitFor('feedback rated');
    await dashboard.press('?');
    const frame = await dashboard.waitFor('Keys: Review');
    expect(frame).toMatch(/a\s+The answer is good: it becomes a training example\./);
    expect(frame).toMatch(/c\s+Write the right answer/);
    expect(frame).toMatch(/1-8\s+Jump to a screen/);
    expect(frame).toMatch(/↑↓ jk g G PgUp\/Dn\s+Move in the list/);
    expect(frame).toMatch(/q C-c\s+Leave the dashboard/);
    // The whole help fits 80x24.
    expect(frame.split('\n').length).toBeLessThanOrEqual(23);
    expect(frame).toMatch(/Everywhere/);
    await dashboard.press('q');
    await dashboard.waitFor('feedback rated');
    expect(dashboard.lastFrame()).not.toContain('Keys: Review');
    dashboard.unmount();
  });

  it('fits 80x24 and follows a resize to a smaller and a larger terminal', async () => {
    const dashboard = renderDashboard(test.core, { screen: 'overview' });
    let frame = await dashboard.waitFor('Questions per day');
    const fits = (text: string, columns: number, rows: number) => {
      const lines = text.split('\n');
      expect(lines.length).toBeLessThanOrEqual(rows - 1);
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
    };
    fits(frame, 80, 24);
    // Eight screens: at 80 columns the tabs give numbers, with the current screen's name.
    expect(frame.split('\n')[0]).toMatch(/^ 1 Overview {1,2}2 3 4 5 6 7 8/);

    dashboard.resize({ columns: 60, rows: 20 });
    frame = await dashboard.waitFor(/^ 1 Overview {1,2}2 3 4 5 6 7/m);
    fits(frame, 60, 20);

    dashboard.resize({ columns: 120, rows: 40 });
    frame = await dashboard.waitFor(/Knowledge\s+0 documents.*Questions per day/);
    fits(frame, 120, 40);
    expect(frame.split('\n')[0]).toMatch(/1 Overview .*7 Playground 8 Insights/);
    dashboard.unmount();
  });

  it('runDashboard opens on the screen asked for and resolves when the operator quits', async () => {
    const terminal = fakeTerminal(80, 24);
    let finished = false;
    const running = runDashboard(test.core, {
      screen: 'knowledge',
      stdin: terminal.stdin,
      stdout: terminal.stdout,
      reviewer: 'ops',
    }).then(() => {
      finished = true;
    });
    await expect.poll(() => terminal.written.join('')).toContain('passages');
    expect(finished).toBe(false);
    terminal.type('q');
    await running;
    expect(finished).toBe(true);
  });
});
