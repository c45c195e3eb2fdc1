import { describe, expect, it } from 'vitest';
import { createAccessPolicy } from '../../src/bot/discord/access-policy.ts';
import { shouldPostUnasked } from '../../src/core/coordination/delivery.ts';
import { retryTransient } from '../../src/bot/discord/discord-retry.ts';
import { conversationKeys } from '../../src/bot/discord/discord-place.ts';
import { questionFromMention } from '../../src/bot/discord/mention-handler.ts';
import { loadConfig } from '../../src/core/index.ts';

const settings = (discord: Record<string, unknown>) => loadConfig({ env: {}, overrides: { discord } });

describe('Discord access policy', () => {
  it('allows everything, direct messages included, when no list is set', () => {
    const policy = createAccessPolicy(settings({}));
    expect(policy.allows({ guildId: 'g1', channelId: 'c1' })).toBe(true);
    expect(policy.allows({ guildId: null, channelId: 'dm' })).toBe(true);
  });

  it('keeps to the allowed guilds and channels; a thread counts as its channel; no direct messages then', () => {
    const policy = createAccessPolicy(settings({ allowedGuilds: ['g1'], allowedChannels: ['c1'] }));
    expect(policy.allows({ guildId: 'g1', channelId: 'c1' })).toBe(true);
    expect(policy.allows({ guildId: 'g1', channelId: 't1', parentId: 'c1' })).toBe(true);
    expect(policy.allows({ guildId: 'g1', channelId: 'c2' })).toBe(false);
    expect(policy.allows({ guildId: 'g2', channelId: 'c1' })).toBe(false);
    expect(policy.allows({ guildId: null, channelId: 'dm' })).toBe(false);
    expect(
      createAccessPolicy(settings({ allowedGuilds: ['g1'] })).allows({ guildId: 'g1', channelId: 'any' }),
    ).toBe(true);
  });

  it("gives a thread its own filters, else its channel's", () => {
    const policy = createAccessPolicy(
      settings({ channelFilters: { c1: { tags: ['billing'] }, t2: { sourcePrefixes: ['guides/'] } } }),
    );
    expect(policy.filtersFor({ guildId: 'g', channelId: 'c1' })).toEqual({ tags: ['billing'] });
    expect(policy.filtersFor({ guildId: 'g', channelId: 't1', parentId: 'c1' })).toEqual({
      tags: ['billing'],
    });
    expect(policy.filtersFor({ guildId: 'g', channelId: 't2', parentId: 'c1' })).toEqual({
      sourcePrefixes: ['guides/'],
    });
    expect(policy.filtersFor({ guildId: 'g', channelId: 'c9' })).toBeUndefined();
  });
});

describe('Discord conversation keys and mentions', () => {
  it('stores thread questions under the thread, others under their own key', () => {
    expect(conversationKeys({ guildId: 'g', channelId: 't1', parentId: 'c1' }, 'i1')).toEqual({
      channel: 'c1',
      thread: 't1',
    });
    expect(conversationKeys({ guildId: 'g', channelId: 'c1', parentId: null }, 'i1')).toEqual({
      channel: 'c1',
      thread: 'i1',
    });
  });

  it('strips mentions of the bot, old and new forms, and keeps other mentions', () => {
    expect(questionFromMention('<@42> how do I  reset? <@!42>', '42')).toBe('how do I reset?');
    expect(questionFromMention('<@42> ask <@7> about it', '42')).toBe('ask <@7> about it');
    expect(questionFromMention('<@42>', '42')).toBe('');
  });
});

