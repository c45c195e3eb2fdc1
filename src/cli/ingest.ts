import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

// The `ingest` command is being built.
export function registerIngest(_program: Command, _context: CliContext): void {}
