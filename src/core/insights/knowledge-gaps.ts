import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { InputError } from '../errors/index.ts';
import { verifiedIdForConversation, verifiedIdOf } from '../curation/verified-answers.ts';
import type { VerifiedAnswerService } from '../curation/verified-answers.ts';
import type {
  ChatModel,
  Clock,
  ConversationQuery,
  ConversationRecord,
  ConversationStore,
  Embedder,
  Logger,
  Platform,
} from '../ports/index.ts';
import type { SearchOptions, SearchResult } from '../retrieval/index.ts';
import { centralMember, centred, clusterByMeaning } from './meaning-clusters.ts';
import { windowStart } from './time-window.ts';

/** Why a question counts as one the documentation did not answer well. */
export type GapReason = 'refused' | 'low_confidence' | 'not_helpful' | 'corrected';

export interface GapQuestion {
  question: string;
  platform: Platform;
  channel: string;
  conversationId: string;
  askedAt: string;
  confidence: number;
  reasons: GapReason[];
}

/** A passage the documentation does have near the gap: what it almost says. */
export interface GapPassage {
  docId: string;
  source: string;
  title: string;
  headingPath: string[];
  text: string;
  score: number;
}

export interface GapVerifiedAnswer {
  id: string;
  question: string;
  answer: string;
  status: 'active' | 'retired';
  stale: boolean;
}

export interface KnowledgeGap {
  /** Stable: derived from the gap's oldest question, so it stays as newer questions join. */
  id: string;
  /** The gap's most central question, or a model's title when a chat model is configured. */
  title: string;
  titleFrom: 'question' | 'model';
  /** Questions in the gap, and how many different people asked them. */
  count: number;
  askers: number;
  /** The ranking: each question counts 1 when asked now, half after `recencyHalfLifeDays`. */
  score: number;
  firstSeen: string;
  lastSeen: string;
  reasons: Record<GapReason, number>;
  /** Newest first. */
  questions: GapQuestion[];
  nearest: GapPassage[];
  verifiedAnswers: GapVerifiedAnswer[];
}

export interface GapReport {
  generatedAt: string;
  since: string;
  /** Questions that qualified and were grouped (at most `insights.gaps.maxQuestions`, the newest). */
  questionsConsidered: number;
  /** The configured embedder: the questions are embedded once per run with it (records keep no vector). */
  embedder: string;
  /** The similarity two groups needed to join, and whether the questions' shared direction was taken away first. */
  similarity: number;
  centred: boolean;
  /** Gaps in the window: more than `gaps` holds when a limit cut the list. */
  gapsFound: number;
  gaps: KnowledgeGap[];
}

export interface GapOptions {
  /** `7d`, `24h`, `2w` or an ISO date; `insights.gaps.since` by default. */
  since?: string;
  /** The first gaps of the ranking only (nearest passages and titles are worked out for these alone). */
  limit?: number;
}

export interface KnowledgeGapService {
  gaps(options?: GapOptions): Promise<GapReport>;
  /** One gap by its id, or its id's first characters, in the same window as `gaps`. */
  gap(id: string, options?: Pick<GapOptions, 'since'>): Promise<KnowledgeGap>;
}

export interface KnowledgeGapDependencies {
  config: Config;
  store: Pick<ConversationStore, 'listConversations'>;
  embedder: Embedder;
  search: (query: string, options: SearchOptions) => Promise<SearchResult>;
  verified: Pick<VerifiedAnswerService, 'list'>;
  /** A chat model writes the titles when answers come from one. */
  chatModel?: () => ChatModel;
  clock: Clock;
  logger: Logger;
}

/** Why the record is a gap question, or none when the documentation answered it well. */
export function gapReasons(record: ConversationRecord, autoAnswerThreshold: number): GapReason[] {
  if (record.route === 'help' || record.route === 'direct') return [];
  const reasons: GapReason[] = [];
  // A silent record refused nobody: nobody asked the bot, and it was not sure enough to answer unasked.
  if (record.silent) reasons.push('low_confidence');
  else if (record.refused) reasons.push('refused');
  else if (record.confidence < autoAnswerThreshold) reasons.push('low_confidence');
  if (record.feedback?.helpful === false) reasons.push('not_helpful');
  if (record.correctedAnswer) reasons.push('corrected');
  return reasons;
}

