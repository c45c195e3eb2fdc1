import { type Command, InvalidArgumentError, Option } from 'commander';
import type { SearchMode } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { formatSearchHits, searchHitsAsJson } from './terminal-output.ts';

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError('expected a positive whole number');
  return number;
}

export function registerSearch(program: Command, context: CliContext): void {
  program
    .command('search')
    .description('search the knowledge base (hybrid BM25 + vector by default) and print the passages found')
    .argument('<query>', 'what to search for')
    .option('-k, --k <number>', 'passages to return', parsePositiveInteger)
    .addOption(
      new Option('-m, --mode <mode>', 'retrieval mode')
        .choices(['hybrid', 'bm25', 'vector'])
        .default('hybrid'),
    )
    .option('--tag <tag...>', 'only passages with one of these tags')
    .option('--source <prefix...>', 'only passages whose source starts with one of these prefixes')
    .option(
      '--json',
      'print an array of {rank, score, source, title, headingPath, text, bm25Rank, vectorRank}',
    )
    .action(
      async (
        query: string,
        options: { k?: number; mode: SearchMode; tag?: string[]; source?: string[]; json?: boolean },
      ) => {
        const core = context.core();
        const result = await core.search(query, {
          k: options.k,
          mode: options.mode,
          filters: { tags: options.tag, sourcePrefixes: options.source },
        });
        if (options.json) process.stdout.write(`${JSON.stringify(searchHitsAsJson(result.hits), null, 2)}\n`);
        else process.stdout.write(`${formatSearchHits(result.hits)}\n`);
        // An empty knowledge base finds nothing for any query: say what to do, on stderr (the output stays as is).
        if (result.hits.length === 0 && (await core.knowledgeCounts()).documents === 0)
          process.stderr.write(
            'The knowledge base is empty: ingest your documentation first, e.g. `answerloop ingest docs/` (see docs/ingestion.md).\n',
          );
      },
    );
}
