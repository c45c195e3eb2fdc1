import { type Command, InvalidArgumentError } from 'commander';
// The screen names only: Ink and React load when the dashboard opens, so other commands start fast.
import { isScreenName, screenNames, type ScreenName } from '../admin-tui/state/navigation.ts';
import { createCore } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';

function parseScreen(value: string): ScreenName {
  const name = value.toLowerCase();
  if (!isScreenName(name)) throw new InvalidArgumentError(`expected one of ${screenNames.join(', ')}`);
  return name;
}

/**
 * Opens the dashboard on its own core, without log lines on stderr (they would be drawn over the screen;
 * the log file has them). Resolves when the operator quits.
 */
export async function openDashboard(
  context: CliContext,
  options: { screen?: ScreenName; reviewer?: string; keepSourcesFresh?: boolean },
): Promise<void> {
  const { runDashboard } = await import('../admin-tui/index.ts');
  const core = createCore({ config: context.config() });
  // From `answerloop start`: knowledge.sources keep refreshing while the dashboard is open.
  const background = options.keepSourcesFresh ? core.background.start() : undefined;
  try {
    await runDashboard(core, {
      screen: options.screen,
      reviewer: options.reviewer,
      // The conventional variables every terminal program honours for "open my editor".
      editor: process.env.VISUAL || process.env.EDITOR || undefined,
    });
  } finally {
    await background?.stop();
    await core.close();
  }
}

export function registerTui(program: Command, context: CliContext): void {
  program
    .command('tui')
    .description(
      'open the operator dashboard: review, datasets, training, models, knowledge and a playground',
    )
    .option('-s, --screen <name>', `screen to open first (${screenNames.join(', ')})`, parseScreen)
    .option('--reviewer <name>', 'name recorded with your review actions (default: your user name)')
    .action(async (options: { screen?: ScreenName; reviewer?: string }) => {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        process.stderr.write(
          'The dashboard needs an interactive terminal; use `answerloop review`, `dataset`, `train` or `models` in scripts.\n',
        );
        process.exitCode = 2;
        return;
      }
      await openDashboard(context, options);
    });
}
