import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import {
  Command,
  firstMatch,
  globalCommands,
  keyBindings,
  matches,
  textEntryGlobalCommands,
} from '../../src/admin-tui/keys/key-bindings.ts';
import { screenKeyMaps } from '../../src/admin-tui/keys/screen-key-maps.ts';

const noKey: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};
const key = (changes: Partial<Key> = {}): Key => ({ ...noKey, ...changes });

/** A representative key press for each stroke, as Ink reports it. */
function pressesOf(command: Command): Array<[string, Key]> {
  return keyBindings[command].strokes.map((stroke) => {
    if (stroke.named) {
      return [
        '',
        key({
          [stroke.named]: true,
          ctrl: Boolean(stroke.ctrl),
          shift: Boolean(stroke.shift),
          meta: stroke.named === 'escape',
        }),
      ];
    }
    return [stroke.character!, key({ ctrl: Boolean(stroke.ctrl), shift: /[A-Z]/.test(stroke.character!) })];
  });
}

describe('key bindings', () => {
  it('matches letters, named keys and modifiers exactly', () => {
    expect(matches(Command.Approve, 'a', key())).toBe(true);
    expect(matches(Command.Approve, 'a', key({ ctrl: true }))).toBe(false);
    expect(matches(Command.Down, 'j', key())).toBe(true);
    expect(matches(Command.Down, '', key({ downArrow: true }))).toBe(true);
    expect(matches(Command.Last, 'G', key({ shift: true }))).toBe(true);
    expect(matches(Command.First, 'G', key({ shift: true }))).toBe(false);
    expect(matches(Command.NextScreen, '', key({ tab: true }))).toBe(true);
    expect(matches(Command.NextScreen, '', key({ tab: true, shift: true }))).toBe(false);
    expect(matches(Command.PreviousScreen, '', key({ tab: true, shift: true }))).toBe(true);
    expect(matches(Command.SaveText, 's', key({ ctrl: true }))).toBe(true);
    expect(matches(Command.Snapshot, 's', key({ ctrl: true }))).toBe(false);
    // Ink reports escape with meta set.
    expect(matches(Command.Back, '', key({ escape: true, meta: true }))).toBe(true);
    expect(matches(Command.Approve, 'a', key({ meta: true }))).toBe(false);
  });

  it('firstMatch picks from the commands given, in order', () => {
    expect(firstMatch([Command.Snapshot, Command.CycleStatusFilter], 's', key())).toBe(Command.Snapshot);
    expect(firstMatch([Command.Approve], 's', key())).toBeUndefined();
  });

  it('every command has a key, a footer label and a help sentence', () => {
    for (const command of Object.values(Command)) {
      const binding = keyBindings[command];
      expect(binding.strokes.length, command).toBeGreaterThan(0);
      expect(binding.keys, command).not.toBe('');
      expect(binding.label, command).not.toBe('');
      expect(binding.description, command).toMatch(/\.$/);
    }
  });

  it('no two commands of one screen mode, with the keys that work everywhere, share a key', () => {
    for (const [mode, keyMap] of Object.entries(screenKeyMaps)) {
      const everywhere = keyMap.typing ? textEntryGlobalCommands : globalCommands;
      const commands = [...new Set([...keyMap.commands, ...everywhere])];
      for (const command of commands) {
        for (const [input, pressed] of pressesOf(command)) {
          const claimants = commands.filter((other) => matches(other, input, pressed));
          expect(claimants, `${mode}: ${JSON.stringify(input)} ${command}`).toEqual([command]);
        }
      }
      for (const hint of keyMap.hints) expect(keyMap.commands, mode).toContain(hint);
    }
  });

  it('typing modes leave letters, digits, q and ? to the text box', () => {
    for (const character of ['q', '?', '1', 'a', 'j', '/']) {
      expect(firstMatch(textEntryGlobalCommands, character, key())).toBeUndefined();
    }
  });
});
