import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InputError, type ExportFormat, type SnapshotReport, type ValidationReport } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { currentOperator, formatTable, formatTime, printJson, printLine } from './text-table.ts';

const formats: ExportFormat[] = ['openai', 'sharegpt', 'alpaca'];

function formatValidation(report: ValidationReport): string {
  const lines = [
    `${report.valid ? 'Valid' : 'NOT valid'}: ${report.validExamples} of ${report.lines} examples pass every check (${report.trainExamples} train, ${report.validationExamples} validation).`,
    `Tokens: ${report.tokens.total} in all; per example min ${report.tokens.min}, mean ${report.tokens.mean}, max ${report.tokens.max}.`,
    `Estimated training cost: ${report.estimate.trainTokens} training tokens x ${report.estimate.epochs} epochs x $${report.estimate.pricePerMillionTokens}/M = $${report.estimate.cost.toFixed(4)}.`,
  ];
  for (const issue of report.errors)
    lines.push(
      `error [${issue.rule}]${issue.line ? ` line ${issue.line}` : ''}${issue.exampleId ? ` (${issue.exampleId})` : ''}: ${issue.message}`,
    );
  for (const issue of report.warnings) lines.push(`warning [${issue.rule}]: ${issue.message}`);
  return lines.join('\n');
}

function formatSnapshotReport(report: SnapshotReport): string {
  const replacements = Object.entries(report.scrub.replacements)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  const lines = [
    `Examples considered: ${report.examplesConsidered}; left out as stale: ${report.staleExcluded.length}; duplicates dropped: ${report.duplicates.length}; invalid left out: ${report.invalid.length}.`,
    `Scrubbing: ${report.scrub.examplesChanged} examples changed${replacements ? ` (${replacements})` : ''}.`,
  ];
  for (const duplicate of report.duplicates)
    lines.push(
      `  duplicate ${duplicate.id} of ${duplicate.duplicateOf} (${duplicate.kind}, similarity ${duplicate.similarity})`,
    );
  for (const invalid of report.invalid)
    lines.push(
      `  invalid ${invalid.exampleId}: ${invalid.problems.map((problem) => problem.message).join('; ')}`,
    );
  lines.push(formatValidation(report.validation));
  return lines.join('\n');
}

/** A path to an existing file is validated as a file; anything else is a dataset reference. */
function isFile(argument: string): boolean {
  return existsSync(argument) && statSync(argument).isFile();
}

export function registerDataset(program: Command, context: CliContext): void {
  const dataset = program
    .command('dataset')
    .description('datasets of reviewed examples: snapshot versions, validate, export');

  dataset
    .command('list')
    .description('datasets with their examples and versions')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const datasets = await context.core().datasets.listDatasets();
      if (options.json) {
        printJson(datasets);
        return;
      }
      if (datasets.length === 0) {
        printLine('No datasets yet: approve or correct conversations with `answerloop review`.');
        return;
      }
      printLine(
        formatTable(
          ['dataset', 'examples', 'stale', 'versions', 'latest'],
          datasets.map((entry) => [
            entry.name,
            entry.examples,
            entry.staleExamples,
            entry.versions,
            entry.latestVersion === null ? '-' : `${entry.name}@${entry.latestVersion}`,
          ]),
        ),
      );
    });

  dataset
    .command('show')
    .description('one version: counts, the snapshot report and its validation')
    .argument('<dataset>', 'name@version, or a name for the newest version')
    .option('--json', 'print as JSON (without example bodies unless --examples)')
    .option('--examples', 'include the examples in the JSON')
    .action(async (reference: string, options: { json?: boolean; examples?: boolean }) => {
      const detail = await context.core().datasets.getVersion(reference);
      if (options.json) {
        printJson(
          options.examples ? detail : { ...detail, version: { ...detail.version, examples: undefined } },
        );
        return;
      }
      printLine(
        `${detail.reference}: ${detail.trainExamples} train + ${detail.validationExamples} validation examples, made ${formatTime(detail.version.createdAt)} by ${detail.version.createdBy}.`,
      );
      if (detail.report) printLine(formatSnapshotReport(detail.report));
    });

  dataset
    .command('validate')
    .description(
      'check a version (or a JSONL file) the way the fine-tuning service will; exits 1 when invalid',
    )
    .argument('<dataset-or-file>', 'name@version, a name (newest version), or a path to a chat JSONL file')
    .option('--json', 'print the report as JSON')
    .action(async (target: string, options: { json?: boolean }) => {
      const { datasets } = context.core();
      if (!isFile(target) && (/[/\\]/.test(target) || /\.jsonl?$/i.test(target)))
        throw new InputError(
          `No file ${target}: give the path of a chat JSONL file, or a dataset as name@version (see \`answerloop dataset list\`).`,
        );
      const report = isFile(target)
        ? datasets.validateJsonl(readFileSync(target, 'utf8'))
        : await datasets.validateVersion(target);
      if (options.json) printJson(report);
      else printLine(formatValidation(report));
      if (!report.valid) process.exitCode = 1;
    });

  dataset
    .command('snapshot')
    .description(
      'freeze the current examples into a new immutable version (scrubbed, de-duplicated, split, validated)',
    )
    .argument('[name]', 'dataset name (default: training.dataset)')
    .option('--by <name>', 'recorded as the version author', currentOperator())
    .option('--json', 'print the result as JSON (without example bodies)')
    .action(async (name: string | undefined, options: { by: string; json?: boolean }) => {
      const result = await context.core().datasets.snapshot({
        dataset: name,
        createdBy: options.by,
        onProgress: options.json
          ? undefined
          : (progress) => {
              if (progress.done === progress.total)
                process.stderr.write(`${progress.stage}: ${progress.done} done\n`);
            },
      });
      if (options.json) {
        printJson({ ...result, version: { ...result.version, examples: undefined } });
        return;
      }
      printLine(
        result.created
          ? `Created ${result.reference}.`
          : `Nothing changed since ${result.reference}: no new version.`,
      );
      printLine(formatSnapshotReport(result.report));
    });

  dataset
    .command('export')
    .description('write the train and validation splits as JSONL: openai (chat), sharegpt or alpaca')
    .argument('<dataset>', 'name@version, or a name for the newest version')
    .option('--format <format>', formats.join(', '), 'openai')
    .option('--out <dir>', 'folder to write <name>-v<version>-<split>.<format>.jsonl into', '.')
    .option('--json', 'print what was written as JSON')
    .action(async (reference: string, options: { format: string; out: string; json?: boolean }) => {
      if (!formats.includes(options.format as ExportFormat))
        throw new InputError(`--format must be one of ${formats.join(', ')}.`);
      const result = await context
        .core()
        .datasets.exportVersion({ reference, format: options.format as ExportFormat });
      mkdirSync(options.out, { recursive: true });
      const [name, version] = result.reference.split('@');
      const files: Record<string, string> = {};
      for (const split of ['train', 'validation'] as const) {
        const file = path.join(options.out, `${name}-v${version}-${split}.${result.format}.jsonl`);
        writeFileSync(file, result[split]);
        files[split] = file;
      }
      if (options.json)
        printJson({ reference: result.reference, format: result.format, counts: result.counts, files });
      else
        printLine(
          `Wrote ${result.counts.train} train examples to ${files.train} and ${result.counts.validation} validation examples to ${files.validation}.`,
        );
    });
}
