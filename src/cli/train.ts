import type { Command } from 'commander';
import { InputError, type TrainingJobRecord, type TrainingUpdate } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import {
  currentOperator,
  formatTable,
  formatTime,
  parseWholeNumber,
  printJson,
  printLine,
} from './text-table.ts';

interface TrainOptions {
  ifNeeded?: boolean;
  dataset?: string;
  base?: string;
  epochs?: string;
  suffix?: string;
  seed?: string;
  by?: string;
  interval?: string;
  json?: boolean;
}

function parseEpochs(value: string | undefined): number | 'auto' | undefined {
  if (value === undefined || value === 'auto') return value;
  return parseWholeNumber('--epochs', value, 1);
}

function lossText(update: Pick<TrainingUpdate, 'latestLoss'>): string {
  const loss = update.latestLoss;
  if (!loss) return '';
  const parts = [
    loss.step === null ? '' : `step ${loss.step}`,
    loss.trainLoss === null ? '' : `train loss ${loss.trainLoss.toFixed(4)}`,
    loss.validLoss === null ? '' : `valid loss ${loss.validLoss.toFixed(4)}`,
  ];
  return parts.filter(Boolean).join(', ');
}

function describeJob(job: TrainingJobRecord): string {
  const lines = [
    `Job ${job.id}: ${job.status}`,
    `  dataset ${job.datasetVersion} · base ${job.baseModel} · suffix ${job.suffix ?? '-'} · ${Object.entries(
      job.hyperparameters,
    )
      .map(([key, value]) => `${key} ${String(value)}`)
      .join(', ')}`,
    `  files: train ${job.trainingFileId}${job.validationFileId ? `, validation ${job.validationFileId}` : ''} · started ${formatTime(job.createdAt)} · updated ${formatTime(job.updatedAt)}`,
  ];
  if (job.fineTunedModel) lines.push(`  model ${job.fineTunedModel}`);
  if (job.error) lines.push(`  error: ${job.error}`);
  return lines.join('\n');
}

function printUpdate(update: TrainingUpdate, json: boolean | undefined): void {
  if (json) {
    // One JSON object per line, so a script can follow the job as it runs.
    process.stdout.write(
      `${JSON.stringify({ status: update.job.status, newEvents: update.newEvents, latestLoss: update.latestLoss, fineTunedModel: update.job.fineTunedModel, candidate: update.candidate?.name ?? null })}\n`,
    );
    return;
  }
  for (const event of update.newEvents)
    printLine(`${formatTime(event.createdAt)}  ${event.level.padEnd(5)}  ${event.message}`);
  const loss = lossText(update);
  printLine(`-- ${update.job.status}${loss ? ` · ${loss}` : ''}`);
  if (update.candidate)
    printLine(
      `Registered ${update.candidate.name} as a candidate. Next: answerloop eval --candidate ${update.candidate.name}`,
    );
  if (update.job.error) printLine(`error: ${update.job.error}`);
}

