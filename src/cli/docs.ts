import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { DocsProposal } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { currentOperator, printJson, printLine } from './text-table.ts';

export function printProposal(proposal: DocsProposal): void {
  if (proposal.kind === 'patch') {
    printLine(
      `Wrote a patch adding ${proposal.file} to the ${proposal.source} folder: ${proposal.patchFile}`,
    );
  } else {
    printLine(
      `Pushed branch ${proposal.branch} (commit ${proposal.commit?.slice(0, 7)}) to ${proposal.source}, adding ${proposal.file}; base ${proposal.base}.`,
    );
    printLine(
      proposal.requestUrl
        ? `Opened ${proposal.requestUrl}`
        : 'No pull request opened (set GITHUB_TOKEN or GITLAB_TOKEN for one): open it from the branch on the forge.',
    );
  }
  printLine(`Drafted from: ${proposal.draftedBy}.`);
  printLine('');
  printLine(proposal.markdown.trimEnd());
}

export function registerDocs(program: Command, context: CliContext): void {
  const docs = program
    .command('docs')
    .description('changes to the documentation itself, proposed from what users asked');
  docs
    .command('propose')
    .description(
      'draft a page for a knowledge gap or a verified answer: a new branch answerloop/<slug> pushed to a git source (and a pull / merge request with GITHUB_TOKEN or GITLAB_TOKEN), or a patch file for a folder source',
    )
    .option('--gap <id>', 'a gap id from `answerloop gaps`')
    .option('--verified <id>', 'a verified answer id from `answerloop verified list`')
    .option('--since <window>', 'the window the gap was listed in (as `answerloop gaps --since`)')
    .option(
      '--source <name>',
      'a knowledge.sources name (default: the first git source, else the first folder)',
    )
    .option('--text <markdown>', 'the answer to write, instead of the verified answer')
    .addOption(
      new Option('--file <path>', 'read the answer to write from a file (- for standard input)').conflicts(
        'text',
      ),
    )
    .option('--by <name>', 'who asks for the change (default: you)')
    .option('--json', 'print as JSON')
    .action(
      async (options: {
        gap?: string;
        verified?: string;
        since?: string;
        source?: string;
        text?: string;
        file?: string;
        by?: string;
        json?: boolean;
      }) => {
        const text =
          options.text ??
          (options.file === undefined
            ? undefined
            : readFileSync(options.file === '-' ? 0 : options.file, 'utf8'));
        const proposal = await context.core().insights.proposeDocChange({
          gap: options.gap,
          verified: options.verified,
          since: options.since,
          source: options.source,
          text,
          by: options.by ?? currentOperator(),
        });
        if (options.json) printJson(proposal);
        else printProposal(proposal);
      },
    );
}
