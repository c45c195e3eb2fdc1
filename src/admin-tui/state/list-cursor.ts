import type { Key } from 'ink';
import { Command, firstMatch } from '../keys/key-bindings.ts';

/** The commands every list answers to. */
export const listCommands: readonly Command[] = [
  Command.Up,
  Command.Down,
  Command.PageUp,
  Command.PageDown,
  Command.First,
  Command.Last,
];

/** Where the cursor of a list of `count` lines goes on a movement command; unchanged for any other command. */
export function moveCursor(index: number, count: number, command: Command, pageSize: number): number {
  if (count <= 0) return 0;
  const last = count - 1;
  const page = Math.max(1, pageSize);
  const clamp = (value: number) => Math.min(last, Math.max(0, value));
  switch (command) {
    case Command.Up:
      return clamp(index - 1);
    case Command.Down:
      return clamp(index + 1);
    case Command.PageUp:
      return clamp(index - page);
    case Command.PageDown:
      return clamp(index + page);
    case Command.First:
      return 0;
    case Command.Last:
      return last;
    default:
      return clamp(index);
  }
}

/** The cursor after a key press, or undefined when the key is not a list movement. */
export function cursorAfterKey(
  index: number,
  count: number,
  pageSize: number,
  input: string,
  key: Key,
): number | undefined {
  const command = firstMatch(listCommands, input, key);
  return command ? moveCursor(index, count, command, pageSize) : undefined;
}

/**
 * The slice of a list that fits in `height` lines with the cursor on screen, keeping the cursor away from the
 * edges when it can so the operator sees what comes next.
 */
export function visibleWindow(index: number, count: number, height: number): { start: number; end: number } {
  const size = Math.max(1, height);
  if (count <= size) return { start: 0, end: count };
  const start = Math.min(Math.max(0, index - Math.floor(size / 2)), count - size);
  return { start, end: start + size };
}

/** Items whose text contains every word of the filter, case-insensitively. */
export function filterByText<T>(items: readonly T[], filter: string, textOf: (item: T) => string): T[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...items];
  return items.filter((item) => {
    const text = textOf(item).toLowerCase();
    return words.every((word) => text.includes(word));
  });
}
