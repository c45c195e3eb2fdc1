import { describe, expect, it } from 'vitest';
import { createAccessPolicy } from '../../src/bot/discord/access-policy.ts';
import { conversationKeys } from '../../src/bot/discord/discord-place.ts';
import { questionFromMention } from '../../src/bot/discord/mention-handler.ts';
import { loadConfig } from '../../src/core/index.ts';

const settings = (discord: Record<string, unknown>) => loadConfig({ env: {}, overrides: { discord } }).discord;

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
    expect(createAccessPolicy(settings({ allowedGuilds: ['g1'] })).allows({ guildId: 'g1', channelId: 'any' })).toBe(true);
  });

  it("gives a thread its own filters, else its channel's", () => {
    const policy = createAccessPolicy(settings({ channelFilters: { c1: { tags: ['billing'] }, t2: { sourcePrefixes: ['guides/'] } } }));
    expect(policy.filtersFor({ guildId: 'g', channelId: 'c1' })).toEqual({ tags: ['billing'] });
    expect(policy.filtersFor({ guildId: 'g', channelId: 't1', parentId: 'c1' })).toEqual({ tags: ['billing'] });
    expect(policy.filtersFor({ guildId: 'g', channelId: 't2', parentId: 'c1' })).toEqual({ sourcePrefixes: ['guides/'] });
    expect(policy.filtersFor({ guildId: 'g', channelId: 'c9' })).toBeUndefined();
  });
});

describe('Discord conversation keys and mentions', () => {
  it('stores thread questions under the thread, others under their own key', () => {
    expect(conversationKeys({ guildId: 'g', channelId: 't1', parentId: 'c1' }, 'i1')).toEqual({ channel: 'c1', thread: 't1' });
    expect(conversationKeys({ guildId: 'g', channelId: 'c1', parentId: null }, 'i1')).toEqual({ channel: 'c1', thread: 'i1' });
  });

  it('strips mentions of the bot, old and new forms, and keeps other mentions', () => {
    expect(questionFromMention('<@42> how do I  reset? <@!42>', '42')).toBe('how do I reset?');
    expect(questionFromMention('<@42> ask <@7> about it', '42')).toBe('ask <@7> about it');
    expect(questionFromMention('<@42>', '42')).toBe('');
  });
});
