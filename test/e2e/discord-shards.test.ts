/**
 * Discord gateway shards (discord.shards / discord.shardCount) against the fake gateway: the client identifies
 * with exactly the configured shard ids, answers through them, and its readiness is the real gateway state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/index.ts';
import { slashCommandInteraction } from '../fakes/fake-discord.ts';
import { type DiscordHarness, startDiscordHarness } from '../support/discord-test-harness.ts';

async function eventually(done: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  for (
    const deadline = Date.now() + timeoutMs;
    Date.now() < deadline;
    await new Promise((resolve) => setTimeout(resolve, 10))
  ) {
    if (done()) return true;
  }
  return done();
}

const sorted = (shards: Array<[number, number]>) => [...shards].sort((a, b) => a[0] - b[0]);

describe('Discord gateway shards', () => {
  let harness: DiscordHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('identifies with the configured share of the shards and answers through them', async () => {
    harness = await startDiscordHarness({ overrides: { discord: { shards: [1, 3], shardCount: 4 } } });
    expect(sorted(harness.fake.identifiedShards())).toEqual([
      [1, 4],
      [3, 4],
    ]);
    expect(harness.bot.shards).toEqual({ ids: [1, 3], count: 4 });
    expect(harness.bot.connected()).toBe(true);
    const interaction = harness.interact(
      slashCommandInteraction('ask', [{ name: 'question', type: 3, value: 'How do I reset my password?' }]),
    );
    expect((await harness.callback(interaction)).body).toMatchObject({ type: 5 });
    const edit = await harness.originalEdit(interaction);
    expect(JSON.stringify(edit.body)).toMatch(/reset/i);
  });

  it('runs every shard Discord recommends with auto', async () => {
    harness = await startDiscordHarness({ fake: { recommendedShards: 2 } });
    expect(sorted(harness.fake.identifiedShards())).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(harness.bot.shards).toEqual({ ids: [0, 1], count: 2 });
  });

  it('is not ready while a shard is reconnecting, and ready again once it is back', async () => {
    harness = await startDiscordHarness({});
    expect(harness.bot.connected()).toBe(true);
    const release = harness.fake.holdGateway();
    harness.fake.dropGatewayConnection();
    expect(await eventually(() => !harness!.bot.connected())).toBe(true);
    // Held: the reconnect cannot finish, so the bot stays unready.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(harness.bot.connected()).toBe(false);
    release();
    expect(await eventually(() => harness!.bot.connected())).toBe(true);
  });

  it('refuses a list of shard ids without their total, or with ids outside it', () => {
    const load = (discord: Record<string, unknown>) => () => loadConfig({ env: {}, overrides: { discord } });
    expect(load({ shards: [0, 1] })).toThrow(ConfigError);
    expect(load({ shards: [0, 1] })).toThrow(/discord\.shardCount: .*the total number of shards/);
    expect(load({ shards: [0, 2], shardCount: 2 })).toThrow(
      /discord\.shards: .*distinct shard ids below discord\.shardCount \(2\)/,
    );
    expect(load({ shards: [1, 1], shardCount: 2 })).toThrow(/distinct shard ids/);
    expect(
      loadConfig({ env: { ANSWERLOOP_DISCORD__SHARDS: '[1]', ANSWERLOOP_DISCORD__SHARD_COUNT: '2' } })
        .discord,
    ).toMatchObject({ shards: [1], shardCount: 2 });
  });
});
