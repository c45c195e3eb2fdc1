import type { Config } from '../../core/index.ts';

export { type DiscordBot, startDiscordBot, type StartDiscordBotOptions } from './client.ts';
export {
  commandDefinitions,
  type InstallLinks,
  installLinks,
  registerCommands,
  type RegisteredCommands,
} from './register-commands.ts';

/** Whether `answerloop start` should start Discord: `enabled: true`, or `auto` with DISCORD_TOKEN set. */
export function discordConfigured(config: Config): boolean {
  const enabled = config.discord.enabled;
  return enabled === true || (enabled === 'auto' && Boolean(config.secrets.discordToken));
}
