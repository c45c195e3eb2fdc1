import type { Command } from 'commander';
import { AnswerloopError, type Config } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';

/** discord.js is large: load it only when a discord command runs, so other commands start fast. */
const loadDiscord = () => import('../bot/discord/index.ts');

function requireDiscordSecrets(config: Config): { token: string; applicationId: string } {
  const token = config.secrets.discordToken;
  const applicationId = config.secrets.discordApplicationId;
  const missing = [!token && 'DISCORD_TOKEN', !applicationId && 'DISCORD_APPLICATION_ID'].filter(Boolean);
  if (missing.length > 0) {
    throw new AnswerloopError(
      'config_invalid',
      `Set ${missing.join(' and ')} (Developer Portal: Bot > Token, General Information > Application ID); see docs/discord.md.`,
    );
  }
  return { token: token!, applicationId: applicationId! };
}

export function registerDiscord(program: Command, context: CliContext): void {
  const discord = program.command('discord').description('set up the Discord bot');

  discord
    .command('register')
    .description(
      'register the bot\'s commands (/ask and "Answer with answerloop") with Discord: in one server with --guild (instant), else globally',
    )
    .option('--guild <id>', 'register in this server only; changes appear at once (good for trying it out)')
    .option('--dry-run', 'print the command definitions instead of sending them')
    .action(async (options: { guild?: string; dryRun?: boolean }) => {
      if (options.dryRun) {
        process.stdout.write(`${JSON.stringify((await loadDiscord()).commandDefinitions(), null, 2)}\n`);
        return;
      }
      const config = context.config();
      const registered = await (
        await loadDiscord()
      ).registerCommands({
        ...requireDiscordSecrets(config),
        guildId: options.guild,
        apiUrl: config.discord.apiUrl || undefined,
      });
      const label = (command: { name: string; type: number }) =>
        command.type === 1 ? `/${command.name}` : `"${command.name}" (message menu: Apps)`;
      const names = registered.commands.map(label).join(', ');
      const count = `${registered.commands.length} command${registered.commands.length === 1 ? '' : 's'}`;
      if (registered.scope === 'guild') {
        process.stdout.write(
          `Registered ${count} (${names}) in server ${registered.guildId}; they can be used there now.\n`,
        );
      } else {
        process.stdout.write(
          `Registered ${count} (${names}) globally, for every server the bot is in and every person who installed it; Discord may take a few minutes to show them.\n`,
        );
      }
      for (const command of registered.commands)
        process.stdout.write(`  ${label(command)}  id ${command.id}\n`);
    });

  discord
    .command('unregister')
    .description("remove the bot's slash commands from one server with --guild, else the global ones")
    .option('--guild <id>', 'remove the commands registered in this server only')
    .action(async (options: { guild?: string }) => {
      const config = context.config();
      const removed = await (
        await loadDiscord()
      ).registerCommands({
        ...requireDiscordSecrets(config),
        guildId: options.guild,
        apiUrl: config.discord.apiUrl || undefined,
        remove: true,
      });
      process.stdout.write(
        removed.scope === 'guild'
          ? `Removed the bot's commands from server ${removed.guildId}.\n`
          : "Removed the bot's global commands; Discord may take a few minutes to hide them.\n",
      );
    });

  discord
    .command('invite')
    .description(
      'print the two install links: add the bot to a server, or add its commands to your own account (user install)',
    )
    .option('--server', 'print only the server link')
    .option('--user', 'print only the user-install link')
    .action(async (options: { server?: boolean; user?: boolean }) => {
      const applicationId = context.config().secrets.discordApplicationId;
      if (!applicationId)
        throw new AnswerloopError(
          'config_invalid',
          'Set DISCORD_APPLICATION_ID (Developer Portal: General Information > Application ID).',
        );
      const links = (await loadDiscord()).installLinks(applicationId);
      if (options.server || options.user) {
        if (options.server) process.stdout.write(`${links.server}\n`);
        if (options.user) process.stdout.write(`${links.user}\n`);
        return;
      }
      process.stdout.write(
        [
          'Add the bot to a server (you need Manage Server there):',
          `  ${links.server}`,
          '',
          'Add the commands to your own account, to use /ask and "Answer with answerloop" anywhere, even where the bot is',
          'not a member (turn on User Install first: Developer Portal > Installation):',
          `  ${links.user}`,
          '',
        ].join('\n'),
      );
    });
}
