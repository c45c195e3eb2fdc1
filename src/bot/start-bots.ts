import type { Core } from '../core/index.ts';

export interface RunningBot {
  name: string;
  stop(): Promise<void>;
}

/** Starts every chat platform the configuration enables; returns nothing started when none is. */
export async function startBots(core: Core): Promise<RunningBot[]> {
  const running: RunningBot[] = [];
  const { slackConfigured, startSlackBot } = await import('./slack/index.ts');
  const { discordConfigured, startDiscordBot } = await import('./discord/index.ts');
  try {
    if (slackConfigured(core.config)) {
      const slack = await startSlackBot(core);
      running.push({ name: 'slack', stop: () => slack.stop() });
    }
    if (discordConfigured(core.config)) {
      const discord = await startDiscordBot(core);
      running.push({ name: 'discord', stop: () => discord.stop() });
    }
  } catch (error) {
    await Promise.allSettled(running.map((bot) => bot.stop()));
    throw error;
  }
  return running;
}
