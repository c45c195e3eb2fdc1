import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `start` command is being built.
export function registerStart(_program: Command, _context: CliContext): void {}
