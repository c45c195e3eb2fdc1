import { Command } from 'commander';
import { createCliContext, reportCliError } from './cli-context.ts';
import { configOption } from './config-option.ts';
import { registerAsk } from './ask.ts';
import { registerDataset } from './dataset.ts';
import { registerDiscord } from './discord.ts';
import { registerDocs } from './docs.ts';
import { registerDoctor } from './doctor.ts';
import { registerEval } from './eval.ts';
import { registerForget } from './forget.ts';
import { registerGaps } from './gaps.ts';
import { registerIngest } from './ingest.ts';
import { registerInsights } from './insights.ts';
import { registerModels } from './models.ts';
import { registerReview } from './review.ts';
import { registerSearch } from './search.ts';
import { registerStart } from './start.ts';
import { registerSync } from './sync.ts';
import { registerTrain } from './train.ts';
import { registerTui } from './tui.ts';
import { registerVerified } from './verified.ts';

// Output piped into a reader that stops early (`answerloop gaps --markdown | head`): the rest is not wanted, and the
// command finishes and closes its store as usual instead of dying on an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

const program = new Command('answerloop')
  .description('A support bot that answers from your documentation with sources, and learns from operators.')
  .addOption(configOption())
  .showHelpAfterError('(run with --help for usage)')
  // A usage error (an unknown option, a missing argument, a bad value) exits with 2, like a path that does not
  // exist, so scripts tell it from a run that failed (1); --help and --version exit with 0. Subcommands inherit this.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

const context = createCliContext(() => (program.opts().config as string[] | undefined) ?? []);

for (const register of [
  registerStart,
  registerTui,
  registerIngest,
  registerSync,
  registerForget,
  registerSearch,
  registerAsk,
  registerDoctor,
  registerReview,
  registerVerified,
  registerDataset,
  registerTrain,
  registerEval,
  registerGaps,
  registerDocs,
  registerInsights,
  registerModels,
  registerDiscord,
]) {
  register(program, context);
}

try {
  await program.parseAsync(process.argv);
  await context.close();
} catch (error) {
  process.exitCode = reportCliError(error);
  await context.close().catch(() => {});
}
