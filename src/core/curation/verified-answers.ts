/**
 * Verified answers: a question and the answer the support team approved or corrected, published into the
 * knowledge base as a document of its own (`verified/<id>`, tag `verified`) so the next person asking the same
 * thing in other words gets it at once, long before the next fine-tune. The record (question, answer, the
 * documentation it rests on, who verified it) lives in the store's key-value records; the searchable passages
 * come from the verified-answers source (verified-answer-source.ts) through the one ingest pipeline.
 */
import { createHash } from 'node:crypto';
import { parseCitations } from '../answering/citations.ts';
import type { AskSource, VerifiedAnswerUse, VerifiedPreference } from '../answering/types.ts';

export type { VerifiedPreference } from '../answering/types.ts';
import type { Config } from '../config/index.ts';
import { AnswerloopError, InputError } from '../errors/index.ts';
import { redactSecretsWithReport } from '../logging/redact-secrets.ts';
import { ingestSource, type KnowledgeSource } from '../knowledge/index.ts';
import type {
  ChunkStore,
  Clock,
  ConversationRecord,
  ConversationStore,
  Embedder,
  KeyValueStore,
  Logger,
  SourceUsed,
} from '../ports/index.ts';
import type { SearchHit, SearchResult } from '../retrieval/index.ts';
import { maskedSecretsWarning } from './example-writing.ts';
import { scrubText } from './personal-data-scrubbing.ts';
import {
  createVerifiedAnswerSource,
  passageText,
  verifiedDocId,
  verifiedIdOf,
} from './verified-answer-source.ts';

export { verifiedDocId, verifiedIdOf, verifiedTag } from './verified-answer-source.ts';
const namespace = 'verified-answers';

export type VerifiedAnswerSource = Pick<
  SourceUsed,
  'number' | 'chunkId' | 'docId' | 'source' | 'title' | 'headingPath'
>;

export interface VerifiedAnswerRecord {
  /** Short and stable: one conversation publishes one verified answer, however often. */
  id: string;
  question: string;
  /** As users see it, with `[n]` markers pointing at `sources`. */
  answer: string;
  /** The documentation the answer rests on, numbered 1..n as its markers. */
  sources: VerifiedAnswerSource[];
  /** The conversation it was published from. */
  originConversationId: string | null;
  status: 'active' | 'retired';
  /** Set when a page it rests on changed or vanished: withdrawn from answers until an operator checks it again. */
  stale: boolean;
  /** The documents whose change made it stale. */
  staleDocIds: string[];
  createdBy: string;
  createdAt: string;
  /** Who last published, edited or re-approved it, and when: shown as the verification. */
  verifiedBy: string;
  verifiedAt: string;
  retiredBy: string | null;
  retiredAt: string | null;
  updatedAt: string;
}

export type VerifiedAnswerFilter = 'active' | 'stale' | 'retired' | 'all';

export interface VerifiedAnswerResult {
  verified: VerifiedAnswerRecord;
  /** False when the action found it already so: actions are idempotent. */
  changed: boolean;
  warnings: string[];
}

/** What the verified answers among the search hits offer ask(). */
export interface VerifiedAnswerService {
  /** Publishes an approved or corrected conversation as a verified answer (again: updates the same one). */
  publish(input: {
    conversationId: string;
    reviewer: string;
    question?: string;
  }): Promise<VerifiedAnswerResult>;
  list(filter?: VerifiedAnswerFilter): Promise<VerifiedAnswerRecord[]>;
  /** By id, or by the id's first characters when they name one alone. */
  get(id: string): Promise<VerifiedAnswerRecord>;
  /** New wording of the question or the answer; counts as checking it again (clears the stale flag). */
  edit(input: {
    id: string;
    reviewer: string;
    question?: string;
    answer?: string;
  }): Promise<VerifiedAnswerResult>;
  /** Checked after a page it rests on changed: back in answers as it is. */
  reapprove(input: { id: string; reviewer: string }): Promise<VerifiedAnswerResult>;
  /** Out of answers and search for good; kept in the list as retired. */
  retire(input: { id: string; reviewer: string }): Promise<VerifiedAnswerResult>;
  /** Flags, and withdraws from answers, the verified answers resting on these documents; returns how many. */
  flagStale(docIds: string[]): Promise<number>;
  /** Every verified answer as a knowledge source: a rebuild writes them again through it. */
  readonly source: KnowledgeSource;
  /** For ask(): which verified answers among the hits to use, and how. */
  prefer(found: SearchResult): Promise<VerifiedPreference>;
}

