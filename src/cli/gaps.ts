import { type Command, Option } from 'commander';
import type { GapReport, KnowledgeGap } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { clip, formatTable, formatTime, parseWholeNumber, printJson, printLine } from './text-table.ts';

const reasonNames = {
  refused: 'refused',
  low_confidence: 'low confidence',
  not_helpful: 'not helpful',
  corrected: 'corrected',
} as const;

function reasonsOf(gap: KnowledgeGap): string {
  return Object.entries(gap.reasons)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reasonNames[reason as keyof typeof reasonNames]}`)
    .join(', ');
}

function nearestOf(gap: KnowledgeGap): string[] {
  return gap.nearest.map(
    (passage) => `${[passage.title, ...passage.headingPath.slice(1)].join(' › ')} (${passage.source})`,
  );
}

/** "5 gaps", or "the first 2 of 5 gaps" when --limit cut the list. */
function gapsShown(report: GapReport): string {
  return report.gaps.length < report.gapsFound
    ? `the first ${report.gaps.length} of ${report.gapsFound} gaps`
    : `${report.gaps.length} gaps`;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const times = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The gaps as a Markdown report an operator can paste into an issue or a planning document. */
export function gapsAsMarkdown(report: GapReport): string {
  const lines = [
    `# Knowledge gaps since ${formatTime(report.since)}`,
    '',
    `${capitalise(gapsShown(report))} from ${report.questionsConsidered} questions the documentation did not answer well.`,
  ];
  for (const [index, gap] of report.gaps.entries()) {
    lines.push(
      '',
      `## ${index + 1}. ${gap.title}`,
      '',
      `\`${gap.id}\` · asked ${times(gap.count, 'time', 'times')} by ${times(gap.askers, 'person', 'people')} · ${formatTime(gap.firstSeen)} to ${formatTime(gap.lastSeen)} · ${reasonsOf(gap)}`,
      '',
      ...gap.questions.map(
        (question) =>
          `- ${question.question} (${question.platform} ${question.channel}, ${question.conversationId})`,
      ),
    );
    if (gap.nearest.length > 0)
      lines.push('', 'What the documentation nearly says:', '', ...nearestOf(gap).map((line) => `- ${line}`));
    if (gap.verifiedAnswers.length > 0)
      lines.push(
        '',
        'Verified answers already given:',
        '',
        ...gap.verifiedAnswers.map((answer) => `- \`${answer.id}\` ${clip(answer.answer, 160)}`),
      );
  }
  return `${lines.join('\n')}\n`;
}

function printGaps(report: GapReport): void {
  if (report.gaps.length === 0) {
    printLine(
      `No gaps since ${formatTime(report.since)}: every question of the window was answered with confidence and nobody marked it unhelpful.`,
    );
    return;
  }
  printLine(
    `${capitalise(gapsShown(report))} from ${report.questionsConsidered} questions since ${formatTime(report.since)} (grouped with ${report.embedder}):`,
  );
  printLine('');
  printLine(
    formatTable(
      ['id', 'asked', 'people', 'last seen', 'why', 'gap'],
      report.gaps.map((gap) => [
        gap.id,
        gap.count,
        gap.askers,
        formatTime(gap.lastSeen).slice(0, 16),
        reasonsOf(gap),
        clip(gap.title, 60),
      ]),
    ),
  );
  printLine('');
  printLine(
    '`answerloop gaps --markdown` shows every question; `answerloop docs propose --gap <id>` drafts a page.',
  );
}

export function registerGaps(program: Command, context: CliContext): void {
  program
    .command('gaps')
    .description(
      'what the documentation misses: refused, low-confidence, unhelpful and corrected questions grouped by meaning, most asked and most recent first',
    )
    .option(
      '--since <window>',
      'a duration back from now (24h, 7d, 2w) or an ISO date (default insights.gaps.since)',
    )
    .option('--limit <n>', 'the first n gaps only')
    .option('--json', 'print as JSON: {"gaps": [...]}')
    .addOption(new Option('--markdown', 'print a Markdown report with every question').conflicts('json'))
    .action(async (options: { since?: string; limit?: string; json?: boolean; markdown?: boolean }) => {
      const limit = options.limit === undefined ? undefined : parseWholeNumber('--limit', options.limit, 1);
      const report = await context.core().insights.gaps({ since: options.since, limit });
      if (options.json) printJson(report);
      else if (options.markdown) process.stdout.write(gapsAsMarkdown(report));
      else printGaps(report);
    });
}
