import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `review` command is being built.
export function registerReview(_program: Command, _context: CliContext): void {}
