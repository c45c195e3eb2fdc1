/** One calendar day of the Overview chart, in the operator's local time. */
export interface DayWindow {
  /** Local date, YYYY-MM-DD. */
  date: string;
  /** ISO-8601 bounds, inclusive, as the conversation store's `since` / `until` take them. */
  since: string;
  until: string;
}

function localDate(day: Date): string {
  const month = String(day.getMonth() + 1).padStart(2, '0');
  const date = String(day.getDate()).padStart(2, '0');
  return `${day.getFullYear()}-${month}-${date}`;
}

/**
 * The last `days` local calendar days ending with today, oldest first. Local days, because "questions today"
 * means the operator's today, not UTC's.
 */
export function lastDays(now: Date, days: number): DayWindow[] {
  const windows: DayWindow[] = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - back);
    const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() - back + 1);
    windows.push({
      date: localDate(start),
      since: start.toISOString(),
      until: new Date(next.getTime() - 1).toISOString(),
    });
  }
  return windows;
}

/** Nearest-rank percentile (p in 0..100) of the values, or null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)] ?? null;
}

/** part / whole, or null when there is nothing to divide (a rate of "no data" is not 0 %). */
export function shareOf(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
