/** A plain text table: the first column left-aligned, the others right-aligned, as figures read best. */
export function formatTable(title: string, header: string[], rows: string[][], note?: string): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [``, title, rule, render(header), rule, ...rows.map(render), rule, ...(note ? [note] : [])].join(
    '\n',
  );
}
