import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `eval` command is being built.
export function registerEval(_program: Command, _context: CliContext): void {}
