import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `models` command is being built.
export function registerModels(_program: Command, _context: CliContext): void {}
