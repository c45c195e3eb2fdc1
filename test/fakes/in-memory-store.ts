/**
 * A store in memory: every store port (chunks, conversations, datasets, models, values, coordination records,
 * thread messages) in plain maps, for unit tests of the services that need no native module, no file and no
 * server. It passes the store conformance suite (test/unit/in-memory-store-contract.test.ts), so it behaves as
 * the SQLite and Elasticsearch stores do; its full-text leg is a small BM25 with a plural-only stemmer, enough
 * for the suite's questions, not a search engine.
 *
 * It records every call (`calls`: the method and its arguments), so a test can say what a service wrote.
 */
import { AnswerloopError } from '../../src/core/errors/index.ts';
import type {
  Chunk,
  ConversationQuery,
  ConversationRecord,
  CoordinationRecord,
  DatasetRecord,
  DatasetVersionRecord,
  DocumentSummary,
  EmbeddingSpace,
  EvaluationRecord,
  ExampleRecord,
  LegHit,
  LegSearchRequest,
  ModelRecord,
  Store,
  ThreadMessage,
  TrainingJobRecord,
} from '../../src/core/ports/index.ts';

export interface RecordedCall {
  method: string;
  args: unknown[];
}

export interface InMemoryStore extends Store {
  /** Every call made through the store's ports, oldest first. */
  readonly calls: RecordedCall[];
  /** The names of the methods called, in order, optionally only those given. */
  methodsCalled(only?: string[]): string[];
}

const copy = <T>(value: T): T => structuredClone(value);

