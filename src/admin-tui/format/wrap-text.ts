/**
 * Wraps text into lines of at most `width` characters at spaces (long words are cut), keeping paragraph
 * breaks, so a pane can show and scroll exactly the lines that fit.
 */
export function wrapText(text: string, width: number): string[] {
  const room = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      let rest = word;
      while (rest.length > room) {
        if (line) {
          lines.push(line);
          line = '';
        }
        lines.push(rest.slice(0, room));
        rest = rest.slice(room);
      }
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= room) line = `${line} ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  // Trailing blank lines only take room.
  while (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}
