import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  type AnswerQualityEvaluation,
  InputError,
  parseQaSet,
  type QaItem,
  type RefusalCalibration,
  writeLocalSettings,
} from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { oneLine } from './terminal-output.ts';

async function readQaFiles(files: readonly string[]): Promise<QaItem[]> {
  const items: QaItem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new InputError(`Cannot read the QA set ${file} (${code}): pass a JSONL file with --qa.`);
    }
    items.push(...parseQaSet(text, file));
  }
  return items;
}

function percent(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(0)}%`;
}

function render(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, index) => Math.max(...cells.map((row) => row[index]!.length)));
  return cells.map((row) =>
    row
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join('   '),
  );
}

/** The per-kind table of `eval answers`, for a person. */
export function formatAnswerEvaluation(
  evaluation: AnswerQualityEvaluation,
  options: { files: string; misses?: boolean },
): string {
  const lines = [
    `Answers to ${evaluation.questionCount} questions from ${options.files} (${evaluation.model})`,
    '',
  ];
  lines.push(
    ...render([
      ['kind', 'questions', 'refused', 'cite a relevant page', 'similarity to reference'],
      ...evaluation.byKind.map((summary) => [
        summary.kind,
        String(summary.questions),
        percent(summary.refused),
        summary.kind === 'unanswerable' ? '-' : percent(summary.citesRelevant),
        summary.similarity === null ? '-' : summary.similarity.toFixed(3),
      ]),
    ]),
  );
  const { overall } = evaluation;
  lines.push(
    '',
    `Unanswerable questions refused: ${percent(overall.unanswerableRefused)} · answerable refused: ${percent(overall.answerableRefused)} · ` +
      `answers citing a relevant page: ${percent(overall.citesRelevant)} of the answerable`,
    `Answers saying they may not answer the question (answering.uncertainBelow): ${percent(overall.uncertain.unanswerable)} of those given to unanswerable questions · ${percent(overall.uncertain.answerable)} of those given to answerable ones`,
  );
  if (options.misses) {
    const wrong = evaluation.questions.filter((outcome) =>
      outcome.kind === 'unanswerable'
        ? !outcome.refused
        : outcome.refused || outcome.citedRelevant.length === 0,
    );
    if (wrong.length > 0) lines.push('', 'Questions answered wrongly:');
    for (const outcome of wrong) {
      const what =
        outcome.kind === 'unanswerable'
          ? `answered though the docs do not cover it (score ${outcome.confidence.toFixed(2)})`
          : outcome.refused
            ? `refused (score ${outcome.confidence.toFixed(2)}; wanted ${outcome.relevant.join(', ')})`
            : `cited ${outcome.cited.join(', ') || 'nothing'} instead of ${outcome.relevant.join(', ')}`;
      lines.push(`  - [${outcome.kind}] ${oneLine(outcome.question, 70)}: ${what}`);
    }
  }
  return lines.join('\n');
}

/** The trade-off table of `eval calibrate`, for a person. */
export function formatCalibration(calibration: RefusalCalibration, files: string): string {
  const lines = [
    `Refusal calibration on ${calibration.answerable} answerable and ${calibration.unanswerable} unanswerable questions from ${files}` +
      (calibration.fitted ? ' (answerability model refitted on them)' : ''),
    '',
    ...render([
      ['threshold', 'answerable answered', 'unanswerable refused'],
      ...calibration.table.map((row) => [
        row.threshold.toFixed(2),
        percent(row.answerableKept),
        percent(row.unanswerableRefused),
      ]),
    ]),
    '',
    `Chosen: threshold ${calibration.threshold} answers ${percent(calibration.chosen.answerableKept)} of the answerable questions ` +
      `(target ${percent(calibration.targetKept)}) and refuses ${percent(calibration.chosen.unanswerableRefused)} of the unanswerable ones.`,
  ];
  if (calibration.fitted) lines.push(`Model: ${JSON.stringify(calibration.model)}`);
  return lines.join('\n');
}

function parseShare(value: string): number {
  const share = Number(value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : value);
  if (!(share > 0 && share <= 1))
    throw new InputError(
      `--keep must be a share of answerable questions to answer, like 0.95 or 95%, not "${value}".`,
    );
  return share;
}

/**
 * `answerloop eval answers --qa <file>...` and `answerloop eval calibrate --qa <file>...`: what users get on QA
 * sets (refusals, citations, similarity to the reference answers), and the refusal threshold that keeps a target
 * share of answerable questions. Added under the `eval` command.
 */
export function registerEvalAnswers(evalCommand: Command, context: CliContext): void {
  evalCommand
    .command('answers')
    .description(
      'run ask() on every question of QA sets and score refusals, citations and similarity to the reference answers',
    )
    .requiredOption('--qa <file...>', 'JSONL files, one {"question", "kind", "relevant", "answer"} per line')
    .option('--misses', 'list the questions answered wrongly')
    .option('--json', 'print the figures and every answer as JSON')
    .action(async (options: { qa: string[]; misses?: boolean; json?: boolean }) => {
      const qa = await readQaFiles(options.qa);
      const evaluation = await context.core().evaluateAnswers(qa);
      if (options.json)
        process.stdout.write(`${JSON.stringify({ files: options.qa, ...evaluation }, null, 2)}\n`);
      else
        process.stdout.write(
          `${formatAnswerEvaluation(evaluation, { files: options.qa.join(', '), misses: options.misses })}\n`,
        );
    });

  /** Below these, a refitted answerability model learns the questions rather than the documentation. */
  const fitMinimum = { answerable: 30, unanswerable: 10 };

  evalCommand
    .command('calibrate')
    .description(
      'fit the refusal threshold (and with --fit-model the answerability model) for a share of answerable questions kept',
    )
    .requiredOption(
      '--qa <file...>',
      'JSONL QA sets over the ingested knowledge, with unanswerable questions ("kind": "unanswerable")',
    )
    .option('--keep <share>', 'share of answerable questions that must still be answered', '0.95')
    .option(
      '--fit-model',
      'refit the answerability model itself on these questions (needs unanswerable ones)',
    )
    .option('--write', 'write the threshold (and the model) to config/local.yaml')
    .option('--json', 'print the calibration as JSON')
    .action(
      async (options: {
        qa: string[];
        keep: string;
        fitModel?: boolean;
        write?: boolean;
        json?: boolean;
      }) => {
        const targetKept = parseShare(options.keep);
        const qa = await readQaFiles(options.qa);
        const core = context.core();
        const { calibration } = await core.calibrateRefusal(qa, { targetKept, fit: options.fitModel });
        if (options.json) process.stdout.write(`${JSON.stringify(calibration, null, 2)}\n`);
        else process.stdout.write(`${formatCalibration(calibration, options.qa.join(', '))}\n`);
        if (
          calibration.fitted &&
          (calibration.answerable < fitMinimum.answerable ||
            calibration.unanswerable < fitMinimum.unanswerable)
        )
          process.stderr.write(
            `Warning: the model was fitted on ${calibration.answerable} answerable and ${calibration.unanswerable} ` +
              `unanswerable questions; with fewer than ${fitMinimum.answerable} and ${fitMinimum.unanswerable} its ` +
              'weights follow those few questions, not your documentation. Check it with `answerloop eval answers` ' +
              'on other questions before relying on it.\n',
          );
        if (options.write) {
          const file = writeLocalSettings(core.config.rootDir, {
            'answering.refusalThreshold': calibration.threshold,
            ...(calibration.fitted ? { 'answering.answerability': calibration.model } : {}),
          });
          process.stderr.write(
            `Wrote answering.refusalThreshold${calibration.fitted ? ' and answering.answerability' : ''} to ${file}.\n`,
          );
        }
      },
    );
}
