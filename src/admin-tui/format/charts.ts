const levels = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One block character per value, scaled between the smallest and largest value (or 0 and the largest). */
export function sparkline(values: readonly number[], options: { fromZero?: boolean } = {}): string {
  if (values.length === 0) return '';
  const low = options.fromZero ? 0 : Math.min(...values);
  const high = Math.max(...values);
  const span = high - low;
  return values
    .map((value) => {
      if (span <= 0) return value > 0 || !options.fromZero ? levels[3] : ' ';
      const level = Math.round(((value - low) / span) * (levels.length - 1));
      return options.fromZero && value <= 0 ? ' ' : levels[Math.min(levels.length - 1, Math.max(0, level))];
    })
    .join('');
}

/** Keeps at most `width` values by averaging neighbours, so a long loss curve fits a narrow pane. */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width || width <= 0) return [...values];
  const buckets: number[] = [];
  for (let bucket = 0; bucket < width; bucket += 1) {
    const start = Math.floor((bucket * values.length) / width);
    const end = Math.max(start + 1, Math.floor(((bucket + 1) * values.length) / width));
    const slice = values.slice(start, end);
    buckets.push(slice.reduce((sum, value) => sum + value, 0) / slice.length);
  }
  return buckets;
}

/** A horizontal bar `width` cells long for value / maximum. */
export function bar(value: number, maximum: number, width: number): string {
  if (maximum <= 0 || width <= 0) return '';
  const cells = Math.round((Math.max(0, value) / maximum) * width);
  return '█'.repeat(Math.min(width, cells));
}
