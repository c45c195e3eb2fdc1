import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';
import {
  currentOperator,
  formatPercent,
  formatTable,
  formatTime,
  printJson,
  printLine,
} from './text-table.ts';

export function registerModels(program: Command, context: CliContext): void {
  const models = program
    .command('models')
    .description('the model registry: list, promote a candidate, roll back');

  models
    .command('list')
    .description('registered models, their status and latest evaluation')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const listing = await context.core().training.listModels();
      if (options.json) {
        printJson(listing);
        return;
      }
      printLine(
        `Answers come from ${listing.active}${listing.active === listing.baseModel ? ' (the base model)' : ''}.`,
      );
      if (listing.models.length === 0) {
        printLine('No fine-tuned models yet: see `answerloop train start`.');
        return;
      }
      printLine('');
      printLine(
        formatTable(
          ['model', 'status', 'dataset', 'win rate', 'against', 'promoted'],
          listing.models.map((model) => [
            model.name,
            model.status,
            model.datasetVersion ?? '-',
            model.evaluation ? formatPercent(model.evaluation.winRate) : '-',
            model.evaluation?.baseline ?? '-',
            formatTime(model.promotedAt),
          ]),
        ),
      );
    });

  models
    .command('promote')
    .description(
      'make a model active: running bots switch to it within seconds; asks for --force if it lost its evaluation',
    )
    .argument('<name>', 'model name')
    .option('--force', 'promote even though its latest evaluation lost')
    .option('--by <name>', 'recorded in the log', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { force?: boolean; by: string; json?: boolean }) => {
      const result = await context
        .core()
        .training.promote({ model: name, force: options.force, by: options.by });
      if (options.json) {
        printJson(result);
        return;
      }
      for (const warning of result.warnings) printLine(`warning: ${warning}`);
      if (!result.changed) printLine(`${name} is already active.`);
      else
        printLine(
          `${name} is active${result.previous ? `; ${result.previous} is retired (answerloop models rollback returns to it)` : ''}.`,
        );
    });

  models
    .command('rollback')
    .description('return to the model that was active before the current one')
    .option('--by <name>', 'recorded in the log', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(async (options: { by: string; json?: boolean }) => {
      const result = await context.core().training.rollback({ by: options.by });
      if (options.json) printJson(result);
      else printLine(`Rolled back from ${result.from} to ${result.to}.`);
    });
}
