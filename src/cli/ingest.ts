import { type Command, InvalidArgumentError } from 'commander';
import type { IngestReport } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { createProgressPrinter } from './terminal-output.ts';

/** The counts as a small table, then every skipped, empty and failed document with its reason. */
export function formatIngestReport(report: IngestReport): string {
  const rows: Array<[string, number, string]> = [
    ['added', report.added, 'new documents written'],
    ['updated', report.updated, 'changed documents re-chunked and re-embedded'],
    [
      'unchanged',
      report.unchanged,
      report.rebuilt
        ? 'documents whose content had not changed (re-embedded by the rebuild)'
        : 'documents whose content had not changed',
    ],
    ['deleted', report.deleted, 'documents removed from the index'],
    ['chunks', report.chunks, 'passages written in this run'],
    ['skipped', report.skipped.length, 'files or pages not ingested (see below)'],
    ['empty', report.empty.length, 'documents with no text'],
    ['failed', report.failed.length, 'documents that could not be read or written (see below)'],
  ];
  const width = Math.max(...rows.map(([, count]) => String(count).length));
  const what = report.rebuilt ? 'Rebuild' : 'Ingest';
  const lines = [
    `${what}${report.source ? ` of ${report.source}` : ''} finished in ${(report.durationMs / 1000).toFixed(1)} s.`,
    '',
  ];
  for (const [name, count, meaning] of rows)
    lines.push(`  ${name.padEnd(9)} ${String(count).padStart(width)}  ${meaning}`);
  if (report.notes && report.notes.length > 0) {
    lines.push('');
    for (const note of report.notes) lines.push(`  ${note}`);
  }
  if (report.skipped.length > 0) {
    lines.push('', 'Skipped:');
    for (const skipped of report.skipped) lines.push(`  ${skipped.path}: ${skipped.reason}`);
  }
  if (report.empty.length > 0) {
    lines.push('', 'Empty:');
    for (const empty of report.empty) lines.push(`  ${empty}`);
  }
  if (report.failed.length > 0) {
    lines.push('', 'Failed (run the same command again to retry them):');
    for (const failed of report.failed) {
      const where =
        failed.docId && failed.docId !== failed.source ? `${failed.docId} (${failed.source})` : failed.source;
      lines.push(`  ${where}: ${failed.error}`);
    }
  }
  return lines.join('\n');
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number');
  return number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerIngest(program: Command, context: CliContext): void {
  program
    .command('ingest')
    .description(
      'add or update documents from files and folders, documentation websites or git repositories; only what changed is re-embedded',
    )
    .argument(
      '<location...>',
      'files or folders (walked recursively), a site to crawl (https://docs.example.com/guide/), or a git repository (git+https://github.com/org/repo.git#main:docs/)',
    )
    .option(
      '--include <glob>',
      'only what matches (URL path or file path, e.g. /guide/api/**); repeatable',
      collect,
    )
    .option('--exclude <glob>', 'leave out what matches (e.g. /guide/archive/**); repeatable', collect)
    .option('--tag <tag>', 'add a tag to every passage; repeatable', collect)
    .option(
      '--max-pages <n>',
      'websites: pages fetched at most (default knowledge.web.maxPages)',
      positiveInteger,
    )
    .option(
      '--max-depth <n>',
      'websites: links followed from the start page at most (default knowledge.web.maxDepth)',
      positiveInteger,
    )
    .option(
      '--rebuild',
      'drop the whole knowledge index first and re-embed everything (the fix after changing embedders)',
    )
    .option('--no-prune', 'keep documents that are gone from the given folders, sites or repositories')
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText(
      'after',
      `
Examples:
  answerloop ingest docs/
  answerloop ingest https://docs.example.com/guide/ --exclude '/guide/archive/**'
  answerloop ingest 'git+https://github.com/org/repo.git#main:docs/'

A second run is incremental: pages answer 304 Not Modified, git files with the same blob are not read, and
unchanged documents are never embedded again. To keep sources fresh on their own, list them in
knowledge.sources (config/default.yaml) and use answerloop sync.`,
    )
    .action(
      async (
        locations: string[],
        options: {
          include?: string[];
          exclude?: string[];
          tag?: string[];
          maxPages?: number;
          maxDepth?: number;
          rebuild?: boolean;
          prune: boolean;
          json?: boolean;
        },
      ) => {
        const core = context.core();
        const progress = createProgressPrinter();
        let report: IngestReport;
        try {
          report = await core.ingest(locations, {
            rebuild: options.rebuild ?? false,
            prune: options.prune,
            tags: options.tag,
            include: options.include,
            exclude: options.exclude,
            maxPages: options.maxPages,
            maxDepth: options.maxDepth,
            onProgress: (update) => progress.update(update),
          });
        } finally {
          progress.done();
        }
        if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${formatIngestReport(report)}\n`);
        if (report.failed.length > 0) process.exitCode = 1;
      },
    );
}
