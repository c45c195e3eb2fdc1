import { describe, expect, it } from 'vitest';
import { renderDiscordAnswer } from '../../src/bot/render/discord-answer.ts';
import { threadName } from '../../src/bot/render/discord-notices.ts';
import {
  neutralizeMentions,
  safeUserLine,
  stripUnsafeCharacters,
} from '../../src/bot/render/discord-safe-text.ts';

describe('user text shown back on Discord', () => {
  it('removes control, bidirectional-override and invisible characters, keeping words apart', () => {
    expect(stripUnsafeCharacters('a\u202eb\u202c c\u0007d\u0000e\u2066f\u2069 g\u200fh\u200bi\ufeffj')).toBe(
      'ab cdef ghij',
    );
    expect(stripUnsafeCharacters('two\nlines\tand\r\na tab')).toBe('two lines and a tab');
    // Letters of every script and emoji stay.
    expect(stripUnsafeCharacters('Ünïcödé 日本語 مرحبا 👍🏽')).toBe('Ünïcödé 日本語 مرحبا 👍🏽');
  });

  it('breaks @everyone, @here and mention syntax so they neither ping nor look like a ping', () => {
    const broken = neutralizeMentions(
      '@everyone @HERE <@123456789012345678> <@!123456789012345678> <@&123456789012345678> <#123456789012345678> me@example.com',
    );
    expect(broken).not.toMatch(/@everyone|@HERE|<@!?\d|<@&\d|<#\d/);
    expect(broken).toContain('@\u200beveryone');
    expect(broken).toContain('me@example.com');
  });

  it('applies to the answer title and thread names', () => {
    const question = '\u202eHow do I reset @everyone\u0007?';
    expect(safeUserLine(question)).toBe('How do I reset @\u200beveryone?');
    expect(threadName(question)).toBe('How do I reset @\u200beveryone?');
    const [message] = renderDiscordAnswer({
      question,
      result: {
        answer: 'Open Settings [1].',
        citations: [],
        sources: [],
        model: 'extractive',
        extractive: true,
        refused: false,
        conversationId: 'c1',
      },
    });
    expect(message!.embeds[0]!.title).toBe('How do I reset @\u200beveryone?');
  });

  it('falls back to a neutral title when nothing printable is left', () => {
    expect(threadName('\u202e\u0007\u200b')).toBe('Question');
  });
});
