import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { InputError, parseQaSet, type RetrievalEvaluation, type SearchMode } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { oneLine } from './terminal-output.ts';
import { parsePositiveInteger } from './search.ts';

type ModeChoice = 'all' | SearchMode;

interface EvalRetrievalOptions {
  qa: string;
  k: number;
  mode: ModeChoice;
  json?: boolean;
  misses?: boolean;
}

const allModes: SearchMode[] = ['hybrid', 'bm25', 'vector'];

async function readQaFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`Cannot read the QA set ${file} (${code}): pass a JSONL file with --qa.`);
  }
}

/** The figures as a table for a person, the best value of each column marked with *. */
export function formatRetrievalEvaluation(
  evaluation: RetrievalEvaluation,
  options: { file: string; misses?: boolean },
): string {
  const { k } = evaluation;
  const lines = [
    `Retrieval quality on ${evaluation.questionCount} questions from ${options.file} (documents ranked by their best passage)`,
    '',
  ];
  const columns = ['mode', `Recall@${k}`, 'MRR', `nDCG@${k}`, `found in top ${k}`];
  const best = (pick: (mode: RetrievalEvaluation['modes'][number]) => number) =>
    Math.max(...evaluation.modes.map(pick));
  const bestRecall = best((mode) => mode.recallAtK);
  const bestMrr = best((mode) => mode.mrr);
  const bestNdcg = best((mode) => mode.ndcgAtK);
  const figure = (value: number, top: number) =>
    `${value.toFixed(3)}${evaluation.modes.length > 1 && value === top ? '*' : ' '}`;
  const rows = evaluation.modes.map((mode) => [
    mode.mode,
    figure(mode.recallAtK, bestRecall),
    figure(mode.mrr, bestMrr),
    figure(mode.ndcgAtK, bestNdcg),
    `${mode.answeredInTopK}/${evaluation.questionCount}`,
  ]);
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...rows.map((row) => row[index]!.length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join('   ');
  lines.push(render(columns), ...rows.map(render));
  if (evaluation.modes.length > 1) lines.push('', '* best in its column');

  if (options.misses) {
    for (const mode of evaluation.modes) {
      const missed = mode.questions.filter(
        (question) => question.firstRelevantRank === null || question.firstRelevantRank > k,
      );
      if (missed.length === 0) continue;
      lines.push('', `${mode.mode}: no relevant document in the top ${k} for`);
      for (const question of missed) {
        const rank =
          question.firstRelevantRank === null
            ? `not in the top ${evaluation.depth} passages`
            : `first relevant at rank ${question.firstRelevantRank}`;
        lines.push(
          `  - ${oneLine(question.question, 70)}  (${rank}; wanted ${question.relevant.join(', ')}; got ${question.ranked.slice(0, 3).join(', ') || 'nothing'})`,
        );
      }
    }
  }
  return lines.join('\n');
}

/**
 * `answerloop eval retrieval --qa <file.jsonl>`: Recall@k, MRR and nDCG@k of hybrid, BM25 and vector search on a
 * QA set, against the knowledge base as ingested. Added under the `eval` command.
 */
export function registerEvalRetrieval(evalCommand: Command, context: CliContext): void {
  evalCommand
    .command('retrieval')
    .description('score search on a QA set: Recall@k, MRR and nDCG@k for hybrid, BM25 and vector retrieval')
    .requiredOption(
      '--qa <file>',
      'JSONL file, one {"question": "...", "relevant": ["<source path>", ...]} per line',
    )
    .option('-k, --k <number>', 'cut-off for Recall@k and nDCG@k', parsePositiveInteger, 5)
    .addOption(
      new Option('-m, --mode <mode>', 'retrieval mode to score').choices(['all', ...allModes]).default('all'),
    )
    .option('--misses', 'list the questions each mode missed')
    .option('--json', 'print the figures and per-question rankings as JSON')
    .action(async (options: EvalRetrievalOptions) => {
      const qa = parseQaSet(await readQaFile(options.qa), options.qa);
      const modes = options.mode === 'all' ? allModes : [options.mode];
      const evaluation = await context.core().evaluateRetrieval(qa, { k: options.k, modes });
      if (evaluation.unknownRelevant.length > 0) {
        process.stderr.write(
          `warning: ${evaluation.unknownRelevant.length} relevant path(s) name no document in the knowledge base and can never be found: ${evaluation.unknownRelevant.join(', ')}\n`,
        );
      }
      if (options.json)
        process.stdout.write(`${JSON.stringify({ file: options.qa, ...evaluation }, null, 2)}\n`);
      else
        process.stdout.write(
          `${formatRetrievalEvaluation(evaluation, { file: options.qa, misses: options.misses })}\n`,
        );
    });
}
