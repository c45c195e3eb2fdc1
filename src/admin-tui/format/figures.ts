import { toAnswerloopError } from '../../core/index.ts';

/** Shortens text to one line of at most `width` characters, with an ellipsis when cut. */
export function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (width <= 0) return '';
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

/** Keeps the end of a path-like text, where the file name is: `…/guides/install.md`. */
export function tail(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (width <= 0) return '';
  return flat.length <= width ? flat : `…${flat.slice(flat.length - Math.max(0, width - 1))}`;
}

/** Pads or cuts to exactly `width` characters, for columns. */
export function fit(text: string, width: number): string {
  return oneLine(text, width).padEnd(Math.max(0, width));
}

export function percent(share: number | null, digits = 0): string {
  return share === null ? '—' : `${(share * 100).toFixed(digits)} %`;
}

export function milliseconds(value: number | null): string {
  if (value === null) return '—';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function dollars(value: number): string {
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

export function thousands(value: number): string {
  return value.toLocaleString('en-US');
}

export function score(value: number | undefined | null, digits = 3): string {
  return value === undefined || value === null ? '—' : value.toFixed(digits);
}

/** A local date and time, minute precision: enough for an operator's log. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The operator-facing text of an error: its code and the message that says what to do. */
export function describeError(error: unknown): string {
  const typed = toAnswerloopError(error);
  return typed.code === 'internal' ? typed.message : `${typed.message} (${typed.code})`;
}

/** Short name of a fine-tuned model: its suffix and id, the part that differs between models. */
export function shortModelName(name: string): string {
  const parts = name.split(':');
  return name.startsWith('ft:') && parts.length >= 4 ? `ft:…:${parts.slice(-2).join(':')}` : name;
}
