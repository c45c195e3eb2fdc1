import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `dataset` command is being built.
export function registerDataset(_program: Command, _context: CliContext): void {}
