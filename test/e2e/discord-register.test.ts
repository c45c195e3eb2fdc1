import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { discordConfigured, installLinks } from '../../src/bot/discord/index.ts';
import type { CliContext } from '../../src/cli/cli-context.ts';
import { registerDiscord } from '../../src/cli/discord.ts';
import { AnswerloopError, loadConfig } from '../../src/core/index.ts';
import { discordIds, type FakeDiscord, startFakeDiscord } from '../fakes/fake-discord.ts';

/** Runs `answerloop discord …` through the real command definitions, with the environment given; returns stdout. */
async function runDiscordCli(args: string[], env: Record<string, string>): Promise<string> {
  const context: CliContext = {
    config: () => loadConfig({ env: { ANSWERLOOP_LOG_FILE: '', ...env } }),
    core: () => {
      throw new Error('discord commands must not open core');
    },
    close: async () => {},
  };
  const program = new Command('answerloop').exitOverride();
  registerDiscord(program, context);
  const output: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['discord', ...args], { from: 'user' });
  } finally {
    write.mockRestore();
  }
  return output.join('');
}

describe('answerloop discord register (against the fake Discord REST API)', () => {
  let fake: FakeDiscord;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeDiscord();
    env = {
      DISCORD_TOKEN: 'test-token',
      DISCORD_APPLICATION_ID: discordIds.application,
      ANSWERLOOP_DISCORD__API_URL: fake.apiUrl,
    };
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
  });

  it('PUTs the command definitions to the guild route with --guild and says they are usable now', async () => {
    const output = await runDiscordCli(['register', '--guild', discordIds.guild], env);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({
      method: 'PUT',
      path: `/applications/${discordIds.application}/guilds/${discordIds.guild}/commands`,
      authorization: 'Bot test-token',
      status: 200,
    });
    const commands = request!.body as Array<{
      name: string;
      type?: number;
      description?: string;
      integration_types: number[];
      contexts: number[];
      options?: Array<{ name: string; type: number; required?: boolean }>;
    }>;
    expect(commands.map((command) => [command.name, command.type ?? 1])).toEqual([
      ['ask', 1],
      ['Answer with answerloop', 3],
    ]);
    expect(commands[0]!.options).toEqual([
      expect.objectContaining({ name: 'question', type: 3, required: true }),
      expect.objectContaining({ name: 'private', type: 5 }),
    ]);
    for (const command of commands) {
      // Installable to a server and to a person's account; usable in servers, the bot's DM and other DMs.
      expect(command.integration_types).toEqual([0, 1]);
      expect(command.contexts).toEqual([0, 1, 2]);
    }
    // A message command has no description and no options; the fake refuses one that does, as Discord would.
    expect(commands[1]!.description ?? '').toBe('');
    expect(fake.rejectedRequests()).toEqual([]);
    expect(output).toMatch(
      new RegExp(
        `Registered 2 commands \\(/ask, "Answer with answerloop" \\(message menu: Apps\\)\\) in server ${discordIds.guild}`,
      ),
    );
    expect(output).toMatch(/\/ask {2}id \d+/);
    expect(output).toMatch(/"Answer with answerloop" \(message menu: Apps\) {2}id \d+/);
  });

  it('registers globally without --guild', async () => {
    const output = await runDiscordCli(['register'], env);
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `PUT /applications/${discordIds.application}/commands`,
    ]);
    expect(output).toMatch(/globally/);
  });

  it('unregisters by putting an empty command list', async () => {
    const output = await runDiscordCli(['unregister', '--guild', discordIds.guild], env);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'PUT',
      path: `/applications/${discordIds.application}/guilds/${discordIds.guild}/commands`,
      body: [],
    });
    expect(output).toMatch(/Removed the bot's commands from server/);
  });

  it('prints the definitions without sending them with --dry-run', async () => {
    const output = await runDiscordCli(['register', '--dry-run'], {});
    expect(JSON.parse(output)).toEqual([
      expect.objectContaining({ name: 'ask' }),
      expect.objectContaining({ name: 'Answer with answerloop', type: 3 }),
    ]);
    expect(fake.requests).toEqual([]);
  });

  it('says which secret is missing', async () => {
    await expect(runDiscordCli(['register'], { ANSWERLOOP_DISCORD__API_URL: fake.apiUrl })).rejects.toThrow(
      /Set DISCORD_TOKEN and DISCORD_APPLICATION_ID/,
    );
    expect(fake.requests).toEqual([]);
  });

  it('turns Discord refusals into advice: a bad token, a guild the bot is not in', async () => {
    const badToken = runDiscordCli(['register', '--guild', discordIds.guild], {
      ...env,
      DISCORD_TOKEN: 'wrong',
    });
    await expect(badToken).rejects.toThrow(/rejected DISCORD_TOKEN/);
    const wrongGuild = runDiscordCli(['register', '--guild', discordIds.otherGuild], env);
    await expect(wrongGuild).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof AnswerloopError &&
        error.code === 'config_invalid' &&
        /applications\.commands/.test(error.message),
    );
  });

  it('prints both install links: the server link with the bot scope and permissions, the user link with commands only', async () => {
    const output = await runDiscordCli(['invite'], env);
    const links = output.match(/https:\/\/\S+/g)!.map((link) => new URL(link));
    expect(links).toHaveLength(2);
    const [server, user] = links as [URL, URL];
    for (const link of links) {
      expect(link.origin + link.pathname).toBe('https://discord.com/oauth2/authorize');
      expect(link.searchParams.get('client_id')).toBe(discordIds.application);
    }
    expect(server.searchParams.get('scope')).toBe('bot applications.commands');
    expect(server.searchParams.get('integration_type')).toBe('0');
    // View channels, send messages, manage threads (forum tags), embed links, read history, threads.
    const permissions = BigInt(server.searchParams.get('permissions')!);
    for (const bit of [6n, 10n, 11n, 14n, 16n, 34n, 35n, 38n])
      expect(permissions & (1n << bit)).toBe(1n << bit);
    // A user install adds commands to the person's account: no bot user, no server permissions.
    expect(user.searchParams.get('scope')).toBe('applications.commands');
    expect(user.searchParams.get('integration_type')).toBe('1');
    expect(user.searchParams.has('permissions')).toBe(false);
    expect(output).toMatch(/Add the bot to a server/);
    expect(output).toMatch(/User Install/);

    expect((await runDiscordCli(['invite', '--user'], env)).trim()).toBe(
      installLinks(discordIds.application).user,
    );
    expect((await runDiscordCli(['invite', '--server'], env)).trim()).toBe(
      installLinks(discordIds.application).server,
    );
  });
});

describe('discordConfigured', () => {
  const config = (env: Record<string, string>) => loadConfig({ env });
  it('starts Discord when enabled is auto and a token is set, or when enabled is true', () => {
    expect(discordConfigured(config({}))).toBe(false);
    expect(discordConfigured(config({ DISCORD_TOKEN: 'x' }))).toBe(true);
    expect(discordConfigured(config({ DISCORD_TOKEN: 'x', ANSWERLOOP_DISCORD__ENABLED: 'false' }))).toBe(
      false,
    );
    expect(discordConfigured(config({ ANSWERLOOP_DISCORD__ENABLED: 'true' }))).toBe(true);
  });
});
