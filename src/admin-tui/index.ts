// The operator dashboard: `answerloop tui`, and `npm start` without a chat platform.
import { userInfo } from 'node:os';
import { render } from 'ink';
import { createElement } from 'react';
import type { Core } from '../core/index.ts';
import { Dashboard } from './app.tsx';
import { isScreenName, type ScreenName, screenNames } from './state/navigation.ts';
import { LiveTerminalSize } from './terminal/terminal-size.tsx';

export { isScreenName, screenNames, type ScreenName };

export interface DashboardOptions {
  /** The screen shown first (default: overview). */
  screen?: ScreenName;
  /** Recorded with review actions and snapshots (default: the operating-system user). */
  reviewer?: string;
  /** Command that edits a file, for corrections in $EDITOR (default: none; the inline editor still works). */
  editor?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

const enterAlternateScreen = '\u001b[?1049h\u001b[H';
const leaveAlternateScreen = '\u001b[?1049l';

function defaultReviewer(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/**
 * Opens the dashboard full-screen and resolves when the operator quits. The terminal's own screen comes back
 * untouched afterwards (the alternate screen), as with less or vim.
 */
export async function runDashboard(core: Core, options: DashboardOptions = {}): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const fullScreen = Boolean(stdout.isTTY);
  if (fullScreen) stdout.write(enterAlternateScreen);
  const app = createElement(
    LiveTerminalSize,
    null,
    createElement(Dashboard, {
      core,
      initialScreen: options.screen,
      reviewer: options.reviewer ?? defaultReviewer(),
      editor: options.editor,
    }),
  );
  const instance = render(app, {
    stdout,
    stdin,
    // Ctrl+C is a command like any other (it works even while typing), so the dashboard can close cleanly.
    exitOnCtrlC: false,
    // Ink 6.8's incremental mode misplaces the cursor by a line when the frame ends in a newline (as ours does, one
    // row short of the terminal so Ink never clears the screen), which scrolls the dashboard. The standard mode
    // redraws the frame inside a synchronized update, so terminals that support it show no flicker either.
    incrementalRendering: false,
    // Stray console output would tear the layout; it can only reach the real terminal.
    patchConsole: stdout === process.stdout,
  });
  try {
    await instance.waitUntilExit();
  } finally {
    instance.cleanup();
    if (fullScreen) stdout.write(leaveAlternateScreen);
  }
}