/** The store ports verified answers use: their records, the conversations they come from, their passages. */
export type VerifiedAnswerStore = KeyValueStore & Pick<ConversationStore, 'getConversation'> & ChunkStore;

export interface VerifiedAnswerDependencies {
  config: Config;
  /** Waits for its own start-up. */
  store: VerifiedAnswerStore;
  embedder: Embedder;
  logger: Logger;
  clock: Clock;
  /** Told when a verified document changed or went away, so conversations citing it are flagged stale. */
  documentsChanged?: (docIds: string[]) => Promise<unknown>;
}

export function verifiedIdForConversation(conversationId: string): string {
  return createHash('sha256').update(`verified:${conversationId}`).digest('hex').slice(0, 12);
}

/**
 * The answer's citations renumbered to the sources it cites, in order of first use; an answer citing nothing
 * rests on every source the conversation was given.
 */
export function citedSourcesOf(
  answer: string,
  sources: SourceUsed[],
): { answer: string; sources: VerifiedAnswerSource[] } {
  const byNumber = new Map(sources.map((source) => [source.number, source]));
  const parsed = parseCitations(answer, Math.max(0, ...sources.map((source) => source.number)));
  const cited = parsed.citations.filter((number) => byNumber.has(number));
  const pick = (
    { chunkId, docId, source, title, headingPath }: SourceUsed,
    number: number,
  ): VerifiedAnswerSource => ({ number, chunkId, docId, source, title, headingPath });
  if (cited.length === 0)
    return {
      answer: parsed.answer.replace(/\[\d+\]/g, '').trim(),
      sources: sources.map((source, index) => pick(source, index + 1)),
    };
  const renumber = new Map(cited.map((number, index) => [number, index + 1]));
  const text = parsed.answer.replace(/\[(\d+)\]/g, (marker, number: string) => {
    const renumbered = renumber.get(Number(number));
    return renumbered === undefined ? '' : `[${renumbered}]`;
  });
  return { answer: text, sources: cited.map((number, index) => pick(byNumber.get(number)!, index + 1)) };
}

function useOf(record: VerifiedAnswerRecord, use: VerifiedAnswerUse['use']): VerifiedAnswerUse {
  return {
    id: record.id,
    question: record.question,
    use,
    verifiedBy: record.verifiedBy,
    verifiedAt: record.verifiedAt,
    sources: record.sources.map(({ number, docId, source, title, headingPath }) => ({
      number,
      docId,
      source,
      title,
      headingPath,
    })),
  };
}

const usable = (record: VerifiedAnswerRecord | undefined): record is VerifiedAnswerRecord =>
  record !== undefined && record.status === 'active' && !record.stale;

