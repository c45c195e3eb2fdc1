import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `doctor` command is being built.
export function registerDoctor(_program: Command, _context: CliContext): void {}
