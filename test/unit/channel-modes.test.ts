import { describe, expect, it } from 'vitest';
import {
  looksLikeQuestion,
  resolveChannelSettings,
  type ChannelDefaults,
} from '../../src/bot/channel-modes.ts';
import { loadConfig } from '../../src/core/index.ts';

const slack = (settings: Record<string, unknown>) =>
  loadConfig({ env: {}, overrides: { slack: settings } }).slack;
const defaults: ChannelDefaults = { mode: 'mention', threshold: 0.6, refusalThreshold: 0.35 };

describe('per-channel settings', () => {
  it('offers the hand-off where a channel, or the parent of a thread, sets it; nowhere by default', () => {
    const source = slack({ channels: { C1: { handoff: { channel: 'CHELP', mention: 'S0SUPPORT' } } } });
    expect(resolveChannelSettings(source, ['C1'], defaults).handoff).toEqual({
      channel: 'CHELP',
      mention: 'S0SUPPORT',
    });
    expect(resolveChannelSettings(source, ['T1', 'C1'], defaults).handoff).toEqual({
      channel: 'CHELP',
      mention: 'S0SUPPORT',
    });
    expect(resolveChannelSettings(source, ['C2'], defaults).handoff).toBeUndefined();
    expect(() => slack({ channels: { C1: { handoff: {} } } })).toThrow(
      /handoff needs a channel to post to, a mention to call people with, or both/,
    );
  });

  it('gives every channel the defaults when nothing is configured', () => {
    expect(resolveChannelSettings(slack({}), ['C1'], defaults)).toEqual({
      mode: 'mention',
      reply: 'thread',
      threshold: 0.6,
      keepSilent: true,
    });
  });

  it('reads allowedChannels and channelFilters as the same thing as channels', () => {
    const legacy = slack({ allowedChannels: ['C1'], channelFilters: { C1: { tags: ['billing'] } } });
    expect(resolveChannelSettings(legacy, ['C1'], defaults)).toEqual({
      mode: 'mention',
      reply: 'thread',
      threshold: 0.6,
      keepSilent: true,
      filters: { tags: ['billing'] },
    });
    expect(resolveChannelSettings(legacy, ['C2'], defaults).mode).toBe('off');
    const modern = slack({ channels: { C1: { filters: { tags: ['billing'] } } }, allowedChannels: ['C9'] });
    expect(resolveChannelSettings(modern, ['C1'], defaults)).toEqual({
      mode: 'mention',
      reply: 'thread',
      threshold: 0.6,
      keepSilent: true,
      filters: { tags: ['billing'] },
    });
  });

  it('lets a channel entry override the legacy filters and set its mode, reply, threshold, reaction and keepSilent', () => {
    const settings = slack({
      channelFilters: { C1: { tags: ['old'] } },
      channels: {
        C1: {
          mode: 'auto',
          reply: 'private',
          threshold: 0.8,
          filters: { tags: ['new'] },
          reaction: 'eyes',
          keepSilent: false,
        },
        C2: { mode: 'off' },
      },
    });
    expect(resolveChannelSettings(settings, ['C1'], defaults)).toEqual({
      mode: 'auto',
      reply: 'private',
      threshold: 0.8,
      keepSilent: false,
      filters: { tags: ['new'] },
      reaction: 'eyes',
    });
    expect(resolveChannelSettings(settings, ['C2'], defaults).mode).toBe('off');
  });

  it('takes each field from the most specific id that sets it (a thread, then its channel)', () => {
    const settings = slack({
      channels: { parent: { mode: 'auto', filters: { tags: ['a'] } }, thread: { filters: { tags: ['b'] } } },
    });
    expect(resolveChannelSettings(settings, ['thread', 'parent'], defaults)).toMatchObject({
      mode: 'auto',
      filters: { tags: ['b'] },
    });
    expect(resolveChannelSettings(settings, [null, 'parent'], defaults)).toMatchObject({
      mode: 'auto',
      filters: { tags: ['a'] },
    });
  });

  it('never lets a channel threshold fall below the refusal threshold', () => {
    const settings = slack({ channels: { C1: { threshold: 0.1 } } });
    expect(resolveChannelSettings(settings, ['C1'], defaults).threshold).toBe(0.35);
  });

  it('rejects an unknown mode with the setting path', () => {
    expect(() => slack({ channels: { C1: { mode: 'always' } } })).toThrow(/slack\.channels\.C1\.mode/);
  });
});

describe('looksLikeQuestion', () => {
  it.each([
    'How do I reset my password?',
    'how do i reset my password',
    'Hi all, where do I find the API keys',
    'Is there a way to export the dashboard',
    'Anyone seen this error after upgrading',
    'The export fails with a timeout, any idea?',
  ])('takes %j for a question', (text) => expect(looksLikeQuestion(text)).toBe(true));

  it.each([
    'Deployed version 2.3 to production.',
    'thanks!',
    'ok?',
    'The build is green again, see https://ci.example.com/run?id=3',
    'Use `curl https://x?y=1` for that, it works',
    'Heads up: the office is closed on Friday',
  ])('takes %j for something else', (text) => expect(looksLikeQuestion(text)).toBe(false));
});
