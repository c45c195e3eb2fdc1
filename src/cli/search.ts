import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `search` command is being built.
export function registerSearch(_program: Command, _context: CliContext): void {}
