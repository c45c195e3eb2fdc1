import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';
import { askAndPrint, runInteractivePrompt } from './interactive-prompt.ts';

export function registerAsk(program: Command, context: CliContext): void {
  program
    .command('ask')
    .description('ask a question and get an answer with its sources (no question: an interactive prompt)')
    .argument('[question]', 'the question; omit it for an interactive prompt')
    .option('--json', 'print the full result object as JSON')
    .option('--no-stream', 'print the answer once it is complete')
    .action(async (question: string | undefined, options: { json?: boolean; stream: boolean }) => {
      const core = context.core();
      // Nothing ingested yet: every answer would be a refusal, so say why first (on stderr; the output stays as is).
      if ((await core.knowledgeCounts()).documents === 0)
        process.stderr.write(
          'The knowledge base is empty, so every question is refused: ingest your documentation first, e.g. `answerloop ingest docs/` (see docs/ingestion.md).\n',
        );
      if (question === undefined) {
        await runInteractivePrompt(core, { stream: options.stream });
        return;
      }
      if (options.json) {
        const result = await core.ask(
          { question, context: { platform: 'cli', channel: 'terminal', userId: process.env.USER } },
          { stream: false },
        );
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      await askAndPrint(core, question, { stream: options.stream });
    });
}
