import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core, RunningBackground, ServedFace } from '../core/index.ts';

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
  /** Stops taking events, lets answers in flight finish, stops the background jobs and releases their leases. */
  stop(): Promise<void>;
}

/** Starts every chat platform the configuration enables; returns nothing started when none is. */
export async function startBots(core: Core, options: StartBotsOptions = {}): Promise<RunningBots> {
  const running: RunningBot[] = [];
  const { slackConfigured, startSlackBot } = await import('./slack/index.ts');
  const { discordConfigured, startDiscordBot } = await import('./discord/index.ts');
  let routesOnSlackPort = false;
  const faces: ServedFace[] = [];
  let background: RunningBackground | undefined;
  const stopAll = async () => {
    await Promise.allSettled([...running.map((bot) => bot.stop()), background?.stop()]);
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
      faces.push({ platform: 'slack', redeliver: (delivery) => slack.redeliver(delivery) });
    }
    if (discordConfigured(core.config)) {
      const discord = await startDiscordBot(core);
      running.push({ name: 'discord', connected: () => discord.connected(), stop: () => discord.stop() });
      faces.push({ platform: 'discord' });
    }
    // Every background job in one call: the sources' refresh, the clean-up, the learning loop, Slack's claim sweep.
    if (running.length > 0) background = core.background.start({ faces });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { bots: running, routesOnSlackPort, stop: stopAll };
}