/** Words as a full-text engine indexes them: case-folded, one token per CJK character or emoji, plurals folded. */
export function fullTextTerms(text: string): string[] {
  const tokens =
    text
      .normalize('NFC')
      .toLowerCase()
      .match(
        /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|\p{Extended_Pictographic}|[\p{L}\p{N}\p{M}_]+(?:['’][\p{L}]+)*/gu,
      ) ?? [];
  return tokens.map(stemPlural);
}

function stemPlural(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

function cosine(left: number[], right: number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index += 1) {
    dot += left[index]! * right[index]!;
    leftNorm += left[index]! ** 2;
    rightNorm += right[index]! ** 2;
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}

function feedbackOf(record: ConversationRecord): 'helpful' | 'not_helpful' | 'none' {
  if (record.feedback?.helpful === true) return 'helpful';
  if (record.feedback?.helpful === false) return 'not_helpful';
  return 'none';
}

function matchesConversation(record: ConversationRecord, query: ConversationQuery): boolean {
  const feedback = feedbackOf(record);
  if (query.feedback === 'any' && feedback === 'none') return false;
  if (query.feedback && query.feedback !== 'any' && query.feedback !== feedback) return false;
  if (
    query.reviewStatus &&
    query.reviewStatus.length > 0 &&
    !query.reviewStatus.includes(record.reviewStatus)
  )
    return false;
  if (query.platform !== undefined && record.platform !== query.platform) return false;
  if (query.channel !== undefined && record.channel !== query.channel) return false;
  if (query.thread !== undefined && record.thread !== query.thread) return false;
  if (query.refused !== undefined && record.refused !== query.refused) return false;
  if (query.silent !== undefined && (record.silent === true) !== query.silent) return false;
  if (query.stale !== undefined && record.stale !== query.stale) return false;
  if (query.minConfidence !== undefined && record.confidence < query.minConfidence) return false;
  if (query.maxConfidence !== undefined && record.confidence > query.maxConfidence) return false;
  if (query.since !== undefined && record.createdAt < query.since) return false;
  if (query.until !== undefined && record.createdAt > query.until) return false;
  if (query.citedDocId !== undefined && !record.sources.some((source) => source.docId === query.citedDocId))
    return false;
  return true;
}

const reviewRank = { not_helpful: 0, none: 1, helpful: 2 } as const;

function compareConversations(order: ConversationQuery['order']) {
  const newest = (left: ConversationRecord, right: ConversationRecord) =>
    right.createdAt.localeCompare(left.createdAt) || right.id.localeCompare(left.id);
  if (order === 'oldest')
    return (left: ConversationRecord, right: ConversationRecord) =>
      left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id);
  if (order === 'review')
    return (left: ConversationRecord, right: ConversationRecord) =>
      reviewRank[feedbackOf(left)] - reviewRank[feedbackOf(right)] || newest(left, right);
  return newest;
}

export function createInMemoryStore(): InMemoryStore {
  let space: EmbeddingSpace | undefined;
  let closed = false;
  const chunks = new Map<string, Chunk>();
  const conversations = new Map<string, ConversationRecord>();
  const datasets = new Map<string, DatasetRecord>();
  const examples = new Map<string, ExampleRecord>();
  const versions = new Map<string, DatasetVersionRecord>();
  const models = new Map<string, ModelRecord>();
  const jobs = new Map<string, TrainingJobRecord>();
  const evaluations = new Map<string, EvaluationRecord>();
  const values = new Map<string, Map<string, string>>();
  const records = new Map<string, Map<string, CoordinationRecord>>();
  const messages = new Map<string, ThreadMessage>();
  let versionCounter = 0;

  const namespaceOf = <T>(maps: Map<string, Map<string, T>>, namespace: string) => {
    let map = maps.get(namespace);
    if (!map) maps.set(namespace, (map = new Map()));
    return map;
  };
  const nextVersion = () => `v${(versionCounter += 1)}`;
  const documentChunks = (docId: string) => [...chunks.values()].filter((chunk) => chunk.docId === docId);
  const withoutSentences = (chunk: Chunk): Chunk => {
    const { sentences: _sentences, ...rest } = chunk;
    return copy(rest);
  };
  const passes = (chunk: Chunk, filters: LegSearchRequest['filters']) =>
    (!filters.tags?.length || chunk.tags.some((tag) => filters.tags!.includes(tag))) &&
    (!filters.sourcePrefixes?.length ||
      filters.sourcePrefixes.some((prefix) => chunk.source.startsWith(prefix)));

  function bm25(request: LegSearchRequest, candidates: Chunk[]): LegHit[] {
    const queryTerms = [...new Set(fullTextTerms(request.text ?? ''))];
    if (queryTerms.length === 0) return [];
    const fields = (chunk: Chunk) => ({
      title: fullTextTerms(chunk.title),
      headings: fullTextTerms(chunk.headingPath.join(' ')),
      text: fullTextTerms(chunk.text),
    });
    const all = [...chunks.values()].map(fields);
    const indexed = candidates.map((chunk) => ({ chunk, fields: fields(chunk) }));
    const k1 = 1.2;
    const b = 0.75;
    const fieldNames = ['title', 'headings', 'text'] as const;
    const averageLength = Object.fromEntries(
      fieldNames.map((name) => [
        name,
        all.reduce((sum, entry) => sum + entry[name].length, 0) / Math.max(1, all.length) || 1,
      ]),
    ) as Record<(typeof fieldNames)[number], number>;
    const hits: LegHit[] = [];
    for (const { chunk, fields: terms } of indexed) {
      let score = 0;
      for (const term of queryTerms) {
        for (const name of fieldNames) {
          const frequency = terms[name].filter((word) => word === term).length;
          if (frequency === 0) continue;
          const holding = all.filter((entry) => entry[name].includes(term)).length;
          const idf = Math.log(1 + (all.length - holding + 0.5) / (holding + 0.5));
          const norm = frequency + k1 * (1 - b + (b * terms[name].length) / averageLength[name]);
          score += request.boosts[name] * idf * ((frequency * (k1 + 1)) / norm);
        }
      }
      if (score > 0) hits.push({ chunk: withoutSentences(chunk), score });
    }
    return hits.sort((left, right) => right.score - left.score).slice(0, request.k);
  }

  const store: Store = {
    kind: 'embedded',

    async init(wanted) {
      if (space && (space.dimensions !== wanted.dimensions || space.embedderId !== wanted.embedderId)) {
        throw new AnswerloopError(
          'dimension_mismatch',
          `The store holds vectors of ${space.embedderId} (${space.dimensions} dimensions), not ${wanted.embedderId} (${wanted.dimensions}): run \`answerloop ingest --rebuild <paths>\`.`,
        );
      }
      space = { ...wanted };
    },
    embeddingSpace: async () => (space ? { ...space } : undefined),
    async resetKnowledge() {
      chunks.clear();
      space = undefined;
    },
    async listDocuments() {
      const summaries = new Map<string, DocumentSummary>();
      for (const chunk of [...chunks.values()].sort((left, right) => left.ordinal - right.ordinal)) {
        const summary = summaries.get(chunk.docId);
        if (summary) {
          summary.chunkCount += 1;
          if (!chunk.sentences) summary.withoutSentences = true;
          continue;
        }
        summaries.set(chunk.docId, {
          docId: chunk.docId,
          source: chunk.source,
          title: chunk.title,
          documentHash: chunk.documentHash,
          chunkCount: 1,
          updatedAt: chunk.updatedAt,
          ...(chunk.sentences ? {} : { withoutSentences: true }),
        });
      }
      return [...summaries.values()];
    },
    async replaceDocument(docId, written) {
      const wrong = written.find((chunk) => space && chunk.embedding.length !== space.dimensions);
      if (wrong)
        throw new AnswerloopError(
          'dimension_mismatch',
          `Chunk ${wrong.id} has ${wrong.embedding.length} dimensions; the store holds ${space!.dimensions}: run \`answerloop ingest --rebuild <paths>\`.`,
        );
      for (const chunk of documentChunks(docId)) chunks.delete(chunk.id);
      for (const chunk of written) chunks.set(chunk.id, copy(chunk));
    },
    async deleteDocument(docId) {
      for (const chunk of documentChunks(docId)) chunks.delete(chunk.id);
    },
    async getChunks(ids) {
      return ids.flatMap((id) => (chunks.has(id) ? [copy(chunks.get(id)!)] : []));
    },
    async counts() {
      return {
        documents: new Set([...chunks.values()].map((chunk) => chunk.docId)).size,
        chunks: chunks.size,
      };
    },
    async chunksWithoutSentences() {
      return [...chunks.values()].filter((chunk) => !chunk.sentences).length;
    },
    async termChunkCounts(words) {
      const all = [...chunks.values()].map(
        (chunk) => new Set(fullTextTerms(`${chunk.title} ${chunk.headingPath.join(' ')} ${chunk.text}`)),
      );
      return {
        chunks: all.length,
        counts: words.map((word) => {
          const [term] = fullTextTerms(word);
          return term === undefined ? 0 : all.filter((terms) => terms.has(term)).length;
        }),
      };
    },
    async passageCounts(docIds) {
      const wanted = new Set(docIds);
      const counts = new Map<string, number>();
      for (const chunk of chunks.values())
        if (wanted.has(chunk.docId)) counts.set(chunk.docId, (counts.get(chunk.docId) ?? 0) + 1);
      return counts;
    },
    async searchLegs(request) {
      const candidates = [...chunks.values()].filter((chunk) => passes(chunk, request.filters));
      const vector = request.vector
        ? candidates
            .map((chunk) => ({
              chunk: withoutSentences(chunk),
              score: cosine(request.vector!, chunk.embedding),
            }))
            .sort((left, right) => right.score - left.score)
            .slice(0, request.k)
        : [];
      return { bm25: request.text ? bm25(request, candidates) : [], vector };
    },
    async health() {
      return {
        ok: !closed,
        kind: 'embedded',
        status: 'in memory',
        details: { chunks: chunks.size, conversations: conversations.size },
      };
    },
    async close() {
      closed = true;
    },

    async saveConversation(record) {
      conversations.set(record.id, copy(record));
    },
    getConversation: async (id) => (conversations.has(id) ? copy(conversations.get(id)!) : undefined),
    async listConversations(query) {
      const matching = [...conversations.values()]
        .filter((record) => matchesConversation(record, query))
        .sort(compareConversations(query.order));
      const offset = query.offset ?? 0;
      const page =
        query.limit === undefined ? matching.slice(offset) : matching.slice(offset, offset + query.limit);
      return { items: page.map(copy), total: matching.length };
    },

    async saveDataset(dataset) {
      datasets.set(dataset.name, copy(dataset));
    },
    listDatasets: async () => [...datasets.values()].map(copy),
    async saveExample(example) {
      examples.set(example.id, copy(example));
    },
    getExample: async (id) => (examples.has(id) ? copy(examples.get(id)!) : undefined),
    async listExamples(query) {
      return [...examples.values()]
        .filter(
          (example) =>
            (query.dataset === undefined || example.dataset === query.dataset) &&
            (query.stale === undefined || example.stale === query.stale) &&
            (query.originConversationId === undefined ||
              example.originConversationId === query.originConversationId) &&
            (query.sourceDocId === undefined || example.sourceDocIds.includes(query.sourceDocId)),
        )
        .map(copy);
    },
    async deleteExample(id) {
      examples.delete(id);
    },
    async saveDatasetVersion(version) {
      const key = `${version.dataset}@${version.version}`;
      if (versions.has(key))
        throw new AnswerloopError('conflict', `Dataset version ${key} exists: versions are immutable.`);
      versions.set(key, copy(version));
    },
    getDatasetVersion: async (dataset, version) =>
      versions.has(`${dataset}@${version}`) ? copy(versions.get(`${dataset}@${version}`)!) : undefined,
    async listDatasetVersions(dataset) {
      return [...versions.values()]
        .filter((version) => dataset === undefined || version.dataset === dataset)
        .sort((left, right) => right.createdAt.localeCompare(left.createdAt) || right.version - left.version)
        .map(copy);
    },

    async saveModel(model) {
      models.set(model.name, copy(model));
    },
    getModel: async (name) => (models.has(name) ? copy(models.get(name)!) : undefined),
    listModels: async () => [...models.values()].map(copy),
    async saveTrainingJob(job) {
      jobs.set(job.id, copy(job));
    },
    getTrainingJob: async (id) => (jobs.has(id) ? copy(jobs.get(id)!) : undefined),
    listTrainingJobs: async () =>
      [...jobs.values()]
        .sort(
          (left, right) => right.createdAt.localeCompare(left.createdAt) || right.id.localeCompare(left.id),
        )
        .map(copy),
    async saveEvaluation(evaluation) {
      evaluations.set(evaluation.id, copy(evaluation));
    },
    listEvaluations: async (candidate) =>
      [...evaluations.values()]
        .filter((evaluation) => candidate === undefined || evaluation.candidate === candidate)
        .map(copy),

    getValue: async (namespace, key) => values.get(namespace)?.get(key),
    async setValue(namespace, key, value) {
      namespaceOf(values, namespace).set(key, value);
    },
    async putIfAbsent(namespace, key, value) {
      const map = namespaceOf(values, namespace);
      if (map.has(key)) return false;
      map.set(key, value);
      return true;
    },
    async deleteValues(namespace, limit) {
      const map = values.get(namespace);
      if (!map) return 0;
      const keys = [...map.keys()].slice(0, Math.max(0, Math.floor(limit)));
      for (const key of keys) map.delete(key);
      return keys.length;
    },
    listValues: async (namespace) =>
      [...(values.get(namespace) ?? new Map<string, string>()).entries()]
        .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
        .map(([key, value]) => ({ key, value })),

    async prepare() {},
    readRecord: async (namespace, key) => {
      const record = records.get(namespace)?.get(key);
      return record ? { ...record } : undefined;
    },
    async createRecord(namespace, key, write) {
      const map = namespaceOf(records, namespace);
      if (map.has(key)) return undefined;
      const record = { key, version: nextVersion(), ...write };
      map.set(key, record);
      return { ...record };
    },
    async replaceRecord(namespace, key, write, version) {
      const map = namespaceOf(records, namespace);
      if (map.get(key)?.version !== version) return undefined;
      const record = { key, version: nextVersion(), ...write };
      map.set(key, record);
      return { ...record };
    },
    async deleteRecord(namespace, key, version) {
      const map = namespaceOf(records, namespace);
      if (map.get(key)?.version !== version) return false;
      map.delete(key);
      return true;
    },
    async incrementCounter(namespace, key, increment) {
      const map = namespaceOf(records, namespace);
      const existing = map.get(key);
      const count = Number(existing?.value ?? 0) + increment.by;
      map.set(key, {
        key,
        version: nextVersion(),
        state: 'counter',
        dueAt: existing?.dueAt ?? increment.dueAt,
        value: String(count),
      });
      return count;
    },
    async listDueRecords(namespace, query) {
      return [...(records.get(namespace)?.values() ?? [])]
        .filter((record) => query.states.includes(record.state) && record.dueAt <= query.dueBefore)
        .sort((left, right) => left.dueAt - right.dueAt || left.key.localeCompare(right.key))
        .slice(0, query.limit)
        .map((record) => ({ ...record }));
    },

    async saveThreadMessage(message) {
      messages.set(`${message.platform}\u0000${message.channel}\u0000${message.messageId}`, copy(message));
    },
    async listThreadMessages(query) {
      const matching = [...messages.values()]
        .filter(
          (message) =>
            message.platform === query.platform &&
            message.channel === query.channel &&
            (query.thread === undefined || message.thread === query.thread) &&
            (query.answers === undefined || message.answers === query.answers) &&
            (query.before === undefined || message.at < query.before),
        )
        .sort(
          (left, right) => left.at.localeCompare(right.at) || left.messageId.localeCompare(right.messageId),
        );
      return matching.slice(Math.max(0, matching.length - (query.limit ?? 50))).map(copy);
    },
    async purgeThreadMessages(before, limit) {
      const old = [...messages.entries()]
        .filter(([, message]) => message.at < before)
        .sort(([, left], [, right]) => left.at.localeCompare(right.at))
        .slice(0, limit);
      for (const [key] of old) messages.delete(key);
      return old.length;
    },
  };

  const calls: RecordedCall[] = [];
  const recorder = {
    calls,
    methodsCalled: (only?: string[]) =>
      calls.map((call) => call.method).filter((method) => !only || only.includes(method)),
  };
  return new Proxy(store as InMemoryStore, {
    get(target, property, receiver) {
      if (property === 'calls' || property === 'methodsCalled') return recorder[property];
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push({ method: property, args: copy(args) });
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
