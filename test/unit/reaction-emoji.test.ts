import { describe, expect, it } from 'vitest';
import { discordReaction, slackReaction } from '../../src/bot/render/reaction-emoji.ts';

describe("a channel's reaction, one setting written either way for Slack and Discord", () => {
  it('gives Discord the emoji itself, from a Slack-style name or as given', () => {
    expect(discordReaction('eyes')).toBe('👀');
    expect(discordReaction(':eyes:')).toBe('👀');
    expect(discordReaction(' white_check_mark ')).toBe('✅');
    expect(discordReaction('👀')).toBe('👀');
    // A server's own emoji, in either of Discord's forms.
    expect(discordReaction('answerloop:123456789012345678')).toBe('answerloop:123456789012345678');
    expect(discordReaction('<:answerloop:123456789012345678>')).toBe('<:answerloop:123456789012345678>');
  });

  it('finds no emoji for a name that is none, or for nothing', () => {
    expect(discordReaction('not_an_emoji_name')).toBeUndefined();
    expect(discordReaction('  ')).toBeUndefined();
  });

  it("gives Slack a name: an emoji given as itself becomes its name, a workspace's own names pass", () => {
    expect(slackReaction('👀')).toBe('eyes');
    expect(slackReaction(':eyes:')).toBe('eyes');
    expect(slackReaction('eyes')).toBe('eyes');
    expect(slackReaction('answerloop-looking')).toBe('answerloop-looking');
    expect(slackReaction('')).toBeUndefined();
  });
});
