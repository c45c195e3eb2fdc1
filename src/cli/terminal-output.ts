import type { AskResult, IngestProgress, SearchHit } from '../core/index.ts';

/** Shortens text to one line of at most `width` characters. */
export function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

export function formatSearchHits(hits: SearchHit[]): string {
  if (hits.length === 0) return 'No passages found.';
  return hits
    .map((hit) => {
      const where = [hit.chunk.source, ...hit.chunk.headingPath].join(' › ');
      const ranks = [
        hit.bm25Rank ? `bm25 #${hit.bm25Rank}` : '',
        hit.vectorRank ? `vector #${hit.vectorRank}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      return `${hit.rank}. ${hit.chunk.title}  (${where})\n   score ${hit.score.toFixed(4)}${ranks ? `  [${ranks}]` : ''}\n   ${oneLine(hit.chunk.text, 200)}`;
    })
    .join('\n');
}

export function searchHitsAsJson(hits: SearchHit[]) {
  return hits.map((hit) => ({
    rank: hit.rank,
    score: hit.score,
    source: hit.chunk.source,
    title: hit.chunk.title,
    headingPath: hit.chunk.headingPath,
    text: hit.chunk.text,
    bm25Rank: hit.bm25Rank ?? null,
    vectorRank: hit.vectorRank ?? null,
  }));
}

/** The sources block and footer printed under an answer. */
export function formatAnswerFooter(result: AskResult): string {
  const lines: string[] = [];
  if (result.notice) lines.push(`(${result.notice})`);
  if (result.sources.length > 0) {
    lines.push('', 'Sources:');
    for (const source of result.sources) {
      const cited = result.citations.includes(source.number) ? '' : '  (not cited)';
      lines.push(
        `  [${source.number}] ${source.title} — ${[source.source, ...source.headingPath].join(' › ')}${cited}`,
      );
    }
  }
  if (result.route === 'help') return lines.join('\n');
  if (result.verified) {
    const how =
      result.verified.use === 'answer'
        ? 'Verified by the support team'
        : 'Rests on an answer verified by the support team';
    lines.push(
      '',
      `✓ ${how} (${result.verified.verifiedBy}, ${result.verified.verifiedAt.slice(0, 10)}; answerloop verified show ${result.verified.id})`,
    );
  }
  const how = result.extractive
    ? 'extractive answer (no language model configured)'
    : result.refused && result.model === 'none'
      ? 'no model asked'
      : `model ${result.model}`;
  lines.push(
    '',
    `— ${how} · route ${result.route} · confidence ${result.confidence.toFixed(2)} · ${result.latencyMs} ms`,
  );
  return lines.join('\n');
}

/** Redraws one progress line in place on a terminal; prints occasional plain lines otherwise. */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr): {
  update(progress: IngestProgress): void;
  done(): void;
} {
  let lastPlain = 0;
  return {
    update(progress) {
      const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
      const label = `${progress.phase} ${progress.done}/${progress.total}${progress.current ? ` ${oneLine(progress.current, 50)}` : ''}`;
      if (stream.isTTY) {
        const width = 24;
        const filled = Math.round((percent / 100) * width);
        stream.write(
          `\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${label}`,
        );
      } else if (Date.now() - lastPlain > 2000 || progress.done === progress.total) {
        lastPlain = Date.now();
        stream.write(`${label}\n`);
      }
    },
    done() {
      if (stream.isTTY) stream.write('\r\x1b[2K');
    },
  };
}
