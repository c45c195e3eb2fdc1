import type { Config } from '../config/index.ts';
import type { Clock, ConversationRecord, ConversationStore, Platform } from '../ports/index.ts';
import { shareOf } from './overview-figures.ts';
import { weekOf, windowStart } from './time-window.ts';

/** What became of the questions of one group (a week, a platform, a channel). */
export interface ResolutionCounts {
  questions: number;
  answered: number;
  /** The bot said it could not answer. */
  refused: number;
  /** Nobody asked the bot (a help channel or forum in mode `auto`) and it left the question to people, silent. */
  silent: number;
  helpful: number;
  notHelpful: number;
  /** A person replied in the bot's thread within `insights.humanFollowUpHours`, or closed / tagged it solved. */
  humanFollowUp: number;
  handedOff: number;
  /** Answered, not marked unhelpful, no human follow-up, not handed off. */
  resolvedWithoutPerson: number;
  /** resolvedWithoutPerson / questions; null without questions. */
  resolvedShare: number | null;
}

export interface ResolutionRow extends ResolutionCounts {
  /** Monday of the ISO week (UTC), YYYY-MM-DD. */
  week: string;
  platform: Platform;
  channel: string;
}

export interface ResolutionReport {
  generatedAt: string;
  since: string;
  humanFollowUpHours: number;
  /** Oldest week first; then platform and channel. */
  rows: ResolutionRow[];
  /** Every platform and channel together, per week, oldest first (weeks without questions included). */
  weeks: Array<ResolutionCounts & { week: string }>;
  /** Per platform over the whole window. */
  platforms: Array<ResolutionCounts & { platform: Platform }>;
  total: ResolutionCounts;
}

export interface ResolutionService {
  /** Resolution and deflection per platform, channel and week; `since` as `gaps` takes it (default 8w). */
  resolution(options?: { since?: string }): Promise<ResolutionReport>;
}

export interface ResolutionDependencies {
  config: Config;
  store: Pick<ConversationStore, 'listConversations'>;
  clock: Clock;
}

/** How one conversation ended, for the counts. */
export function outcomeOf(record: ConversationRecord, followUpHours: number) {
  const answered = !record.refused;
  const silent = record.silent === true;
  const followUp = record.humanFollowUp
    ? Date.parse(record.humanFollowUp.at) - Date.parse(record.createdAt) <= followUpHours * 3_600_000
    : false;
  const handedOff = Boolean(record.handoff);
  const notHelpful = record.feedback?.helpful === false;
  return {
    answered,
    refused: record.refused && !silent,
    silent,
    helpful: record.feedback?.helpful === true,
    notHelpful,
    humanFollowUp: followUp,
    handedOff,
    resolvedWithoutPerson: answered && !notHelpful && !followUp && !handedOff,
  };
}

function emptyCounts(): ResolutionCounts {
  return {
    questions: 0,
    answered: 0,
    refused: 0,
    silent: 0,
    helpful: 0,
    notHelpful: 0,
    humanFollowUp: 0,
    handedOff: 0,
    resolvedWithoutPerson: 0,
    resolvedShare: null,
  };
}

function add(counts: ResolutionCounts, outcome: ReturnType<typeof outcomeOf>): void {
  counts.questions += 1;
  for (const key of [
    'answered',
    'refused',
    'silent',
    'helpful',
    'notHelpful',
    'humanFollowUp',
    'handedOff',
    'resolvedWithoutPerson',
  ] as const)
    if (outcome[key]) counts[key] += 1;
  counts.resolvedShare = shareOf(counts.resolvedWithoutPerson, counts.questions);
}

/** Questions people asked: the help command and its like are not questions to resolve. */
const counted = (record: ConversationRecord) => record.route !== 'help';

/** The figures of a set of conversations: pure, so the dashboard, the CLI and the metrics agree. */
export function resolutionFigures(
  records: readonly ConversationRecord[],
  options: { since: Date; now: Date; humanFollowUpHours: number },
): Omit<ResolutionReport, 'generatedAt'> {
  const rows = new Map<string, ResolutionRow>();
  const weeks = new Map<string, ResolutionCounts & { week: string }>();
  const platforms = new Map<Platform, ResolutionCounts & { platform: Platform }>();
  const total = emptyCounts();
  for (
    let week = new Date(options.since);
    week <= options.now;
    week = new Date(week.getTime() + 7 * 86_400_000)
  )
    weeks.set(weekOf(week), { week: weekOf(week), ...emptyCounts() });
  weeks.set(weekOf(options.now), { week: weekOf(options.now), ...emptyCounts() });

  for (const record of records) {
    if (!counted(record)) continue;
    const outcome = outcomeOf(record, options.humanFollowUpHours);
    const week = weekOf(new Date(record.createdAt));
    const key = `${week}\u0000${record.platform}\u0000${record.channel}`;
    const row = rows.get(key) ?? {
      week,
      platform: record.platform,
      channel: record.channel,
      ...emptyCounts(),
    };
    rows.set(key, row);
    add(row, outcome);
    const weekly = weeks.get(week) ?? { week, ...emptyCounts() };
    weeks.set(week, weekly);
    add(weekly, outcome);
    const platform = platforms.get(record.platform) ?? { platform: record.platform, ...emptyCounts() };
    platforms.set(record.platform, platform);
    add(platform, outcome);
    add(total, outcome);
  }
  return {
    since: options.since.toISOString(),
    humanFollowUpHours: options.humanFollowUpHours,
    rows: [...rows.values()].sort(
      (left, right) =>
        left.week.localeCompare(right.week) ||
        left.platform.localeCompare(right.platform) ||
        left.channel.localeCompare(right.channel),
    ),
    weeks: [...weeks.values()].sort((left, right) => left.week.localeCompare(right.week)),
    platforms: [...platforms.values()].sort((left, right) => left.platform.localeCompare(right.platform)),
    total,
  };
}

const pageSize = 1000;

/**
 * Every conversation from `since` on, oldest first. Pages by time rather than by offset, so a long window
 * stays within Elasticsearch's result window.
 */
export async function conversationsSince(
  store: Pick<ConversationStore, 'listConversations'>,
  since: string,
): Promise<ConversationRecord[]> {
  const seen = new Set<string>();
  const records: ConversationRecord[] = [];
  let cursor = since;
  let offset = 0;
  for (;;) {
    const { items } = await store.listConversations({
      since: cursor,
      order: 'oldest',
      limit: pageSize,
      offset,
    });
    for (const record of items)
      if (!seen.has(record.id)) {
        seen.add(record.id);
        records.push(record);
      }
    if (items.length < pageSize) return records;
    const last = items.at(-1)!.createdAt;
    // A whole page at one instant: step past it by offset instead of time.
    if (last === cursor) offset += pageSize;
    else {
      cursor = last;
      offset = 0;
    }
  }
}

export function createResolutionFigures(dependencies: ResolutionDependencies): ResolutionService {
  const { config, store, clock } = dependencies;
  return {
    async resolution(options = {}) {
      const now = clock.now();
      const since = windowStart(options.since ?? '8w', now);
      const records = await conversationsSince(store, since.toISOString());
      return {
        generatedAt: now.toISOString(),
        ...resolutionFigures(records, {
          since,
          now,
          humanFollowUpHours: config.insights.humanFollowUpHours,
        }),
      };
    },
  };
}
