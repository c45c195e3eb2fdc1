import { readFileSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import {
  InputError,
  type ConversationOutcome,
  type ConversationRecord,
  conversationOutcome,
  conversationOutcomes,
  outcomeFilter,
  type FailureKind,
  type Platform,
  type ReviewActionResult,
  type ReviewDetail,
  type ReviewStatus,
} from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import {
  clip,
  currentOperator,
  formatTable,
  formatTime,
  parseFraction,
  parseWholeNumber,
  printJson,
  printLine,
} from './text-table.ts';

const statuses: ReviewStatus[] = ['new', 'approved', 'corrected', 'rejected'];
const feedbackValues = ['not_helpful', 'helpful', 'none', 'any'] as const;
const failureKinds: FailureKind[] = ['retrieval', 'generation', 'none'];

/** --answered, --refused or --silent: what the bot did, one of them (as the dashboard's outcome filter). */
function outcomeOption(options: {
  answered?: boolean;
  refused?: boolean;
  silent?: boolean;
}): ConversationOutcome | undefined {
  const chosen = conversationOutcomes.filter((outcome) => options[outcome]);
  if (chosen.length > 1)
    throw new InputError(
      `--${chosen.join(' and --')} exclude each other: a conversation was answered, refused or silent. Choose one, or none for all.`,
    );
  return chosen[0];
}

/** The list's confidence column: an answer's confidence, or what the bot did instead of answering. */
function outcomeColumn(record: ConversationRecord): string {
  const outcome = conversationOutcome(record);
  return outcome === 'answered' ? record.confidence.toFixed(2) : outcome;
}

interface ListOptions {
  feedback?: string;
  status?: string;
  minConfidence?: string;
  maxConfidence?: string;
  refused?: boolean;
  silent?: boolean;
  channel?: string;
  platform?: string;
  since?: string;
  until?: string;
  stale?: boolean;
  order?: string;
  page?: string;
  pageSize?: string;
  json?: boolean;
}

function feedbackLabel(record: ConversationRecord): string {
  if (record.feedback?.helpful === false) return 'not helpful';
  if (record.feedback?.helpful === true) return 'helpful';
  return '-';
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new InputError(`${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
  return value as T;
}

/** An ISO date or time given to --since or --until, checked here so the error names the option. */
function isoTime(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && Number.isNaN(Date.parse(value)))
    throw new InputError(
      `${name} expects an ISO date or time such as 2025-03-01 or 2025-03-01T09:00:00Z, got ${JSON.stringify(value)}.`,
    );
  return value;
}

/** Reads an answer given inline or from a file ('-' is standard input). */
function answerText(options: { answer?: string; answerFile?: string }): string {
  if (options.answer !== undefined) return options.answer;
  if (options.answerFile !== undefined)
    return readFileSync(options.answerFile === '-' ? 0 : options.answerFile, 'utf8');
  throw new InputError('Give the answer with --answer "<text>" or --answer-file <path>.');
}

function printAction(verb: string, result: ReviewActionResult, json: boolean | undefined): void {
  if (json) {
    printJson(result);
    return;
  }
  const { conversation, example } = result;
  printLine(
    result.changed
      ? `${verb} ${conversation.id} (by ${conversation.reviewer}).`
      : `${conversation.id} was already ${verb.toLowerCase()}: nothing changed.`,
  );
  if (example) printLine(`Example ${example.id} in dataset ${example.dataset} (${example.split}).`);
  for (const warning of result.warnings) printLine(`warning: ${warning}`);
}

function printConversation(detail: ReviewDetail): void {
  const { conversation: record, hint, examples } = detail;
  printLine(
    `Conversation ${record.id}  ${formatTime(record.createdAt)}  ${record.platform} #${record.channel || '-'}`,
  );
  printLine(
    `Status ${record.reviewStatus}${record.stale ? ' (stale: a cited document changed)' : ''} · feedback ${feedbackLabel(record)}${record.feedback?.comment ? ` "${record.feedback.comment}"` : ''} · confidence ${record.confidence.toFixed(2)} · model ${record.model}`,
  );
  if (record.reviewer) printLine(`Reviewed by ${record.reviewer} at ${formatTime(record.reviewedAt)}`);
  if (record.verifiedAnswerId)
    printLine(
      `${record.model === 'verified' ? 'Answered with' : 'Cites'} verified answer ${record.verifiedAnswerId} (answerloop verified show ${record.verifiedAnswerId})`,
    );
  printLine('');
  printLine(`Question: ${record.question}`);
  if (record.standaloneQuestion && record.standaloneQuestion !== record.question)
    printLine(`Standalone: ${record.standaloneQuestion}`);
  printLine('');
  if (record.silent)
    printLine(
      'Answer: none. Nobody asked the bot here and it was not sure enough to answer, so it said nothing (correct it to give the answer next time).',
    );
  else printLine(`Answer${record.refused ? ' (refused)' : ''}:\n${record.answer}`);
  if (record.correctedAnswer)
    printLine(`\nCorrection (${record.correctionSource ?? 'operator'}):\n${record.correctedAnswer}`);
  if (record.shadow) printLine(`\nShadow answer (${record.shadow.model}):\n${record.shadow.answer}`);
  printLine('');
  printLine('Sources given to the model:');
  if (hint.sources.length === 0) printLine('  (none)');
  else {
    printLine(
      formatTable(
        ['#', 'source', 'fused', 'bm25', 'bm25 rank', 'cosine', 'vector rank'],
        hint.sources.map((source) => [
          `[${source.number}]`,
          clip(source.source, 50),
          source.score.toFixed(4),
          source.bm25Score?.toFixed(2) ?? '-',
          source.bm25Rank ?? '-',
          source.vectorScore?.toFixed(3) ?? '-',
          source.vectorRank ?? '-',
        ]),
      )
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  printLine('');
  printLine(`Diagnosis hint: ${hint.suggested} (${hint.reasons.join('; ')})`);
  if (record.failureKind)
    printLine(
      `Diagnosed: ${record.failureKind}${record.expectedSources.length ? `; expected sources: ${record.expectedSources.join(', ')}` : ''}`,
    );
  for (const example of examples)
    printLine(`Example ${example.id} in ${example.dataset}${example.stale ? ' (stale)' : ''}`);
}

export function registerReview(program: Command, context: CliContext): void {
  const review = program
    .command('review')
    .description(
      'review conversations: approve, correct or reject answers, diagnose failures, add examples (publish good ones with `answerloop verified publish`)',
    );

  review
    .command('list')
    .description(
      'the review queue: not-helpful answers first, then unrated, then helpful; newest first within each',
    )
    .option('--feedback <kind>', `filter by feedback: ${feedbackValues.join(', ')} (any = rated either way)`)
    .option('--status <list>', `review statuses, comma-separated: ${statuses.join(', ')}`)
    .option('--min-confidence <n>', 'only answers at or above this confidence (0..1)')
    .option('--max-confidence <n>', 'only answers at or below this confidence (0..1)')
    .option('--refused', 'only refusals ("I don\'t know" to someone who asked)')
    .option('--answered', 'only answers that were not refusals')
    .option('--silent', 'only questions nobody asked the bot that it left to people (help channels, forums)')
    .option('--channel <id>', 'only this channel')
    .option('--platform <name>', 'only this platform: slack, discord, cli, tui, api')
    .option('--since <date>', 'asked at or after this ISO date or time')
    .option('--until <date>', 'asked at or before this ISO date (the whole day, UTC) or time')
    .option('--stale', 'only conversations whose cited documents changed')
    .option('--order <order>', 'review, newest or oldest', 'review')
    .option('--page <n>', 'page number, from 1', '1')
    .option('--page-size <n>', 'conversations per page', '20')
    .option('--json', 'print the page as JSON')
    .action(async (options: ListOptions & { answered?: boolean }) => {
      const page = await context.core().review.listReviewQueue({
        feedback: oneOf('--feedback', options.feedback, feedbackValues),
        status: options.status
          ?.split(',')
          .map((status) => oneOf('--status', status.trim(), statuses) as ReviewStatus),
        minConfidence:
          options.minConfidence === undefined
            ? undefined
            : parseFraction('--min-confidence', options.minConfidence),
        maxConfidence:
          options.maxConfidence === undefined
            ? undefined
            : parseFraction('--max-confidence', options.maxConfidence),
        ...outcomeFilter(outcomeOption(options)),
        channel: options.channel,
        platform: oneOf<Platform>('--platform', options.platform, ['slack', 'discord', 'cli', 'tui', 'api']),
        since: isoTime('--since', options.since),
        until: isoTime('--until', options.until),
        stale: options.stale ? true : undefined,
        order: oneOf('--order', options.order, ['review', 'newest', 'oldest'] as const),
        page: parseWholeNumber('--page', options.page ?? '1', 1),
        pageSize: parseWholeNumber('--page-size', options.pageSize ?? '20', 1),
      });
      if (options.json) {
        printJson(page);
        return;
      }
      if (page.total === 0) {
        printLine('No conversations match.');
        return;
      }
      if (page.items.length === 0) {
        printLine(
          `Page ${page.page} is past the last page: ${page.total} conversations fit on ${page.pages} page${page.pages === 1 ? '' : 's'} of ${page.pageSize}. Try --page ${page.pages}.`,
        );
        return;
      }
      printLine(
        formatTable(
          ['id', 'asked', 'feedback', 'status', 'conf', 'question', 'answer'],
          page.items.map((record) => [
            record.id,
            formatTime(record.createdAt).slice(0, 16),
            feedbackLabel(record),
            `${record.reviewStatus}${record.stale ? '*' : ''}`,
            outcomeColumn(record),
            clip(record.question, 40),
            clip(record.correctedAnswer ?? (record.silent ? '(said nothing: not asked)' : record.answer), 40),
          ]),
        ),
      );
      printLine(
        `\nPage ${page.page} of ${page.pages} (${page.total} conversations). Next: answerloop review show <id>`,
      );
    });

  review
    .command('show')
    .description('one conversation with its sources, retrieval scores and a diagnosis hint')
    .argument('<id>', 'conversation id')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const detail = await context.core().review.getReviewDetail(id);
      if (options.json) printJson(detail);
      else printConversation(detail);
    });

  review
    .command('approve')
    .description("the bot's answer is good: add it to the dataset as an example")
    .argument('<id>', 'conversation id')
    .option('--by <name>', 'reviewer recorded with the action', currentOperator())
    .option('--dataset <name>', 'dataset the example goes to (default: training.dataset)')
    .option('--accept-suggestion', 'approve the correction a user or teammate suggested instead')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        id: string,
        options: { by: string; dataset?: string; acceptSuggestion?: boolean; json?: boolean },
      ) => {
        const result = await context.core().review.approve({
          conversationId: id,
          reviewer: options.by,
          dataset: options.dataset,
          acceptSuggestion: options.acceptSuggestion,
        });
        printAction('Approved', result, options.json);
      },
    );

  review
    .command('correct')
    .description("replace the bot's answer with the right one; the correction becomes the example")
    .argument('<id>', 'conversation id')
    .option('--answer <text>', 'the right answer')
    .addOption(
      new Option(
        '--answer-file <path>',
        "read the right answer from a file ('-' for standard input)",
      ).conflicts('answer'),
    )
    .option('--by <name>', 'reviewer recorded with the action', currentOperator())
    .option('--dataset <name>', 'dataset the example goes to (default: training.dataset)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        id: string,
        options: { answer?: string; answerFile?: string; by: string; dataset?: string; json?: boolean },
      ) => {
        const result = await context.core().review.correct({
          conversationId: id,
          reviewer: options.by,
          answer: answerText(options),
          dataset: options.dataset,
        });
        printAction('Corrected', result, options.json);
      },
    );

  review
    .command('reject')
    .description('keep the conversation out of training (removes its example if there is one)')
    .argument('<id>', 'conversation id')
    .option('--by <name>', 'reviewer recorded with the action', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { by: string; json?: boolean }) => {
      printAction(
        'Rejected',
        await context.core().review.reject({ conversationId: id, reviewer: options.by }),
        options.json,
      );
    });

  review
    .command('diagnose')
    .description('record what failed: retrieval (attach the right sources) or generation')
    .argument('<id>', 'conversation id')
    .requiredOption('--kind <kind>', `retrieval, generation or none`)
    .option('--source <paths...>', 'source paths (or URLs) of the pages that answer the question')
    .option('--by <name>', 'reviewer recorded with the action', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { kind: string; source?: string[]; by: string; json?: boolean }) => {
      const result = await context.core().review.diagnose({
        conversationId: id,
        reviewer: options.by,
        failureKind: oneOf('--kind', options.kind, failureKinds) as FailureKind,
        expectedSources: options.source,
      });
      if (options.json) {
        printJson(result);
        return;
      }
      printLine(
        `Diagnosed ${id}: ${result.conversation.failureKind}${result.conversation.expectedSources.length ? `; expected sources ${result.conversation.expectedSources.join(', ')}` : ''}.`,
      );
      for (const warning of result.warnings) printLine(`warning: ${warning}`);
    });

  review
    .command('add')
    .description('add an example by hand (question and the answer the bot should give)')
    .requiredOption('--question <text>', 'the question')
    .option('--answer <text>', 'the answer')
    .addOption(
      new Option('--answer-file <path>', "read the answer from a file ('-' for standard input)").conflicts(
        'answer',
      ),
    )
    .option('--dataset <name>', 'dataset (default: training.dataset)')
    .option('--by <name>', 'author recorded with the example', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        question: string;
        answer?: string;
        answerFile?: string;
        dataset?: string;
        by: string;
        json?: boolean;
      }) => {
        const result = await context.core().datasets.addExample({
          question: options.question,
          answer: answerText(options),
          dataset: options.dataset,
          reviewer: options.by,
        });
        if (options.json) {
          printJson(result);
          return;
        }
        printLine(
          result.changed
            ? `Added example ${result.example.id} to ${result.example.dataset}.`
            : `Example ${result.example.id} exists already: nothing changed.`,
        );
        for (const warning of result.warnings) printLine(`warning: ${warning}`);
      },
    );

  review
    .command('reapprove')
    .description(
      'clear the stale flag of a hand-written example after checking it (conversations: approve or correct again)',
    )
    .argument('<example-id>', 'example id')
    .option('--by <name>', 'reviewer', currentOperator())
    .option('--json', 'print the example as JSON')
    .action(async (exampleId: string, options: { by: string; json?: boolean }) => {
      const example = await context.core().datasets.reapproveExample({ exampleId, reviewer: options.by });
      if (options.json) printJson(example);
      else printLine(`Example ${example.id} is current again.`);
    });

  review
    .command('qa-set')
    .description(
      'export the questions with operator-attached sources as a retrieval QA set (JSONL: question, relevant)',
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .addOption(new Option('--json', 'print the cases as a JSON array').conflicts('out'))
    .action(async (options: { out?: string; json?: boolean }) => {
      const { review } = context.core();
      const cases = await review.retrievalQaSet();
      const jsonl = review.formatRetrievalQaSet(cases);
      if (options.json) printJson(cases);
      else if (options.out) {
        writeFileSync(options.out, jsonl);
        printLine(`Wrote ${cases.length} retrieval test cases to ${options.out}.`);
      } else process.stdout.write(jsonl);
      if (cases.length === 0)
        process.stderr.write(
          'No question has operator-attached sources yet: attach the pages that answer one with `answerloop review diagnose <id> --kind retrieval --source <path>`.\n',
        );
    });
}