export function createVerifiedAnswerService(dependencies: VerifiedAnswerDependencies): VerifiedAnswerService {
  const { config, store, embedder, logger, clock } = dependencies;
  const now = () => clock.now().toISOString();
  const scrub = (text: string) => scrubText(text, { allowList: config.curation.scrubAllowList });

  const read = async (id: string): Promise<VerifiedAnswerRecord | undefined> => {
    const json = await store.getValue(namespace, id);
    return json === undefined ? undefined : (JSON.parse(json) as VerifiedAnswerRecord);
  };
  const save = (record: VerifiedAnswerRecord) => store.setValue(namespace, record.id, JSON.stringify(record));
  const all = async () =>
    (await store.listValues(namespace)).map(({ value }) => JSON.parse(value) as VerifiedAnswerRecord);

  const requireReviewer = (reviewer: string) => {
    if (!reviewer.trim())
      throw new InputError('Say who verifies: every verified answer records who vouched for it.');
  };

  const find = async (id: string): Promise<VerifiedAnswerRecord> => {
    const wanted = id.trim().replace(/^verified\//, '');
    const exact = wanted ? await read(wanted) : undefined;
    if (exact) return exact;
    const matches = wanted.length >= 4 ? (await all()).filter((record) => record.id.startsWith(wanted)) : [];
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw new InputError(
        `${id} names ${matches.length} verified answers (${matches.map((record) => record.id).join(', ')}): give more of the id.`,
      );
    throw new AnswerloopError(
      'not_found',
      `No verified answer ${id}: see \`answerloop verified list --all\`.`,
    );
  };

  /** Runs the verified-answers source through the pipeline: usable answers written, the others withdrawn. */
  const sourceOf = (answers: () => Promise<VerifiedAnswerRecord[]>, complete: boolean) =>
    createVerifiedAnswerSource({
      answers: async () => (await answers()).map((record) => ({ ...record, usable: usable(record) })),
      complete,
      store,
    });
  /** Writes or withdraws these answers' passages; the first failure is thrown, so nothing half-done is saved. */
  const sync = async (records: VerifiedAnswerRecord[]) => {
    const failures: AnswerloopError[] = [];
    const report = await ingestSource(
      sourceOf(async () => records, false),
      {},
      {
        ...{ store, embedder, settings: config.knowledge, logger, clock, rootDir: config.rootDir },
        onFailure: (_docId, error) => failures.push(error),
      },
    );
    const [failure] = report.failed;
    if (failure) throw failures[0] ?? new AnswerloopError('upstream_failed', failure.error);
  };
  /** Writes the passage: the question as its title, the answer as its text, the sources' tags beside `verified`. */
  const index = (record: VerifiedAnswerRecord) => sync([record]);
  const withdraw = async (record: VerifiedAnswerRecord) => {
    await sync([record]);
    await dependencies.documentsChanged?.([verifiedDocId(record.id)]);
  };

  const publishable = (conversation: ConversationRecord): string => {
    const reviewHint = `\`answerloop review approve ${conversation.id}\` or \`answerloop review correct ${conversation.id} --answer "…"\``;
    if (conversation.reviewStatus === 'corrected' && conversation.correctedAnswer?.trim())
      return conversation.correctedAnswer;
    if (conversation.reviewStatus === 'approved') {
      if (conversation.refused || conversation.route !== 'retrieve') {
        throw new InputError(
          `Conversation ${conversation.id} was not answered from the documentation (${conversation.refused ? 'the bot said it does not know' : `route ${conversation.route}`}): correct it with the right answer first, then publish.`,
        );
      }
      return conversation.answer;
    }
    throw new InputError(
      `Conversation ${conversation.id} is ${conversation.reviewStatus}: only an approved or corrected answer can be published. Review it first: ${reviewHint}.`,
    );
  };

  async function publish(input: {
    conversationId: string;
    reviewer: string;
    question?: string;
  }): Promise<VerifiedAnswerResult> {
    requireReviewer(input.reviewer);
    const conversation = await store.getConversation(input.conversationId);
    if (!conversation)
      throw new AnswerloopError(
        'not_found',
        `No conversation ${input.conversationId}: check the id with \`answerloop review list --status approved,corrected\`.`,
      );
    if (conversation.verifiedAnswerId && conversation.reviewStatus !== 'corrected') {
      throw new InputError(
        `Conversation ${conversation.id} was answered with verified answer ${conversation.verifiedAnswerId}: edit that one instead (\`answerloop verified edit ${conversation.verifiedAnswerId}\`).`,
      );
    }
    const warnings: string[] = [];
    if (conversation.verifiedAnswerId) {
      warnings.push(
        `the bot answered this from verified answer ${conversation.verifiedAnswerId}; if the correction replaces it, retire that one (answerloop verified retire ${conversation.verifiedAnswerId})`,
      );
    }
    const answer = scrub(publishable(conversation).trim());
    const question = scrub(
      (input.question ?? (conversation.standaloneQuestion || conversation.question)).trim(),
    );
    for (const [what, scrubbed] of [
      ['question', question],
      ['answer', answer],
    ] as const) {
      const kinds = Object.keys(scrubbed.found);
      if (kinds.length > 0)
        warnings.push(
          `personal data was masked in the ${what} (${kinds.join(', ')}); edit it if that was public on purpose (see curation.scrubAllowList)`,
        );
    }
    if (!question.text)
      throw new InputError('A verified answer needs its question: give it with --question "<text>".');
    const cited = citedSourcesOf(answer.text, conversation.sources);
    if (!passageText(cited.answer))
      throw new InputError(`The answer of conversation ${conversation.id} is empty: correct it first.`);
    if (cited.sources.length === 0)
      warnings.push('the answer rests on no documentation page, so no page change will flag it for review');

    const id = verifiedIdForConversation(conversation.id);
    const existing = await read(id);
    const timestamp = now();
    if (
      existing &&
      usable(existing) &&
      existing.question === question.text &&
      existing.answer === cited.answer
    ) {
      return { verified: existing, changed: false, warnings };
    }
    const record: VerifiedAnswerRecord = {
      id,
      question: question.text,
      answer: cited.answer,
      sources: cited.sources,
      originConversationId: conversation.id,
      status: 'active',
      stale: false,
      staleDocIds: [],
      createdBy: existing?.createdBy ?? input.reviewer,
      createdAt: existing?.createdAt ?? timestamp,
      verifiedBy: input.reviewer,
      verifiedAt: timestamp,
      retiredBy: null,
      retiredAt: null,
      updatedAt: timestamp,
    };
    // The passage first: if embedding fails nothing is saved and publishing again retries; a passage whose
    // record is missing or older is never given as an answer (prefer() reads the record).
    await index(record);
    await save(record);
    if (existing) await dependencies.documentsChanged?.([verifiedDocId(id)]);
    logger.info(
      {
        verifiedAnswerId: id,
        conversationId: conversation.id,
        reviewer: input.reviewer,
        sources: record.sources.length,
      },
      'verified answer published',
    );
    return { verified: record, changed: true, warnings };
  }

  return {
    publish,

    async list(filter = 'active') {
      const records = (await all()).filter((record) => {
        if (filter === 'all') return true;
        if (filter === 'retired') return record.status === 'retired';
        if (filter === 'stale') return record.status === 'active' && record.stale;
        return record.status === 'active';
      });
      return records.sort(
        (left, right) => right.updatedAt.localeCompare(left.updatedAt) || left.id.localeCompare(right.id),
      );
    },

    get: find,

    async edit(input) {
      requireReviewer(input.reviewer);
      const record = await find(input.id);
      if (record.status === 'retired')
        throw new InputError(
          `Verified answer ${record.id} is retired: publish its conversation again to bring it back.`,
        );
      // Personal data put back on purpose stays (publishing masked it and said so); a secret never goes out.
      const masked = new Set<string>();
      const secretsMasked = (text: string) => {
        const redacted = redactSecretsWithReport(text);
        for (const kind of Object.keys(redacted.found)) masked.add(kind);
        return redacted.text;
      };
      const question = input.question === undefined ? record.question : secretsMasked(input.question.trim());
      const answer =
        input.answer === undefined
          ? record.answer
          : parseCitations(secretsMasked(input.answer.trim()), record.sources.length).answer;
      const warnings = masked.size > 0 ? [maskedSecretsWarning('edit', [...masked])] : ([] as string[]);
      if (!question) throw new InputError('The question of a verified answer cannot be empty.');
      if (!passageText(answer))
        throw new InputError(
          'The answer of a verified answer cannot be empty: retire it instead (`answerloop verified retire <id>`).',
        );
      const changed = question !== record.question || answer !== record.answer || record.stale;
      if (!changed) return { verified: record, changed: false, warnings };
      const timestamp = now();
      const updated: VerifiedAnswerRecord = {
        ...record,
        question,
        answer,
        stale: false,
        staleDocIds: [],
        verifiedBy: input.reviewer,
        verifiedAt: timestamp,
        updatedAt: timestamp,
      };
      await index(updated);
      await save(updated);
      await dependencies.documentsChanged?.([verifiedDocId(record.id)]);
      logger.info({ verifiedAnswerId: record.id, reviewer: input.reviewer }, 'verified answer edited');
      return { verified: updated, changed: true, warnings };
    },

    async reapprove(input) {
      requireReviewer(input.reviewer);
      const record = await find(input.id);
      if (record.status === 'retired')
        throw new InputError(
          `Verified answer ${record.id} is retired: publish its conversation again to bring it back.`,
        );
      if (!record.stale) return { verified: record, changed: false, warnings: [] };
      const timestamp = now();
      const updated: VerifiedAnswerRecord = {
        ...record,
        stale: false,
        staleDocIds: [],
        verifiedBy: input.reviewer,
        verifiedAt: timestamp,
        updatedAt: timestamp,
      };
      await index(updated);
      await save(updated);
      logger.info(
        { verifiedAnswerId: record.id, reviewer: input.reviewer },
        'verified answer approved again',
      );
      return { verified: updated, changed: true, warnings: [] };
    },

    async retire(input) {
      requireReviewer(input.reviewer);
      const record = await find(input.id);
      if (record.status === 'retired') return { verified: record, changed: false, warnings: [] };
      const timestamp = now();
      const updated: VerifiedAnswerRecord = {
        ...record,
        status: 'retired',
        retiredBy: input.reviewer,
        retiredAt: timestamp,
        updatedAt: timestamp,
      };
      // The passage first: a retired answer must not be found even if saving the record fails next.
      await withdraw(updated);
      await save(updated);
      logger.info({ verifiedAnswerId: record.id, reviewer: input.reviewer }, 'verified answer retired');
      return { verified: updated, changed: true, warnings: [] };
    },

    async flagStale(docIds) {
      const changed = new Set(docIds);
      if (changed.size === 0) return 0;
      let flagged = 0;
      for (const record of await all()) {
        if (record.status !== 'active') continue;
        const hit = [...new Set(record.sources.map((source) => source.docId))].filter((docId) =>
          changed.has(docId),
        );
        if (hit.length === 0) continue;
        const staleDocIds = [...new Set([...record.staleDocIds, ...hit])];
        if (record.stale && staleDocIds.length === record.staleDocIds.length) continue;
        const updated = { ...record, stale: true, staleDocIds, updatedAt: now() };
        await withdraw(updated);
        await save(updated);
        flagged += 1;
      }
      if (flagged > 0)
        logger.warn(
          { verifiedAnswers: flagged, docIds: [...changed] },
          `${flagged} verified answers rest on changed pages: withdrawn until re-approved (answerloop verified list --stale)`,
        );
      return flagged;
    },

    source: sourceOf(all, true),

    async prefer(found) {
      const verifiedHits = found.hits.filter((hit) => verifiedIdOf(hit.chunk.docId) !== undefined);
      if (verifiedHits.length === 0) return { found };
      const records = new Map<string, VerifiedAnswerRecord>();
      for (const id of new Set(verifiedHits.map((hit) => verifiedIdOf(hit.chunk.docId)!))) {
        const record = await read(id);
        if (usable(record)) records.set(record.id, record);
      }
      const kept = found.hits.filter((hit) => {
        const id = verifiedIdOf(hit.chunk.docId);
        return id === undefined || records.has(id);
      });
      const filtered: SearchResult = {
        ...found,
        hits: kept.map((hit, position) => ({ ...hit, rank: position + 1 })),
      };
      const candidates = filtered.hits.filter((hit) => verifiedIdOf(hit.chunk.docId) !== undefined);
      if (candidates.length === 0) return { found: filtered };
      const similarity = (hit: SearchHit) => hit.vectorScore ?? -1;
      const best = candidates.reduce((left, right) => (similarity(right) > similarity(left) ? right : left));
      const record = records.get(verifiedIdOf(best.chunk.docId)!)!;
      if (similarity(best) < config.curation.verifiedMinSimilarity)
        return { found: filtered, passage: { docId: best.chunk.docId, use: useOf(record, 'source') } };
      const chunks = new Map(
        (await store.getChunks(record.sources.map((source) => source.chunkId))).map((chunk) => [
          chunk.id,
          chunk,
        ]),
      );
      const sources: AskSource[] = record.sources.map((source) => {
        const text = chunks.get(source.chunkId)?.text ?? '';
        return {
          ...source,
          score: best.score,
          excerpt: text.length > 280 ? `${text.slice(0, 277).trimEnd()}...` : text,
        };
      });
      return { found: filtered, answer: { text: record.answer, sources, use: useOf(record, 'answer') } };
    },
  };
}
