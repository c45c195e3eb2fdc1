import type { Command } from 'commander';
import type { SourceStatus } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { formatIngestReport } from './ingest.ts';
import { createProgressPrinter } from './terminal-output.ts';
import { clip, formatTable, formatTime, printJson, printLine } from './text-table.ts';

const noSources =
  'No sources are configured. List folders, sites and git repositories under knowledge.sources in config/local.yaml (see config/default.yaml).';

/** One line for a source's last sync: when, what it holds, and whether it went well. */
export function describeLastSync(status: SourceStatus): string {
  const last = status.lastSync;
  if (!last) return 'never synced';
  const outcome = last.ok ? 'ok' : `${last.failed} failed: ${last.errors[0] ?? 'see the log'}`;
  return `${formatTime(last.finishedAt)} · ${last.documents} documents · +${last.added} ~${last.updated} -${last.deleted} · ${outcome}`;
}

export function formatSourceTable(statuses: SourceStatus[]): string {
  return formatTable(
    ['name', 'kind', 'location', 'every', 'last sync', 'documents', 'status'],
    statuses.map((status) => [
      status.name,
      status.kind,
      clip(status.location, 60),
      status.refreshMinutes > 0 ? `${status.refreshMinutes} min` : 'on demand',
      formatTime(status.lastSync?.finishedAt),
      status.lastSync?.documents ?? '-',
      status.syncing
        ? 'syncing'
        : !status.lastSync
          ? 'never synced'
          : status.lastSync.ok
            ? 'ok'
            : clip(`failed: ${status.lastSync.errors[0] ?? 'see the log'}`, 80),
    ]),
  );
}

export function registerSync(program: Command, context: CliContext): void {
  program
    .command('sync')
    .description(
      'bring the sources of knowledge.sources up to date (all, or the named ones) and print a report for each',
    )
    .argument('[name...]', 'sources to sync (default: every configured source)')
    .option('--json', 'print the results as JSON on stdout')
    .action(async (names: string[], options: { json?: boolean }) => {
      const core = context.core();
      if (core.config.knowledge.sources.length === 0) {
        process.stderr.write(`${noSources}\n`);
        process.exitCode = 2;
        return;
      }
      const progress = createProgressPrinter();
      const results = await core.sources
        .sync(names, {
          onProgress: (name, update) =>
            progress.update({ ...update, current: `${name}: ${update.current ?? ''}` }),
        })
        .finally(() => progress.done());
      if (options.json) printJson(results);
      else {
        for (const result of results) {
          printLine(`== ${result.name}${result.location ? ` (${result.location})` : ''}`);
          printLine(result.report ? formatIngestReport(result.report) : `Not synced: ${result.error}`);
          printLine();
        }
      }
      if (results.some((result) => result.error || (result.report?.failed.length ?? 0) > 0))
        process.exitCode = 1;
    });

  program
    .command('sources')
    .description('list the sources of knowledge.sources with their last sync, document counts and errors')
    .option('--json', 'print them as JSON on stdout')
    .action(async (options: { json?: boolean }) => {
      const core = context.core();
      const statuses = await core.sources.list();
      if (options.json) {
        printJson(statuses);
        return;
      }
      if (statuses.length === 0) {
        printLine(noSources);
        return;
      }
      printLine(formatSourceTable(statuses));
      const failing = statuses.filter((status) => status.lastSync && !status.lastSync.ok);
      for (const status of failing) {
        printLine();
        printLine(`${status.name}: last sync failed`);
        for (const error of status.lastSync!.errors) printLine(`  ${error}`);
      }
    });
}
