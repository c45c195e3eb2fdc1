import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `tui` command is being built.
export function registerTui(_program: Command, _context: CliContext): void {}
