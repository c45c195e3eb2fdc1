import type { Command } from 'commander';
import type { ResolutionCounts, ResolutionReport } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { formatPercent, formatTable, formatTime, printJson, printLine } from './text-table.ts';

const share = (value: number | null) => (value === null ? '-' : formatPercent(value));

function cells(counts: ResolutionCounts): Array<string | number> {
  return [
    counts.questions,
    counts.answered,
    counts.refused,
    counts.silent,
    counts.helpful,
    counts.notHelpful,
    counts.humanFollowUp,
    counts.handedOff,
    share(counts.resolvedShare),
  ];
}

const headers = [
  'questions',
  'answered',
  'refused',
  'silent',
  'helpful',
  'not helpful',
  'person',
  'handed off',
  'resolved',
];

function printReport(report: ResolutionReport): void {
  printLine(
    `Resolution since ${formatTime(report.since)}: ${report.total.resolvedWithoutPerson} of ${report.total.questions} questions resolved without a person (${share(report.total.resolvedShare)}).`,
  );
  printLine(
    `Resolved: answered, not marked unhelpful, no person replying within ${report.humanFollowUpHours} h, not handed off.`,
  );
  printLine('');
  printLine(
    formatTable(
      ['week', ...headers],
      report.weeks.map((week) => [week.week, ...cells(week)]),
    ),
  );
  if (report.rows.length > 0) {
    printLine('');
    printLine(
      formatTable(
        ['week', 'platform', 'channel', ...headers],
        report.rows.map((row) => [row.week, row.platform, row.channel || '-', ...cells(row)]),
      ),
    );
  }
}

export function registerInsights(program: Command, context: CliContext): void {
  program
    .command('insights')
    .description(
      'resolution and deflection per week, platform and channel: questions, answered, refused, feedback, human follow-up, hand-offs, and the share resolved without a person',
    )
    .option('--since <window>', 'a duration back from now (7d, 8w) or an ISO date', '8w')
    .option('--json', 'print as JSON')
    .action(async (options: { since: string; json?: boolean }) => {
      const report = await context.core().insights.resolution({ since: options.since });
      if (options.json) printJson(report);
      else printReport(report);
    });
}
