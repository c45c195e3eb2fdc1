import { DiscordAPIError, OAuth2Scopes, PermissionFlagsBits, REST, Routes } from 'discord.js';
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
  commands: Array<{ id: string; name: string }>;
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
    return new AnswerloopError(status === 401 || status === 403 || status === 404 ? 'config_invalid' : 'upstream_failed', advice, {
      cause: error,
      isRetryable: isRetryableStatus(status),
    });
  }
  return new AnswerloopError('upstream_failed', `Could not reach Discord: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
    isRetryable: true,
  });
}

/**
 * Registers the slash commands with one bulk overwrite (PUT), so the list on Discord is exactly ours:
 * in one guild, where changes appear at once, or globally for every server the bot is in.
 */
export async function registerCommands(options: RegisterCommandsOptions): Promise<RegisteredCommands> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token);
  const route = options.guildId ? Routes.applicationGuildCommands(options.applicationId, options.guildId) : Routes.applicationCommands(options.applicationId);
  let created: Array<{ id: string; name: string }>;
  try {
    created = (await rest.put(route, { body: options.remove ? [] : commandDefinitions() })) as Array<{ id: string; name: string }>;
  } catch (error) {
    throw registrationFailure(error, options);
  }
  return {
    scope: options.guildId ? 'guild' : 'global',
    ...(options.guildId ? { guildId: options.guildId } : {}),
    commands: created.map(({ id, name }) => ({ id, name })),
  };
}

/** Permissions the bot needs: read and answer in channels, threads for mention replies, embeds for answers. */
export const botPermissions =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.ReadMessageHistory;

/** The OAuth2 URL that adds the bot to a server with the scopes and permissions it needs. */
export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
    permissions: botPermissions.toString(),
  });
  return `https://discord.com/oauth2/authorize?${query.toString()}`;
}
