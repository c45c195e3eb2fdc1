import type { Command } from 'commander';
import type { IngestReport } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { createProgressPrinter } from './terminal-output.ts';

/** The counts as a small table, then every skipped, empty and failed file with its reason. */
export function formatIngestReport(report: IngestReport): string {
  const rows: Array<[string, number, string]> = [
    ['added', report.added, 'new documents written'],
    ['updated', report.updated, 'changed documents re-chunked and re-embedded'],
    ['unchanged', report.unchanged, report.rebuilt ? 'documents whose content had not changed (re-embedded by the rebuild)' : 'documents whose content had not changed'],
    ['deleted', report.deleted, 'documents removed from the index'],
    ['chunks', report.chunks, 'passages written in this run'],
    ['skipped', report.skipped.length, 'files not ingested (see below)'],
    ['empty', report.empty.length, 'files with no text'],
    ['failed', report.failed.length, 'documents that could not be written (see below)'],
  ];
  const width = Math.max(...rows.map(([, count]) => String(count).length));
  const lines = [`${report.rebuilt ? 'Rebuild' : 'Ingest'} finished in ${(report.durationMs / 1000).toFixed(1)} s.`, ''];
  for (const [name, count, meaning] of rows) lines.push(`  ${name.padEnd(9)} ${String(count).padStart(width)}  ${meaning}`);
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
      const where = failed.docId && failed.docId !== failed.source ? `${failed.docId} (${failed.source})` : failed.source;
      lines.push(`  ${where}: ${failed.error}`);
    }
  }
  return lines.join('\n');
}

export function registerIngest(program: Command, context: CliContext): void {
  program
    .command('ingest')
    .description('add or update documents in the knowledge base (Markdown, MDX, HTML, text); only changed files are re-embedded')
    .argument('<path...>', 'files or folders to ingest (folders are walked recursively)')
    .option('--rebuild', 'drop the whole knowledge index first and re-embed everything (the fix after changing embedders)')
    .option('--no-prune', 'keep documents whose files are gone from the given folders')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (paths: string[], options: { rebuild?: boolean; prune: boolean; json?: boolean }) => {
      const core = context.core();
      const progress = createProgressPrinter();
      let report: IngestReport;
      try {
        report = await core.ingest(paths, {
          rebuild: options.rebuild ?? false,
          prune: options.prune,
          onProgress: (update) => progress.update(update),
        });
      } finally {
        progress.done();
      }
      if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${formatIngestReport(report)}\n`);
      if (report.failed.length > 0) process.exitCode = 1;
    });
}
