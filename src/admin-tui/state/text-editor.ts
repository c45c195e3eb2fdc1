import type { Key } from 'ink';
import { Command, firstMatch } from '../keys/key-bindings.ts';

/** A multi-line text being edited: the text and the cursor's offset into it. */
export interface TextEditorState {
  text: string;
  cursor: number;
}

export type TextEditorAction =
  | { type: 'insert'; text: string }
  | { type: 'deleteBackward' }
  | { type: 'left' }
  | { type: 'right' }
  | { type: 'up' }
  | { type: 'down' }
  | { type: 'replace'; text: string };

export function createTextEditor(text: string): TextEditorState {
  return { text, cursor: text.length };
}

/** Line and column of an offset. */
export function cursorPosition(text: string, cursor: number): { line: number; column: number } {
  const before = text.slice(0, cursor).split('\n');
  return { line: before.length - 1, column: before.at(-1)!.length };
}

function offsetOf(lines: string[], line: number, column: number): number {
  let offset = 0;
  for (let index = 0; index < line; index += 1) offset += lines[index]!.length + 1;
  return offset + Math.min(column, lines[line]!.length);
}

function verticalMove(state: TextEditorState, by: number): TextEditorState {
  const lines = state.text.split('\n');
  const { line, column } = cursorPosition(state.text, state.cursor);
  const target = line + by;
  if (target < 0) return { ...state, cursor: 0 };
  if (target >= lines.length) return { ...state, cursor: state.text.length };
  return { ...state, cursor: offsetOf(lines, target, column) };
}

export function textEditorReducer(state: TextEditorState, action: TextEditorAction): TextEditorState {
  switch (action.type) {
    case 'insert': {
      // Terminals send pasted line breaks as \r.
      const inserted = action.text.replace(/\r\n?/g, '\n');
      return {
        text: state.text.slice(0, state.cursor) + inserted + state.text.slice(state.cursor),
        cursor: state.cursor + inserted.length,
      };
    }
    case 'deleteBackward':
      if (state.cursor === 0) return state;
      return {
        text: state.text.slice(0, state.cursor - 1) + state.text.slice(state.cursor),
        cursor: state.cursor - 1,
      };
    case 'left':
      return { ...state, cursor: Math.max(0, state.cursor - 1) };
    case 'right':
      return { ...state, cursor: Math.min(state.text.length, state.cursor + 1) };
    case 'up':
      return verticalMove(state, -1);
    case 'down':
      return verticalMove(state, 1);
    case 'replace':
      return createTextEditor(action.text);
  }
}

/** Typed or pasted text: printable characters and line breaks, never control sequences. */
function isPrintable(text: string): boolean {
  return [...text].every((character) => {
    const code = character.codePointAt(0)!;
    return code === 10 || code === 13 || (code >= 32 && code !== 127);
  });
}

const editingCommands: readonly Command[] = [
  Command.CursorUp,
  Command.CursorDown,
  Command.CursorLeft,
  Command.CursorRight,
  Command.DeleteBackward,
  Command.ClearText,
  Command.NewLine,
];

/** The edit a key press makes, or undefined for keys the editor leaves to its owner (save, cancel, $EDITOR). */
export function textEditorActionForKey(input: string, key: Key): TextEditorAction | undefined {
  switch (firstMatch(editingCommands, input, key)) {
    case Command.CursorUp:
      return { type: 'up' };
    case Command.CursorDown:
      return { type: 'down' };
    case Command.CursorLeft:
      return { type: 'left' };
    case Command.CursorRight:
      return { type: 'right' };
    case Command.DeleteBackward:
      return { type: 'deleteBackward' };
    case Command.ClearText:
      return { type: 'replace', text: '' };
    case Command.NewLine:
      return { type: 'insert', text: '\n' };
    default:
      // Printable text only: control sequences and modified keys are not typed.
      if (input && !key.ctrl && !key.meta && !key.escape && !key.tab && isPrintable(input)) {
        return { type: 'insert', text: input };
      }
      return undefined;
  }
}

/**
 * The text cut into display rows of at most `width` characters (long lines wrap), with the cursor's row and
 * column among them, so the editor can scroll to the cursor and draw it.
 */
export function displayRows(
  state: TextEditorState,
  width: number,
): { rows: string[]; cursorRow: number; cursorColumn: number } {
  const room = Math.max(1, width);
  const { line: cursorLine, column } = cursorPosition(state.text, state.cursor);
  const rows: string[] = [];
  let cursorRow = 0;
  let cursorColumn = 0;
  state.text.split('\n').forEach((line, index) => {
    const first = rows.length;
    for (let start = 0; start === 0 || start < line.length; start += room)
      rows.push(line.slice(start, start + room));
    if (index === cursorLine) {
      // A cursor just past a full row is drawn at the start of the next one.
      const row = Math.floor(column / room);
      if (first + row >= rows.length) rows.push('');
      cursorRow = first + row;
      cursorColumn = column - row * room;
    }
  });
  return { rows, cursorRow, cursorColumn };
}
