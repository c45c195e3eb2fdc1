import {
  ApplicationIntegrationType,
  DiscordAPIError,
  OAuth2Scopes,
  PermissionFlagsBits,
  REST,
  Routes,
} from 'discord.js';
import { AnswerloopError, isRetryableStatus } from '../../core/index.ts';
import { discordCommands } from './commands/index.ts';

export interface RegisterCommandsOptions {
  token: string;
  applicationId: string;
  /** Register in this guild only (appears at once), instead of globally. */
  guildId?: string;
  /** REST API base URL ('' = Discord's). */
  apiUrl?: string;
  /** Register no commands: removes the bot's commands from the guild, or globally. */
  remove?: boolean;
}

export interface RegisteredCommands {
  scope: 'guild' | 'global';
  guildId?: string;
  /** `type` 1 is a slash command, 3 a message command. */
  commands: Array<{ id: string; name: string; type: number }>;
}

/** The command definitions as Discord's API takes them. */
export function commandDefinitions() {
  return discordCommands.map((command) => command.data.toJSON());
}

function registrationFailure(error: unknown, options: RegisterCommandsOptions): AnswerloopError {
  if (error instanceof DiscordAPIError) {
    const status = error.status;
    const advice =
      status === 401
        ? 'Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal.'
        : status === 403 && options.guildId
          ? `The bot may not manage commands in guild ${options.guildId}: invite it with the applications.commands scope (answerloop discord invite), and check the guild id.`
          : status === 404 || error.code === 10002
            ? 'Discord does not know DISCORD_APPLICATION_ID: copy the Application ID from the Developer Portal (General Information).'
            : `Discord refused the commands (${status}): ${error.message}`;
    return new AnswerloopError(
      status === 401 || status === 403 || status === 404 ? 'config_invalid' : 'upstream_failed',
      advice,
      {
        cause: error,
        isRetryable: isRetryableStatus(status),
      },
    );
  }
  return new AnswerloopError(
    'upstream_failed',
    `Could not reach Discord: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
      isRetryable: true,
    },
  );
}

/**
 * Registers the commands (`/ask` and the message command, each for server and user installs) with one bulk overwrite (PUT), so the list on Discord is exactly ours:
 * in one guild, where changes appear at once, or globally for every server the bot is in.
 */
export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  let created: Array<{ id: string; name: string; type?: number }>;
  try {
    created = (await rest.put(route, { body: options.remove ? [] : commandDefinitions() })) as Array<{
      id: string;
      name: string;
      type?: number;
    }>;
  } catch (error) {
    throw registrationFailure(error, options);
  }
  return {
    scope: options.guildId ? 'guild' : 'global',
    ...(options.guildId ? { guildId: options.guildId } : {}),
    commands: created.map(({ id, name, type }) => ({ id, name, type: type ?? 1 })),
  };
}

/**
 * Permissions the bot needs: read and answer in channels, threads for mention, help-channel and message
 * command answers, embeds for answers, Manage Threads to tag help-forum posts it did not create, and Add Reactions for
 * a channel's `reaction` on questions it looked at but did not answer.
 */
export const botPermissions =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.ManageThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AddReactions;

export interface InstallLinks {
  /** Adds the bot to a server (someone with Manage Server picks which): the bot user, its commands, its permissions. */
  server: string;
  /** Adds the commands to a person's own account, to use `/ask` anywhere, even where the bot is not a member. */
  user: string;
}

/** The two OAuth2 install links. The user link works once User Install is on in the Developer Portal (Installation). */
export function installLinks(applicationId: string): InstallLinks {
  const link = (query: Record<string, string>) =>
    `https://discord.com/oauth2/authorize?${new URLSearchParams({ client_id: applicationId, ...query }).toString()}`;
  return {
    server: link({
      scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
      permissions: botPermissions.toString(),
      integration_type: String(ApplicationIntegrationType.GuildInstall),
    }),
    user: link({
      scope: OAuth2Scopes.ApplicationsCommands,
      integration_type: String(ApplicationIntegrationType.UserInstall),
    }),
  };
}
