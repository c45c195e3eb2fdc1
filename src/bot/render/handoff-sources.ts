import type { ConversationRecord } from '../../core/index.ts';
import { citedNumbers } from './answer-view.ts';

type SourceShown = ConversationRecord['sources'][number];

/**
 * The sources a hand-off shows the support team, the same on every platform: those the answer cites; a refusal
 * cites none, so the best few the bot looked at. Five at the most.
 */
export function handoffSources(record: ConversationRecord): Array<SourceShown & { isLink: boolean }> {
  const cited = new Set(citedNumbers(record.answer));
  const shown = record.sources.filter((source) => cited.has(source.number));
  return (shown.length > 0 ? shown : record.sources.slice(0, 3))
    .slice(0, 5)
    .map((source) => ({ ...source, isLink: /^https?:\/\//.test(source.source) }));
}
