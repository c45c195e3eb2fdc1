import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `ask` command is being built.
export function registerAsk(_program: Command, _context: CliContext): void {}
