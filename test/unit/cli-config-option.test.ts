import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { configOption } from '../../src/cli/config-option.ts';

/** A program shaped like answerloop's: the global option, and a command that records what it saw. */
function program() {
  const seen: { command?: string; config?: string[] } = {};
  const root = new Command('answerloop').addOption(configOption()).exitOverride();
  root
    .command('start')
    .exitOverride()
    .action(() => {
      seen.command = 'start';
      seen.config = root.opts().config as string[];
    });
  root
    .command('ingest <paths...>')
    .exitOverride()
    .action(() => {
      seen.command = 'ingest';
      seen.config = root.opts().config as string[];
    });
  return { root, seen };
}

describe('--config', () => {
  it('takes one file, so the command after it runs: answerloop --config local.yaml start', async () => {
    const { root, seen } = program();
    await root.parseAsync(['--config', 'local.yaml', 'start'], { from: 'user' });
    expect(seen).toEqual({ command: 'start', config: ['local.yaml'] });
  });

  it('is repeatable, keeping the order given (later files win)', async () => {
    const { root, seen } = program();
    await root.parseAsync(['-c', 'a.yaml', '--config', 'b.yaml', 'ingest', 'docs'], { from: 'user' });
    expect(seen).toEqual({ command: 'ingest', config: ['a.yaml', 'b.yaml'] });
  });

  it('is empty when not given', async () => {
    const { root, seen } = program();
    await root.parseAsync(['start'], { from: 'user' });
    expect(seen.config).toEqual([]);
  });
});
