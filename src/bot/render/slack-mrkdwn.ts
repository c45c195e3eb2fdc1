/**
 * Markdown (what models write) to Slack mrkdwn (what Slack shows). Slack has its own dialect: `*bold*`,
 * `_italic_`, `~strike~`, `<url|text>` links, no headings and no list syntax, and `&`, `<`, `>` must be
 * escaped everywhere, code included. Code spans and fenced blocks keep their content literally.
 */

/** Escapes the three characters Slack reads as markup. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Link label: escaped, and without the `|` and `>` that would end it early. */
export function slackLinkLabel(label: string): string {
  return escapeSlackText(label.replace(/\|/g, '¦').replace(/\s+/g, ' ').trim());
}

export function slackLink(url: string, label: string): string {
  return `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${slackLinkLabel(label)}>`;
}

// Private-use characters mark protected pieces and bold while the other rules run; they never occur in answers.
const protectOpen = '\uE000';
const protectClose = '\uE001';
const boldMark = '\uE002';

function convertInline(text: string): string {
  const protectedPieces: string[] = [];
  const protect = (piece: string) => `${protectOpen}${protectedPieces.push(piece) - 1}${protectClose}`;

  let result = text
    // Inline code first: nothing inside it is markup.
    .replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_match, _ticks: string, code: string) =>
      protect(`\`${escapeSlackText(code.replace(/`/g, 'ʼ'))}\``),
    );
  result = escapeSlackText(result);
  result = result
    // Images and links: [label](url "title") -> <url|label>. Protected so underscores in URLs stay as they are.
    .replace(
      /!?\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
      (_match, label: string, url: string) => {
        const href = url.replace(/&amp;/g, '&').replace(/&lt;|&gt;/g, '');
        const shown = label.trim() || href;
        return protect(
          `<${href.replace(/[<>|\s]/g, encodeURIComponent)}|${shown.replace(/\|/g, '¦').replace(/\*\*/g, '')}>`,
        );
      },
    )
    // Autolinks <https://...>, escaped above.
    .replace(/&lt;((?:https?|mailto):[^\s]+?)&gt;/g, (_match, url: string) =>
      protect(`<${url.replace(/&amp;/g, '&')}>`),
    );
  result = result
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, `${boldMark}$1${boldMark}`)
    .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, `$1${boldMark}$2${boldMark}`)
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*\n]*?\S)\*(?![\w*])/g, '$1_$2_')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '~$1~')
    .replace(new RegExp(boldMark, 'g'), '*');
  return result.replace(
    new RegExp(`${protectOpen}(\\d+)${protectClose}`, 'g'),
    (_match, index: string) => protectedPieces[Number(index)] ?? '',
  );
}

function convertLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) {
    const content = (heading[1] ?? '').replace(/\*\*/g, '').replace(/__/g, '');
    return content ? `*${convertInline(content)}*` : '';
  }
  if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) return '───';
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) {
    const depth = Math.floor((bullet[1] ?? '').replace(/\t/g, '    ').length / 2);
    const task = /^\[([ xX])\]\s+(.*)$/.exec(bullet[2] ?? '');
    const marker = depth === 0 ? '•' : depth === 1 ? '◦' : '▪';
    const content = task ? `${task[1] === ' ' ? '☐' : '☑'} ${task[2] ?? ''}` : (bullet[2] ?? '');
    return `${'    '.repeat(Math.min(depth, 3))}${marker} ${convertInline(content)}`;
  }
  const numbered = /^(\s*)(\d+)[.)]\s+(.*)$/.exec(line);
  if (numbered) {
    const depth = Math.floor((numbered[1] ?? '').length / 2);
    return `${'    '.repeat(Math.min(depth, 3))}${numbered[2]}. ${convertInline(numbered[3] ?? '')}`;
  }
  const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
  if (quote) return `>${convertInline(quote[1] ?? '')}`;
  return convertInline(line);
}

/** Converts Markdown to Slack mrkdwn. */
export function markdownToMrkdwn(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const output: string[] = [];
  let fence: { marker: string; lines: string[] } | undefined;
  for (const line of lines) {
    const fenceLine = /^\s{0,3}(`{3,}|~{3,})\s*[\w+-]*\s*$/.exec(line);
    if (fence) {
      if (
        fenceLine &&
        fenceLine[1]!.startsWith(fence.marker[0]!) &&
        fenceLine[1]!.length >= fence.marker.length
      ) {
        output.push(`\`\`\`\n${fence.lines.join('\n')}\n\`\`\``);
        fence = undefined;
      } else {
        fence.lines.push(escapeSlackText(line.replace(/```/g, 'ʼʼʼ')));
      }
      continue;
    }
    if (fenceLine) {
      fence = { marker: fenceLine[1]!, lines: [] };
      continue;
    }
    output.push(convertLine(line));
  }
  // An unclosed fence (a streamed answer cut mid-block) still shows as code.
  if (fence) output.push(`\`\`\`\n${fence.lines.join('\n')}\n\`\`\``);
  return output
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
