import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { discordConfigured, inviteUrl } from '../../src/bot/discord/index.ts';
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
    env = { DISCORD_TOKEN: 'test-token', DISCORD_APPLICATION_ID: discordIds.application, ANSWERLOOP_DISCORD__API_URL: fake.apiUrl };
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
    expect(request).toMatchObject({ method: 'PUT', path: `/applications/${discordIds.application}/guilds/${discordIds.guild}/commands`, authorization: 'Bot test-token', status: 200 });
    const commands = request!.body as Array<{ name: string; type?: number; options: Array<{ name: string; type: number; required?: boolean }> }>;
    expect(commands.map((command) => command.name)).toEqual(['ask']);
    expect(commands[0]!.options).toEqual([
      expect.objectContaining({ name: 'question', type: 3, required: true }),
      expect.objectContaining({ name: 'private', type: 5 }),
    ]);
    expect(output).toMatch(new RegExp(`Registered 1 command \\(/ask\\) in server ${discordIds.guild}`));
    expect(output).toMatch(/\/ask {2}id \d+/);
  });

  it('registers globally without --guild', async () => {
    const output = await runDiscordCli(['register'], env);
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`PUT /applications/${discordIds.application}/commands`]);
    expect(output).toMatch(/globally/);
  });

  it('unregisters by putting an empty command list', async () => {
    const output = await runDiscordCli(['unregister', '--guild', discordIds.guild], env);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'PUT', path: `/applications/${discordIds.application}/guilds/${discordIds.guild}/commands`, body: [] });
    expect(output).toMatch(/Removed the bot's commands from server/);
  });

  it('prints the definitions without sending them with --dry-run', async () => {
    const output = await runDiscordCli(['register', '--dry-run'], {});
    expect(JSON.parse(output)).toEqual([expect.objectContaining({ name: 'ask' })]);
    expect(fake.requests).toEqual([]);
  });

  it('says which secret is missing', async () => {
    await expect(runDiscordCli(['register'], { ANSWERLOOP_DISCORD__API_URL: fake.apiUrl })).rejects.toThrow(/Set DISCORD_TOKEN and DISCORD_APPLICATION_ID/);
    expect(fake.requests).toEqual([]);
  });

  it('turns Discord refusals into advice: a bad token, a guild the bot is not in', async () => {
    const badToken = runDiscordCli(['register', '--guild', discordIds.guild], { ...env, DISCORD_TOKEN: 'wrong' });
    await expect(badToken).rejects.toThrow(/rejected DISCORD_TOKEN/);
    const wrongGuild = runDiscordCli(['register', '--guild', discordIds.otherGuild], env);
    await expect(wrongGuild).rejects.toSatisfy((error: unknown) => error instanceof AnswerloopError && error.code === 'config_invalid' && /applications\.commands/.test(error.message));
  });

  it('prints an invite link with the bot and applications.commands scopes', async () => {
    const output = await runDiscordCli(['invite'], env);
    const url = new URL(output.trim());
    expect(url.origin + url.pathname).toBe('https://discord.com/oauth2/authorize');
    expect(url.searchParams.get('client_id')).toBe(discordIds.application);
    expect(url.searchParams.get('scope')).toBe('bot applications.commands');
    expect(output.trim()).toBe(inviteUrl(discordIds.application));
    // View channels, send messages, embed links, read history, threads.
    const permissions = BigInt(url.searchParams.get('permissions')!);
    for (const bit of [10n, 11n, 14n, 16n, 35n, 38n]) expect(permissions & (1n << bit)).toBe(1n << bit);
  });
});

describe('discordConfigured', () => {
  const config = (env: Record<string, string>) => loadConfig({ env });
  it('starts Discord when enabled is auto and a token is set, or when enabled is true', () => {
    expect(discordConfigured(config({}))).toBe(false);
    expect(discordConfigured(config({ DISCORD_TOKEN: 'x' }))).toBe(true);
    expect(discordConfigured(config({ DISCORD_TOKEN: 'x', ANSWERLOOP_DISCORD__ENABLED: 'false' }))).toBe(false);
    expect(discordConfigured(config({ ANSWERLOOP_DISCORD__ENABLED: 'true' }))).toBe(true);
  });
});
