import path from 'node:path';
import type { Command } from 'commander';
import { type RunningBot, startBots } from '../bot/start-bots.ts';
import { type Core } from '../core/index.ts';
import { startOpsServer } from '../ops/ops-server.ts';
import { coreReadinessChecks, createOpsHandlers } from '../ops/probes.ts';
import { guardProcess } from '../ops/process-guard.ts';
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
  process.stderr.write(
    `The knowledge base is empty: ingesting ${docsDir} (the first run also loads the embedding model)...\n`,
  );
  const progress = createProgressPrinter();
  const report = await core.ingest([docsDir], { onProgress: (update) => progress.update(update) });
  progress.done();
  process.stderr.write(
    `Ingested ${report.added} documents as ${report.chunks} passages in ${(report.durationMs / 1000).toFixed(1)} s.\n`,
  );
}

function waitForShutdown(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/**
 * Runs the configured chat platforms until SIGTERM or SIGINT, with the probes and metrics beside them; false when
 * no platform is configured. On the signal: /readyz turns 503, no new events are taken, answers in flight get
 * ops.shutdownGraceSeconds to finish, background leases are released, and the command returns (exit 0).
 */
async function serveBots(core: Core): Promise<boolean> {
  const settings = core.config.ops;
  let bots: RunningBot[] = [];
  const baseChecks = coreReadinessChecks(core);
  const handlers = createOpsHandlers(core, () => [
    ...baseChecks,
    ...bots.map((bot) => ({
      name: bot.name,
      check: async () => ({ ok: bot.connected(), ...(bot.connected() ? {} : { detail: 'disconnected' }) }),
    })),
  ]);
  // One bad delivery must not take down every face of the process.
  const unguard = guardProcess(core.logger.child({ component: 'process' }), core.metrics);
  const graceMs = settings.shutdownGraceSeconds * 1000;
  try {
    const started = await startBots(core, { routes: handlers.routes, drainTimeoutMs: graceMs });
    bots = started.bots;
    if (bots.length === 0) return false;
    const ops =
      settings.port > 0
        ? await startOpsServer(handlers, { host: settings.host, port: settings.port })
        : undefined;
    const probesAt = ops
      ? ` Probes and metrics: http://${settings.host}:${ops.port}/readyz, /healthz, /metrics.`
      : started.routesOnSlackPort
        ? ' Probes and metrics on the Slack port: /readyz, /healthz, /metrics.'
        : '';
    process.stderr.write(
      `answerloop is running: ${bots.map((bot) => bot.name).join(' and ')} (replica ${core.coordination.replicaId}).${probesAt} Ctrl+C stops it.\n`,
    );
    const signal = await waitForShutdown();
    core.logger.info({ signal, graceSeconds: settings.shutdownGraceSeconds }, 'shutting down');
    handlers.markDraining();
    // The bots and every background job (knowledge.sources' refresh among them).
    await started.stop();
    await ops?.close();
    core.logger.info({}, 'stopped');
    return true;
  } finally {
    unguard();
  }
}

export function registerStart(program: Command, context: CliContext): void {
  program
    .command('start')
    .description('start the configured chat bots; with none configured, answer questions locally')
    .option('--no-ingest', 'do not ingest the docs folder when the knowledge base is empty')
    .option('--prompt', 'use the plain question prompt instead of the dashboard in local mode')
    .action(async (options: { ingest: boolean; prompt?: boolean }) => {
      const core = context.core();
      if (await serveBots(core)) return;
      if (options.ingest) await ensureKnowledge(core);
      process.stderr.write(
        nextSteps.replace(
          '{mode}',
          core.answerMode === 'openai'
            ? 'OpenAI answers'
            : core.answerMode === 'local'
              ? 'answers from the local model'
              : 'offline extractive answers (no API key; a model that reads the passages refuses far better: answering.mode: local after npm run model:fetch -- --llm, or OPENAI_API_KEY)',
        ),
      );
      const interactive = process.stdin.isTTY && process.stdout.isTTY;
      if (interactive && !options.prompt) {
        // The dashboard opens on its own quiet core; this one (logging to the terminal) is done.
        await context.close();
        await openDashboard(context, { screen: 'playground', keepSourcesFresh: true });
        return;
      }
      // knowledge.sources keep refreshing while the prompt is open.
      const background = core.background.start();
      try {
        await runInteractivePrompt(core, { stream: core.config.answering.stream });
      } finally {
        await background.stop();
      }
    });
}
