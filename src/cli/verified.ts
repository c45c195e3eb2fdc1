import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import {
  InputError,
  type VerifiedAnswerFilter,
  type VerifiedAnswerRecord,
  type VerifiedAnswerResult,
} from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { clip, currentOperator, formatTable, formatTime, printJson, printLine } from './text-table.ts';

function stateOf(record: VerifiedAnswerRecord): string {
  if (record.status === 'retired') return 'retired';
  return record.stale ? 'stale' : 'active';
}

function printRecord(record: VerifiedAnswerRecord): void {
  printLine(`Verified answer ${record.id}  (${stateOf(record)})  document verified/${record.id}`);
  printLine(
    `Verified by ${record.verifiedBy} at ${formatTime(record.verifiedAt)}; created by ${record.createdBy} at ${formatTime(record.createdAt)}`,
  );
  if (record.originConversationId) printLine(`From conversation ${record.originConversationId}`);
  if (record.stale)
    printLine(
      `Stale: ${record.staleDocIds.join(', ')} changed. Check it, then \`answerloop verified approve ${record.id}\` or edit it.`,
    );
  if (record.status === 'retired')
    printLine(`Retired by ${record.retiredBy ?? '-'} at ${formatTime(record.retiredAt)}`);
  printLine('');
  printLine(`Question: ${record.question}`);
  printLine('');
  printLine(`Answer:\n${record.answer}`);
  printLine('');
  printLine('Rests on:');
  if (record.sources.length === 0) printLine('  (no documentation page)');
  for (const source of record.sources)
    printLine(
      `  [${source.number}] ${[source.title, ...source.headingPath.slice(1)].join(' › ')}  ${source.source}`,
    );
}

function printResult(verb: string, result: VerifiedAnswerResult, json: boolean | undefined): void {
  if (json) {
    printJson(result);
    return;
  }
  const { verified } = result;
  printLine(
    result.changed
      ? `${verb} verified answer ${verified.id} (by ${verified.status === 'retired' ? verified.retiredBy : verified.verifiedBy}).`
      : `Verified answer ${verified.id} was already so: nothing changed.`,
  );
  for (const warning of result.warnings) printLine(`warning: ${warning}`);
}

/** Text given inline or read from a file ('-' is standard input); undefined when neither was given. */
function textOption(inline: string | undefined, file: string | undefined): string | undefined {
  if (inline !== undefined) return inline;
  if (file !== undefined) return readFileSync(file === '-' ? 0 : file, 'utf8');
  return undefined;
}

export function registerVerified(program: Command, context: CliContext): void {
  const verified = program
    .command('verified')
    .description(
      'verified answers: reviewed answers published into the knowledge base, given as they stand to the next person asking',
    );

  verified
    .command('list')
    .description('verified answers, newest change first (default: the ones in use and the stale ones)')
    .option('--stale', 'only those withdrawn because a page they rest on changed')
    .option('--retired', 'only retired ones')
    .option('--all', 'every verified answer, retired ones too')
    .option('--json', 'print as JSON')
    .action(async (options: { stale?: boolean; retired?: boolean; all?: boolean; json?: boolean }) => {
      const filter: VerifiedAnswerFilter = options.all
        ? 'all'
        : options.retired
          ? 'retired'
          : options.stale
            ? 'stale'
            : 'active';
      const records = await context.core().verified.list(filter);
      if (options.json) {
        printJson(records);
        return;
      }
      if (records.length === 0) {
        printLine(
          filter === 'active'
            ? 'No verified answers yet. Publish a reviewed conversation: answerloop verified publish <conversation-id>'
            : 'No verified answers match.',
        );
        return;
      }
      printLine(
        formatTable(
          ['id', 'state', 'verified', 'by', 'sources', 'question', 'answer'],
          records.map((record) => [
            record.id,
            stateOf(record),
            formatTime(record.verifiedAt).slice(0, 16),
            clip(record.verifiedBy, 16),
            record.sources.length,
            clip(record.question, 40),
            clip(record.answer, 40),
          ]),
        ),
      );
      printLine(`\n${records.length} verified answers. Next: answerloop verified show <id>`);
    });

  verified
    .command('show')
    .description('one verified answer with the pages it rests on')
    .argument('<id>', 'verified answer id (or its first characters)')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const record = await context.core().verified.get(id);
      if (options.json) printJson(record);
      else printRecord(record);
    });

  verified
    .command('publish')
    .description('publish an approved or corrected conversation as a verified answer (again: updates it)')
    .argument('<conversation-id>', 'conversation id (see answerloop review list --status approved,corrected)')
    .option(
      '--question <text>',
      "the question as it should be matched (default: the conversation's question)",
    )
    .option('--by <name>', 'who verifies it', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(async (conversationId: string, options: { question?: string; by: string; json?: boolean }) => {
      const result = await context
        .core()
        .verified.publish({ conversationId, reviewer: options.by, question: options.question });
      printResult('Published', result, options.json);
      if (!options.json && result.changed)
        printLine(`Questions like "${clip(result.verified.question, 60)}" now get it at once.`);
    });

  verified
    .command('edit')
    .description('change the wording of the question or the answer; counts as checking it again')
    .argument('<id>', 'verified answer id')
    .option('--question <text>', 'the new question')
    .option('--answer <text>', 'the new answer ([n] cites its n-th source, as `show` lists them)')
    .addOption(
      new Option(
        '--answer-file <path>',
        "read the new answer from a file ('-' for standard input)",
      ).conflicts('answer'),
    )
    .option('--by <name>', 'who verifies it', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(
      async (
        id: string,
        options: { question?: string; answer?: string; answerFile?: string; by: string; json?: boolean },
      ) => {
        const answer = textOption(options.answer, options.answerFile);
        if (answer === undefined && options.question === undefined)
          throw new InputError(
            'Say what changes: --question "<text>", --answer "<text>" or --answer-file <path>.',
          );
        printResult(
          'Edited',
          await context
            .core()
            .verified.edit({ id, reviewer: options.by, question: options.question, answer }),
          options.json,
        );
      },
    );

  verified
    .command('approve')
    .description('a stale verified answer was checked and still holds: back in answers as it is')
    .argument('<id>', 'verified answer id')
    .option('--by <name>', 'who verifies it', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { by: string; json?: boolean }) => {
      printResult(
        'Re-approved',
        await context.core().verified.reapprove({ id, reviewer: options.by }),
        options.json,
      );
    });

  verified
    .command('retire')
    .description('take a verified answer out of answers and search for good (it stays listed as retired)')
    .argument('<id>', 'verified answer id')
    .option('--by <name>', 'who retires it', currentOperator())
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { by: string; json?: boolean }) => {
      printResult(
        'Retired',
        await context.core().verified.retire({ id, reviewer: options.by }),
        options.json,
      );
    });
}
