import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackgroundJob, Core } from '../core/index.ts';
import { startLearningLoopJobs } from './learning-loop-jobs.ts';

export interface RunningBot {
  name: string;
  /** True while the platform's connection is up (readiness). */
  connected(): boolean;
  stop(): Promise<void>;
}

export interface StartBotsOptions {
  /** GET routes served on the Slack HTTP port when Slack runs in HTTP mode (the probes and metrics). */
  routes?: Record<string, (request: IncomingMessage, response: ServerResponse) => void>;
  /** How long each face's stop() lets answers in flight finish. */
  drainTimeoutMs?: number;
}

export interface RunningBots {
  bots: RunningBot[];
  /** True when Slack's HTTP port serves the routes (so no separate ops port is needed). */
  routesOnSlackPort: boolean;
  /** Stops taking events, lets answers in flight finish, stops background work and releases its leases. */
  stop(): Promise<void>;
}

/** Platforms whose claims the clean-up purges once their retention passed. */
const claimScopes = ['slack', 'discord'];

/**
 * Deletes finished claims past their retention, old rate-limit counters and thread messages past
 * threads.retentionDays, on one replica at a time: the store does not grow without end.
 */
function startClaimCleanup(core: Core): BackgroundJob {
  const settings = core.config.coordination;
  return core.coordination.startJob({
    name: 'coordination-cleanup',
    everyMs: settings.cleanupIntervalMinutes * 60_000,
    leaseTtlMs: settings.leaseTtlMs,
    run: async () => {
      for (const scope of claimScopes) {
        // Bounded per run; a backlog drains over the next runs.
        for (let page = 0; page < 20 && (await core.coordination.claims.purge(scope, 500)) > 0; page += 1);
      }
      // Rate-limit counters of windows that no longer count (written only when limits are shared).
      for (let page = 0; page < 20 && (await core.coordination.rateLimits.purge(500)) > 0; page += 1);
      // Thread messages older than threads.retentionDays.
      for (let page = 0; page < 20 && (await core.threads.purgeExpired(500)) > 0; page += 1);
    },
  });
}

/** Starts every chat platform the configuration enables; returns nothing started when none is. */
export async function startBots(core: Core, options: StartBotsOptions = {}): Promise<RunningBots> {
  const running: RunningBot[] = [];
  const { slackConfigured, startSlackBot } = await import('./slack/index.ts');
  const { discordConfigured, startDiscordBot } = await import('./discord/index.ts');
  let routesOnSlackPort = false;
  const jobs: BackgroundJob[] = [];
  const stopAll = async () => {
    await Promise.allSettled(running.map((bot) => bot.stop()));
    await Promise.allSettled(jobs.map((job) => job.stop()));
  };
  try {
    const wanted = slackConfigured(core.config) || discordConfigured(core.config);
    // Every index created and ready before the first event: a cold start of several replicas must not apologise.
    if (wanted) await core.prepareToServe();
    if (slackConfigured(core.config)) {
      const http = core.config.slack.mode === 'http';
      const slack = await startSlackBot(core, {
        ...(http && options.routes ? { routes: options.routes } : {}),
        drainTimeoutMs: options.drainTimeoutMs,
      });
      routesOnSlackPort = http && Boolean(options.routes);
      running.push({ name: 'slack', connected: () => slack.connected(), stop: () => slack.stop() });
    }
    if (discordConfigured(core.config)) {
      const discord = await startDiscordBot(core);
      running.push({ name: 'discord', connected: () => discord.connected(), stop: () => discord.stop() });
    }
    if (running.length > 0) jobs.push(startClaimCleanup(core), ...startLearningLoopJobs(core));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { bots: running, routesOnSlackPort, stop: stopAll };
}