export function registerTrain(program: Command, context: CliContext): void {
  const train = program
    .command('train')
    .description(
      'fine-tune a model on a dataset version; --if-needed starts one when enough new examples exist',
    )
    .option(
      '--if-needed',
      'snapshot and train when at least training.retrainAfterExamples new approved examples exist',
    )
    .option('--dataset <name>', 'dataset for --if-needed (default: training.dataset)')
    .option('--by <name>', 'recorded as the snapshot author', currentOperator())
    .option('--json', 'print results as JSON')
    .action(async (options: TrainOptions) => {
      if (!options.ifNeeded) {
        train.outputHelp();
        return;
      }
      const decision = await context.core().training.trainIfNeeded({
        dataset: options.dataset,
        createdBy: options.by ?? currentOperator(),
        onProgress: options.json ? undefined : (progress) => process.stderr.write(`${progress.message}\n`),
      });
      if (options.json) printJson(decision);
      else {
        printLine(`${decision.started ? 'Started' : 'Not started'}: ${decision.reason}.`);
        if (decision.job)
          printLine(
            `${describeJob(decision.job)}\nFollow it with: answerloop train watch ${decision.job.id}`,
          );
      }
    });

  train
    .command('start')
    .description('upload a dataset version and create a fine-tuning job')
    .option('--dataset <name@version>', 'the dataset version to train on (required)')
    .option('--base <model>', 'base model (default: training.baseModel)')
    .option('--epochs <n>', "number of epochs, or 'auto' (default: training.epochs)")
    .option('--suffix <text>', 'part of the fine-tuned model name (default: the dataset name)')
    .option('--seed <n>', 'training seed (default: derived from the dataset version)')
    .option('--json', 'print the job as JSON')
    .action(async (_options: TrainOptions, command: Command) => {
      const options = command.optsWithGlobals<TrainOptions>();
      if (!options.dataset)
        throw new InputError(
          'Name the dataset version to train on: --dataset <name>@<version> (see `answerloop dataset list`).',
        );
      const job = await context.core().training.startTraining({
        dataset: options.dataset,
        baseModel: options.base,
        epochs: parseEpochs(options.epochs),
        suffix: options.suffix,
        seed: options.seed === undefined ? undefined : parseWholeNumber('--seed', options.seed),
        onProgress: options.json ? undefined : (progress) => process.stderr.write(`${progress.message}\n`),
      });
      if (options.json) printJson(job);
      else printLine(`${describeJob(job)}\nFollow it with: answerloop train watch ${job.id}`);
    });

  train
    .command('status')
    .description("read a job's state and new events from the fine-tuning service")
    .argument('<job>', 'fine-tuning job id')
    .option('--json', 'print as JSON')
    .action(async (jobId: string, _options: TrainOptions, command: Command) => {
      const options = command.optsWithGlobals<TrainOptions>();
      const update = await context.core().training.refreshJob(jobId);
      if (options.json) {
        printJson(update);
        return;
      }
      printLine(describeJob(update.job));
      const loss = lossText(update);
      if (loss) printLine(`  latest: ${loss}`);
      for (const event of update.job.events.slice(-5))
        printLine(`  ${formatTime(event.createdAt)}  ${event.message}`);
      if (update.candidate) printLine(`Registered ${update.candidate.name} as a candidate.`);
    });

  train
    .command('watch')
    .description(
      'follow a job until it ends: status, events, training and validation loss; resumes where it left off',
    )
    .argument('<job>', 'fine-tuning job id')
    .option('--interval <seconds>', 'seconds between polls (default: training.pollSeconds)')
    .option('--json', 'print one JSON object per update')
    .action(async (jobId: string, _options: TrainOptions, command: Command) => {
      const options = command.optsWithGlobals<TrainOptions>();
      const interval = options.interval === undefined ? undefined : Number(options.interval);
      if (interval !== undefined && !(interval >= 0))
        throw new InputError('--interval expects a number of seconds.');
      const stop = new AbortController();
      const onInterrupt = () => stop.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const job = await context.core().training.watchJob(jobId, {
          intervalMs: interval === undefined ? undefined : interval * 1000,
          signal: stop.signal,
          onUpdate: (update) => printUpdate(update, options.json),
        });
        if (stop.signal.aborted && !options.json)
          printLine(`Stopped watching; the job goes on. Resume with: answerloop train watch ${job.id}`);
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });

  train
    .command('cancel')
    .description('cancel a job that has not ended')
    .argument('<job>', 'fine-tuning job id')
    .option('--json', 'print the job as JSON')
    .action(async (jobId: string, _options: TrainOptions, command: Command) => {
      const options = command.optsWithGlobals<TrainOptions>();
      const job = await context.core().training.cancelJob(jobId);
      if (options.json) printJson(job);
      else printLine(`Job ${job.id} is ${job.status}.`);
    });

  train
    .command('list')
    .description('training jobs, newest first')
    .option('--json', 'print as JSON')
    .action(async (_options: TrainOptions, command: Command) => {
      const options = command.optsWithGlobals<TrainOptions>();
      const jobs = await context.core().training.listJobs();
      if (options.json) {
        printJson(jobs);
        return;
      }
      if (jobs.length === 0) {
        printLine('No training jobs yet: answerloop train start --dataset <name>@<version>');
        return;
      }
      printLine(
        formatTable(
          ['job', 'status', 'dataset', 'base', 'model', 'started'],
          jobs.map((job) => [
            job.id,
            job.status,
            job.datasetVersion,
            job.baseModel,
            job.fineTunedModel ?? '-',
            formatTime(job.createdAt),
          ]),
        ),
      );
    });
}
