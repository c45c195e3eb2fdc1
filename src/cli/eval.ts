import type { Command } from 'commander';
import { InputError, type AnswerScores, type EvaluationResult } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { registerEvalAnswers } from './eval-answers.ts';
import { registerEvalRetrieval } from './eval-retrieval.ts';
import { clip, formatPercent, formatTable, parseWholeNumber, printJson, printLine } from './text-table.ts';

interface EvalOptions {
  candidate?: string;
  shadow?: string;
  baseline?: string;
  dataset?: string;
  since?: string;
  limit?: string;
  width?: string;
  json?: boolean;
}

function scoreCell(scores: AnswerScores): string {
  const parts = [
    scores.similarity === null ? 'sim -' : `sim ${scores.similarity.toFixed(2)}`,
    `cite ${scores.citationValidity.toFixed(2)}`,
    scores.refusalCorrect === null
      ? scores.refused
        ? 'refused'
        : ''
      : scores.refusalCorrect
        ? 'refusal ok'
        : 'refusal wrong',
  ];
  return parts.filter(Boolean).join(' ');
}

/** The side-by-side table, the means and the win rate, for a person. */
function formatEvaluation(result: EvaluationResult, width: number): string {
  const answerWidth = Math.max(20, Math.floor((width - 60) / 2));
  const candidateLabel = result.kind === 'shadow' ? 'shadow' : 'candidate';
  const baselineLabel = result.kind === 'shadow' ? 'shown' : 'baseline';
  const lines = [
    `${result.kind === 'shadow' ? 'Shadow' : 'Candidate'} ${result.candidate} against ${result.baseline}` +
      `${result.datasetVersion ? ` on ${result.datasetVersion}` : ''} (${result.examples} ${result.kind === 'shadow' ? 'conversations' : 'held-out examples'}` +
      `${result.judgeModel ? `, judged by ${result.judgeModel}` : ''})`,
    '',
    formatTable(
      ['#', 'question', candidateLabel, 'scores', baselineLabel, 'scores', 'winner'],
      result.rows.map((row, index) => [
        index + 1,
        clip(row.question, 28),
        clip(row.candidateAnswer, answerWidth),
        scoreCell(row.candidate),
        clip(row.baselineAnswer, answerWidth),
        scoreCell(row.baseline),
        row.winner === 'candidate' ? candidateLabel : row.winner === 'baseline' ? baselineLabel : 'tie',
      ]),
    ),
    '',
    formatTable(
      [
        'model',
        'similarity',
        'citations valid',
        'refusals right',
        ...(result.judgeModel ? ['judge wins'] : []),
      ],
      Object.entries(result.scores).map(([model, means]) => [
        model,
        means.similarity.toFixed(3),
        formatPercent(means.citationValidity),
        formatPercent(means.refusalAccuracy),
        ...(result.judgeModel ? [means.judgeWins ?? 0] : []),
      ]),
    ),
    '',
    `Win rate of ${result.candidate}: ${formatPercent(result.winRate)} (${result.wins.candidate} wins, ${result.wins.tie} ties, ${result.wins.baseline} losses). Saved as ${result.id}.`,
  ];
  if (result.kind === 'candidate') {
    lines.push(
      result.winRate >= 0.5
        ? `Next: answerloop models promote ${result.candidate}`
        : `It lost: promoting it needs --force (answerloop models promote ${result.candidate} --force).`,
    );
  }
  return lines.join('\n');
}

export function registerEval(program: Command, context: CliContext): void {
  const evalCommand = program
    .command('eval')
    .description(
      'compare a candidate with the active model on held-out examples or a shadow model on live traffic; score retrieval and answers on QA sets; calibrate refusals',
    )
    .option(
      '--candidate <model>',
      'run the held-out validation examples of its dataset through it and the active model',
    )
    .option('--shadow <model>', "compare the shadow model's stored answers with the answers users were shown")
    .option('--baseline <model>', 'compare the candidate with this model instead of the active one')
    .option(
      '--dataset <name@version>',
      'evaluate on this dataset version instead of the one the candidate was trained on',
    )
    .option('--since <date>', 'shadow: only conversations at or after this ISO date')
    .option('--limit <n>', 'at most this many examples or conversations')
    .option('--width <n>', 'table width in characters', String(process.stdout.columns || 160))
    .option('--json', 'print the full evaluation as JSON')
    .action(async (options: EvalOptions) => {
      if (Boolean(options.candidate) === Boolean(options.shadow)) {
        throw new InputError(
          'Give exactly one of --candidate <model> or --shadow <model>, or name what to score on a QA set: `answerloop eval retrieval|answers|calibrate --qa <file>`.',
        );
      }
      const training = context.core().training;
      const limit = options.limit === undefined ? undefined : parseWholeNumber('--limit', options.limit, 1);
      const onProgress = options.json
        ? undefined
        : (progress: { stage: string; done: number; total: number }) =>
            process.stderr.write(`\r${progress.stage} ${progress.done}/${progress.total}   `);
      const result = options.candidate
        ? await training.evaluateCandidate({
            candidate: options.candidate,
            baseline: options.baseline,
            dataset: options.dataset,
            limit,
            onProgress,
          })
        : await training.evaluateShadow({
            model: options.shadow as string,
            since: options.since,
            limit,
            onProgress,
          });
      if (onProgress) process.stderr.write('\n');
      if (options.json) printJson(result);
      else printLine(formatEvaluation(result, parseWholeNumber('--width', options.width ?? '160', 80)));
    });

  registerEvalRetrieval(evalCommand, context);
  registerEvalAnswers(evalCommand, context);
  // `eval --json` is this command's option, so commander gives it to `eval` even when it follows a subcommand
  // (`eval retrieval --qa f --json`); hand it on to the subcommand that was meant.
  for (const subcommand of evalCommand.commands) {
    subcommand.hook('preAction', (command) => {
      if (evalCommand.opts().json && command.getOptionValue('json') === undefined)
        command.setOptionValue('json', true);
    });
  }
}
