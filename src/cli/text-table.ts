import { userInfo } from 'node:os';
import { InputError } from '../core/index.ts';

/** Shortens text to one line of at most `width` characters. */
export function clip(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

/** A plain-text table: columns as wide as their widest cell, two spaces apart, a rule under the header. */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Who runs the command, recorded on review actions unless --by names someone else. */
export function currentOperator(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

export function formatPercent(value: number): string {
  return `${(value * 100).toFixed(0)}%`;
}

/** Parses a whole-number option, naming the option when the value is not one. */
export function parseWholeNumber(name: string, value: string, minimum = 0): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum)
    throw new InputError(
      `${name} expects a whole number of at least ${minimum}, got ${JSON.stringify(value)}`,
    );
  return number;
}

export function parseFraction(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1)
    throw new InputError(`${name} expects a number from 0 to 1, got ${JSON.stringify(value)}`);
  return number;
}
