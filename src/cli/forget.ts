import type { Command } from 'commander';
import type { CliContext } from './cli-context.ts';

export function registerForget(program: Command, context: CliContext): void {
  program
    .command('forget')
    .description(
      'remove from the knowledge base the documents at or under these locations (files, folders, URLs, git locations, as ingested)',
    )
    .argument(
      '<location...>',
      'docs/old/, docs/faq.md, https://docs.example.com/v1/, git+https://...#main:docs/',
    )
    .option('--dry-run', 'list what would be removed, and remove nothing')
    .option('--json', 'print the report as JSON')
    .action(async (locations: string[], options: { dryRun?: boolean; json?: boolean }) => {
      const report = await context.core().knowledge.forget(locations, { dryRun: options.dryRun });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const passages = report.documents.reduce((sum, document) => sum + document.chunkCount, 0);
      const count = `${report.documents.length} document${report.documents.length === 1 ? '' : 's'} (${passages} passage${passages === 1 ? '' : 's'})`;
      const lines = [
        `${report.dryRun ? 'Would forget' : 'Forgot'} ${count}:`,
        ...report.documents.map((document) => `  ${document.docId}  ${document.title}`),
      ];
      if (report.dryRun) lines.push('Run it again without --dry-run to remove them.');
      else
        lines.push(
          'Answers that cited them are flagged stale for review. A source still in knowledge.sources, or a folder ingested again, brings its documents back.',
        );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