describe('Discord channel settings (discord.channels.<id>)', () => {
  const config = (discord: Record<string, unknown>, answering: Record<string, unknown> = {}) =>
    loadConfig({ env: {}, overrides: { discord, answering } });

  it('defaults to commands only, or mentions when mentions are on; reads messages only when some channel needs it', () => {
    expect(createAccessPolicy(config({})).settingsFor({ guildId: 'g', channelId: 'c' }).mode).toBe('command');
    expect(createAccessPolicy(config({})).readsMessages()).toBe(false);
    expect(
      createAccessPolicy(config({ mentions: true })).settingsFor({ guildId: 'g', channelId: 'c' }).mode,
    ).toBe('mention');
    expect(createAccessPolicy(config({ channels: { forum: { mode: 'auto' } } })).readsMessages()).toBe(true);
    expect(createAccessPolicy(config({ channels: { quiet: { mode: 'off' } } })).readsMessages()).toBe(false);
  });

  it('gives a forum post its forum settings, with the tags and a threshold never below the refusal threshold', () => {
    const policy = createAccessPolicy(
      config(
        {
          channels: {
            forum: { mode: 'auto', tags: ['answered'], unsureTags: ['needs a human'], threshold: 0.1 },
          },
        },
        { refusalThreshold: 0.3 },
      ),
    );
    expect(policy.settingsFor({ guildId: 'g', channelId: 'post', parentId: 'forum' })).toMatchObject({
      mode: 'auto',
      tags: ['answered'],
      unsureTags: ['needs a human'],
      threshold: 0.3,
    });
  });

  it('turns a channel off outside the allowed servers, and in direct messages when a list narrows the bot', () => {
    const policy = createAccessPolicy(config({ allowedGuilds: ['g1'], channels: { c1: { mode: 'auto' } } }));
    expect(policy.settingsFor({ guildId: 'g2', channelId: 'c1' }).mode).toBe('off');
    expect(policy.settingsFor({ guildId: 'g1', channelId: 'c1' }).mode).toBe('auto');
    expect(policy.allows({ guildId: null, channelId: 'dm' })).toBe(false);
  });

  it('reads allowedChannels and channels as one list: a channel named in either is answered', () => {
    const policy = createAccessPolicy(
      config({ allowedChannels: ['c1'], channels: { c2: { mode: 'auto' } } }),
    );
    expect(policy.allows({ guildId: 'g', channelId: 'c1' })).toBe(true);
    expect(policy.settingsFor({ guildId: 'g', channelId: 'c2' }).mode).toBe('auto');
    expect(policy.allows({ guildId: 'g', channelId: 'c3' })).toBe(false);
  });
});

describe('the confidence gate of unprompted answers (core.delivery.shouldPostUnasked, both platforms)', () => {
  it('posts a documentation answer at or above the threshold; never a refusal, a skipped answer or small talk', () => {
    expect(shouldPostUnasked({ refused: false, route: 'retrieve', confidence: 0.7 }, 0.6)).toBe(true);
    expect(shouldPostUnasked({ refused: false, route: 'retrieve', confidence: 0.6 }, 0.6)).toBe(true);
    expect(shouldPostUnasked({ refused: false, route: 'retrieve', confidence: 0.59 }, 0.6)).toBe(false);
    expect(shouldPostUnasked({ refused: true, route: 'refused', confidence: 0.9 }, 0.6)).toBe(false);
    expect(shouldPostUnasked({ refused: false, route: 'direct', confidence: 1 }, 0.6)).toBe(false);
    expect(shouldPostUnasked({ refused: true, route: 'refused', confidence: 0.7, skipped: true }, 0.6)).toBe(
      false,
    );
  });
});

describe('retrying what Discord clears by itself', () => {
  it('retries a transient failure with waits, gives up on others and after the last wait', async () => {
    let calls = 0;
    const transient = new Error('not yet');
    expect(
      await retryTransient(
        async () => (++calls < 3 ? Promise.reject(transient) : 'done'),
        (error) => error === transient,
        { retries: 3, firstMs: 1 },
      ),
    ).toBe('done');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryTransient(
        async () => Promise.reject(new Error(`fatal ${++calls}`)),
        (error) => error === transient,
        { retries: 2, firstMs: 1 },
      ),
    ).rejects.toThrow('fatal 1');
    calls = 0;
    await expect(
      retryTransient(
        async () => Promise.reject(transient),
        () => (++calls, true),
        { retries: 2, firstMs: 1 },
      ),
    ).rejects.toBe(transient);
    expect(calls).toBe(2);
  });
});