export function gapId(oldest: ConversationRecord): string {
  return createHash('sha256').update(`gap:${oldest.id}`).digest('hex').slice(0, 12);
}

const byAskedAt = (left: ConversationRecord, right: ConversationRecord) =>
  left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id);

const passageChars = 400;

export function createKnowledgeGaps(dependencies: KnowledgeGapDependencies): KnowledgeGapService {
  const { config, store, embedder, clock, logger } = dependencies;
  const settings = config.insights.gaps;
  const threshold = config.answering.autoAnswerThreshold;

  /** The questions that qualify, oldest first: a few store queries, one per reason, merged. */
  const collect = async (since: string): Promise<ConversationRecord[]> => {
    const base: ConversationQuery = { since, order: 'newest', limit: settings.maxQuestions };
    const lists = await Promise.all(
      [
        { refused: true },
        { maxConfidence: threshold },
        { feedback: 'not_helpful' as const },
        { reviewStatus: ['corrected' as const] },
      ].map((filter) => store.listConversations({ ...base, ...filter })),
    );
    const byId = new Map<string, ConversationRecord>();
    for (const list of lists) for (const record of list.items) byId.set(record.id, record);
    return [...byId.values()]
      .filter((record) => gapReasons(record, threshold).length > 0)
      .sort(byAskedAt)
      .slice(-settings.maxQuestions);
  };

  const nearestOf = async (title: string) => {
    if (settings.nearestPassages === 0) return { passages: [], verifiedIds: [] };
    const result = await dependencies.search(title, { k: settings.nearestPassages + 3 });
    const verifiedIds: string[] = [];
    const passages: GapPassage[] = [];
    for (const hit of result.hits) {
      const verifiedId = verifiedIdOf(hit.chunk.docId);
      // A verified answer on the gap is one as close to it as ask() requires before giving it as it stands.
      if (verifiedId) {
        if ((hit.vectorScore ?? -1) >= config.curation.verifiedMinSimilarity) verifiedIds.push(verifiedId);
      } else if (
        passages.length < settings.nearestPassages &&
        // One passage a section: two pieces of one section would name the same place twice.
        !passages.some(
          (passage) =>
            passage.docId === hit.chunk.docId &&
            passage.headingPath.join('\u0000') === hit.chunk.headingPath.join('\u0000'),
        )
      )
        passages.push({
          docId: hit.chunk.docId,
          source: hit.chunk.source,
          title: hit.chunk.title,
          headingPath: hit.chunk.headingPath,
          text:
            hit.chunk.text.length > passageChars
              ? `${hit.chunk.text.slice(0, passageChars - 1)}…`
              : hit.chunk.text,
          score: hit.score,
        });
    }
    return { passages, verifiedIds };
  };

  const modelTitle = async (questions: string[]): Promise<string | undefined> => {
    if (!dependencies.chatModel) return undefined;
    try {
      const response = await dependencies.chatModel().complete({
        model: config.openai.chatModel,
        temperature: 0,
        maxTokens: 30,
        messages: [
          {
            role: 'system',
            content:
              'These support questions were not answered by the product documentation. Write a short title (at most ten words) for the documentation topic they ask about. Reply with the title only.',
          },
          { role: 'user', content: questions.slice(0, 10).join('\n') },
        ],
      });
      const title = response.text
        .trim()
        .replace(/^["'#\s]+|["'\s]+$/g, '')
        .split('\n')[0];
      return title || undefined;
    } catch (error) {
      logger.warn({ err: error }, 'a gap title could not be written by the chat model: the question is used');
      return undefined;
    }
  };

  const compute = async (options: GapOptions): Promise<GapReport> => {
    const now = clock.now();
    const since = windowStart(options.since ?? settings.since, now).toISOString();
    const records = await collect(since);
    const texts = records.map((record) => record.standaloneQuestion || record.question);
    const vectors = texts.length > 0 ? await embedder.embed(texts, { priority: 'background' }) : [];
    // With enough questions their shared direction is taken away first (see centred); a few are compared as they are.
    const many = vectors.length >= settings.centreFrom;
    const groups = many
      ? clusterByMeaning(centred(vectors), settings.similarity)
      : clusterByMeaning(vectors, settings.similarityFewQuestions);
    const halfLifeMs = settings.recencyHalfLifeDays * 86_400_000;

    const ranked = groups
      .map((members) => {
        const central = centralMember(vectors, members);
        const memberRecords = members.map((index) => records[index]!);
        const score = memberRecords.reduce(
          (sum, record) =>
            sum + 0.5 ** Math.max(0, (now.getTime() - Date.parse(record.createdAt)) / halfLifeMs),
          0,
        );
        return { members: memberRecords, centralText: texts[central]!, score };
      })
      .sort(
        (left, right) =>
          right.score - left.score ||
          right.members.length - left.members.length ||
          gapId(left.members[0]!).localeCompare(gapId(right.members[0]!)),
      )
      .slice(0, options.limit ?? groups.length);

    const verifiedByConversation = new Map(
      (await dependencies.verified.list('all')).map((record) => [record.originConversationId, record]),
    );
    const verifiedById = new Map([...verifiedByConversation.values()].map((record) => [record.id, record]));

    const gaps: KnowledgeGap[] = [];
    for (const group of ranked) {
      const { members } = group;
      const reasons: Record<GapReason, number> = {
        refused: 0,
        low_confidence: 0,
        not_helpful: 0,
        corrected: 0,
      };
      const questions = [...members].reverse().map((record): GapQuestion => {
        const why = gapReasons(record, threshold);
        for (const reason of why) reasons[reason] += 1;
        return {
          question: record.question,
          platform: record.platform,
          channel: record.channel,
          conversationId: record.id,
          askedAt: record.createdAt,
          confidence: record.confidence,
          reasons: why,
        };
      });
      const { passages, verifiedIds } = await nearestOf(group.centralText);
      const verifiedAnswers = [
        ...members.map((record) => verifiedByConversation.get(record.id)?.id ?? ''),
        ...members.map((record) => verifiedIdForConversation(record.id)),
        ...verifiedIds,
      ]
        .filter((id, index, all) => id && all.indexOf(id) === index && verifiedById.has(id))
        .map((id) => {
          const record = verifiedById.get(id)!;
          return {
            id: record.id,
            question: record.question,
            answer: record.answer,
            status: record.status,
            stale: record.stale,
          };
        });
      const written = await modelTitle(members.map((record) => record.standaloneQuestion || record.question));
      gaps.push({
        id: gapId(members[0]!),
        title: written ?? group.centralText,
        titleFrom: written ? 'model' : 'question',
        count: members.length,
        askers: new Set(members.map((record) => record.user)).size,
        score: Math.round(group.score * 1000) / 1000,
        firstSeen: members[0]!.createdAt,
        lastSeen: members.at(-1)!.createdAt,
        reasons,
        questions,
        nearest: passages,
        verifiedAnswers,
      });
    }
    return {
      generatedAt: now.toISOString(),
      since,
      questionsConsidered: records.length,
      embedder: embedder.id,
      similarity: many ? settings.similarity : settings.similarityFewQuestions,
      centred: many,
      gapsFound: groups.length,
      gaps,
    };
  };

  return {
    gaps: (options = {}) => compute(options),
    async gap(id, options = {}) {
      const wanted = id.trim().toLowerCase();
      const report = await compute({ since: options.since });
      const found = report.gaps.filter((gap) => gap.id.startsWith(wanted));
      if (wanted.length < 4 || found.length !== 1) {
        throw new InputError(
          found.length > 1
            ? `Gap id ${JSON.stringify(id)} is ambiguous: give more of it.`
            : `No gap ${JSON.stringify(id)} since ${report.since}: run \`answerloop gaps\` for the ids (with the same --since).`,
        );
      }
      return found[0]!;
    },
  };
}
