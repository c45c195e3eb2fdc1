import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `train` command is being built.
export function registerTrain(_program: Command, _context: CliContext): void {}
