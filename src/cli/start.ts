import path from 'node:path';
import type { Command } from 'commander';
import { startBots } from '../bot/start-bots.ts';
import { type Core } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';
import { runInteractivePrompt } from './interactive-prompt.ts';
import { openDashboard } from './tui.ts';
import { createProgressPrinter } from './terminal-output.ts';

const nextSteps = `
Running locally: embedded store, ${'{mode}'}.
To go further (see README.md):
  - OpenAI answers:   export OPENAI_API_KEY=sk-...        (fine-tuned models: answerloop train --help)
  - Elasticsearch:    npm run es -- start && ANSWERLOOP_STORE=elasticsearch answerloop ingest docs
  - Slack:            SLACK_BOT_TOKEN + SLACK_APP_TOKEN   (config/slack-manifest.yaml)
  - Discord:          DISCORD_TOKEN + DISCORD_APPLICATION_ID, then answerloop discord register
  - Your own docs:    answerloop ingest <folder>
`;

/** Fills an empty knowledge base with the configured docs folder (the project's own manual by default). */
async function ensureKnowledge(core: Core): Promise<void> {
  const counts = await core.knowledgeCounts();
  if (counts.chunks > 0) return;
  const docsDir = path.resolve(core.config.rootDir, core.config.knowledge.docsDir);
  process.stderr.write(`The knowledge base is empty: ingesting ${docsDir} (the first run also loads the embedding model)...\n`);
  const progress = createProgressPrinter();
  const report = await core.ingest([docsDir], { onProgress: (update) => progress.update(update) });
  progress.done();
  process.stderr.write(`Ingested ${report.added} documents as ${report.chunks} passages in ${(report.durationMs / 1000).toFixed(1)} s.\n`);
}

/** Background refresh of knowledge.sources, one sync at a time; returns what stops it. */
export function keepSourcesFresh(core: Core): () => Promise<void> {
  if (core.config.knowledge.sources.length === 0) return async () => {};
  core.logger.info({ sources: core.config.knowledge.sources.map((source) => source.name) }, 'keeping knowledge sources fresh in the background');
  return core.sources.startBackground();
}

function waitForShutdown(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function registerStart(program: Command, context: CliContext): void {
  program
    .command('start')
    .description('start the configured chat bots; with none configured, answer questions locally')
    .option('--no-ingest', 'do not ingest the docs folder when the knowledge base is empty')
    .option('--prompt', 'use the plain question prompt instead of the dashboard in local mode')
    .action(async (options: { ingest: boolean; prompt?: boolean }) => {
      const core = context.core();
      const bots = await startBots(core);
      if (bots.length > 0) {
        // knowledge.sources are refreshed at their intervals while the bots answer.
        const stopSync = keepSourcesFresh(core);
        process.stderr.write(`answerloop is running: ${bots.map((bot) => bot.name).join(' and ')}. Ctrl+C stops it.\n`);
        const signal = await waitForShutdown();
        core.logger.info({ signal }, 'shutting down');
        await Promise.allSettled([...bots.map((bot) => bot.stop()), stopSync()]);
        return;
      }
      if (options.ingest) await ensureKnowledge(core);
      process.stderr.write(nextSteps.replace('{mode}', core.answerMode === 'openai' ? 'OpenAI answers' : 'offline extractive answers (no API key)'));
      const interactive = process.stdin.isTTY && process.stdout.isTTY;
      if (interactive && !options.prompt) {
        // The dashboard opens on its own quiet core; this one (logging to the terminal) is done.
        await context.close();
        await openDashboard(context, { screen: 'playground', keepSourcesFresh: true });
        return;
      }
      const stopSync = keepSourcesFresh(core);
      try {
        await runInteractivePrompt(core, { stream: core.config.answering.stream });
      } finally {
        await stopSync();
      }
    });
}
