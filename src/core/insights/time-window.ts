import { InputError } from '../errors/index.ts';

const unitMs: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * The start of a window ending now: a duration back from now (`24h`, `7d`, `2w`) or an ISO-8601 date or time.
 * Throws an InputError naming what was given otherwise.
 */
export function windowStart(since: string, now: Date, name = '--since'): Date {
  const trimmed = since.trim();
  const duration = /^(\d+)\s*([hdw])$/i.exec(trimmed);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * unitMs[duration[2]!.toLowerCase()]!);
  const date = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? new Date(trimmed) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()))
    throw new InputError(
      `${name} expects a duration such as 24h, 7d or 2w, or an ISO date such as 2026-01-31; got ${JSON.stringify(since)}`,
    );
  return date;
}

/** Monday 00:00 UTC of the week holding `date`, as YYYY-MM-DD: weeks are ISO weeks, in UTC for every replica. */
export function weekOf(date: Date): string {
  const day = (date.getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day));
  return monday.toISOString().slice(0, 10);
}
