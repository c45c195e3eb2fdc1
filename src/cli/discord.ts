import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `discord` command is being built.
export function registerDiscord(_program: Command, _context: CliContext): void {}
