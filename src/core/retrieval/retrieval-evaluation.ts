import { InputError } from '../errors/index.ts';
import type { Embedder } from '../ports/index.ts';
import {
  type RetrievalSettings,
  search,
  type SearchDependencies,
  type SearchHit,
  type SearchMode,
} from './hybrid-search.ts';

/** What a QA question tests: shared words, few shared words, two pages, or nothing the documentation covers. */
export type QaKind = 'keyword' | 'paraphrase' | 'multi' | 'unanswerable';
export const qaKinds: readonly QaKind[] = ['keyword', 'paraphrase', 'multi', 'unanswerable'];

/**
 * One question of a QA set and the documents (source paths) that answer it. A relevant path matches a document
 * whose doc id or source is that path or ends with `/<path>`, so a QA set can name pages relative to its corpus.
 */
export interface QaItem {
  question: string;
  /** Empty for an unanswerable question. */
  relevant: string[];
  /** Defaults to keyword for answerable questions written before kinds existed. */
  kind: QaKind;
  /** A short reference answer, when the QA set gives one. */
  answer?: string;
  /** 1-based line of the JSONL file it came from, for messages. */
  line?: number;
}

export interface RetrievalEvaluationOptions {
  /** Cut-off of Recall@k and nDCG@k. */
  k: number;
  modes: SearchMode[];
  /**
   * Passages fetched per question before they are grouped into documents: enough that k distinct documents
   * remain after grouping (default max(10k, 50)). MRR looks this deep.
   */
  depth?: number;
  /** Retrieval settings to try instead of the configured ones (fusion, weights...), to compare methods in one run. */
  settings?: Partial<RetrievalSettings>;
}

export interface QuestionOutcome {
  question: string;
  kind: QaKind;
  relevant: string[];
  /** Documents in rank order, each named by the relevant path it matched, else by its docId. */
  ranked: string[];
  /** 1-based rank of the first relevant document; null when none was found. */
  firstRelevantRank: number | null;
  recall: number;
  reciprocalRank: number;
  ndcg: number;
}

export interface ModeEvaluation {
  mode: SearchMode;
  recallAtK: number;
  mrr: number;
  ndcgAtK: number;
  /** Questions with at least one relevant document in the top k. */
  answeredInTopK: number;
  questions: QuestionOutcome[];
}

export interface RetrievalEvaluation {
  k: number;
  depth: number;
  questionCount: number;
  modes: ModeEvaluation[];
  /** Relevant paths that name no document of the knowledge base: they can never be found (a typo, or not ingested). */
  unknownRelevant: string[];
}

/** Share of the relevant documents found in the first k of the ranking (0 when nothing is relevant). */
export function recallAtK(ranked: readonly string[], relevant: readonly string[], k: number): number {
  const wanted = new Set(relevant);
  if (wanted.size === 0) return 0;
  const found = new Set(ranked.slice(0, k).filter((id) => wanted.has(id)));
  return found.size / wanted.size;
}

/** 1 / rank of the first relevant document, 0 when the ranking holds none. */
export function reciprocalRank(ranked: readonly string[], relevant: readonly string[]): number {
  const wanted = new Set(relevant);
  const index = ranked.findIndex((id) => wanted.has(id));
  return index < 0 ? 0 : 1 / (index + 1);
}

/**
 * Normalised discounted cumulative gain at k with binary relevance: each relevant document counts once, at its
 * first position i (from 0), as 1 / log2(i + 2); divided by the same sum for a perfect ranking.
 */
export function ndcgAtK(ranked: readonly string[], relevant: readonly string[], k: number): number {
  const wanted = new Set(relevant);
  if (wanted.size === 0 || k <= 0) return 0;
  const counted = new Set<string>();
  let gain = 0;
  ranked.slice(0, k).forEach((id, index) => {
    if (!wanted.has(id) || counted.has(id)) return;
    counted.add(id);
    gain += 1 / Math.log2(index + 2);
  });
  let ideal = 0;
  for (let index = 0; index < Math.min(wanted.size, k); index += 1) ideal += 1 / Math.log2(index + 2);
  return gain / ideal;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Paths compare as written in the knowledge base: forward slashes, no leading './'. */
function normalisePath(value: string): string {
  return value.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * Reads a QA set: one JSON object per line, `{"question": "...", "relevant": ["docs/slack.md", ...]}` (an
 * unanswerable question, `"kind": "unanswerable"`, may leave out `relevant`). Blank lines are skipped. Throws an InputError naming the file and line of the first bad line.
 */
export function parseQaSet(text: string, fileName = 'the QA set'): QaItem[] {
  const items: QaItem[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (!content) return;
    const where = `${fileName} line ${line}`;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      throw new InputError(
        `${where} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Each line must be {"question": "...", "relevant": ["<source path>"]}.`,
        {
          line,
        },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InputError(
        `${where} must be a JSON object like {"question": "...", "relevant": ["<source path>"]}.`,
        { line },
      );
    }
    const { question, relevant, kind, answer } = value as {
      question?: unknown;
      relevant?: unknown;
      kind?: unknown;
      answer?: unknown;
    };
    if (typeof question !== 'string' || !question.trim()) {
      throw new InputError(`${where}: "question" must be a non-empty string.`, { line });
    }
    if (kind !== undefined && !qaKinds.includes(kind as QaKind)) {
      throw new InputError(
        `${where}: "kind" must be one of ${qaKinds.join(', ')}, not ${JSON.stringify(kind)}.`,
        { line },
      );
    }
    if (answer !== undefined && typeof answer !== 'string') {
      throw new InputError(`${where}: "answer" must be a string (the short reference answer).`, { line });
    }
    const unanswerable = kind === 'unanswerable';
    // A question without "relevant" names no page: right for an unanswerable one, said below for the others.
    const paths = Array.isArray(relevant) ? relevant : relevant === undefined ? [] : undefined;
    if (!paths || paths.some((entry) => typeof entry !== 'string' || !entry.trim())) {
      throw new InputError(`${where}: "relevant" must be a list of source paths (e.g. ["docs/slack.md"]).`, {
        line,
      });
    }
    if (unanswerable && paths.length > 0) {
      throw new InputError(`${where}: an unanswerable question names no relevant pages ("relevant": []).`, {
        line,
      });
    }
    if (!unanswerable && paths.length === 0) {
      throw new InputError(
        `${where}: "relevant" must name at least one source path (e.g. ["docs/slack.md"]), or set "kind": "unanswerable".`,
        { line },
      );
    }
    items.push({
      question: question.trim(),
      relevant: [...new Set((paths as string[]).map(normalisePath))],
      kind: (kind as QaKind | undefined) ?? 'keyword',
      ...(typeof answer === 'string' && answer.trim() ? { answer: answer.trim() } : {}),
      line,
    });
  });
  if (items.length === 0)
    throw new InputError(`${fileName} holds no questions: write one JSON object per line.`);
  return items;
}

/** The relevant path a document answers to: its doc id or source, or a path either ends with after a slash. */
export function matchRelevant(
  document: { docId: string; source: string },
  relevant: readonly string[],
): string | undefined {
  for (const path of relevant) {
    for (const name of [document.docId, document.source]) {
      if (name === path || name.endsWith(`/${path}`)) return path;
    }
  }
  return undefined;
}

/**
 * Documents in the order of their best passage. Each is named by the relevant path it matches (see
 * matchRelevant), else by its doc id, so a QA set may name documents either way.
 */
export function rankDocuments(hits: readonly SearchHit[], relevant: readonly string[]): string[] {
  const ranked: string[] = [];
  const seen = new Set<string>();
  for (const hit of hits) {
    const name = matchRelevant(hit.chunk, relevant) ?? hit.chunk.docId;
    if (seen.has(name)) continue;
    seen.add(name);
    ranked.push(name);
  }
  return ranked;
}

/** Embeds each distinct question once, so the hybrid and vector runs share the work. */
function withQueryCache(embedder: Embedder): Embedder {
  const cache = new Map<string, number[]>();
  return {
    id: embedder.id,
    dimensions: embedder.dimensions,
    async embed(texts, options) {
      const missing = [...new Set(texts.filter((text) => !cache.has(text)))];
      if (missing.length > 0) {
        const vectors = await embedder.embed(missing, options);
        missing.forEach((text, index) => cache.set(text, vectors[index]!));
      }
      return texts.map((text) => cache.get(text)!);
    },
  };
}

/**
 * Runs every question through core search in each mode and scores the document ranking: Recall@k, MRR and
 * nDCG@k, averaged over questions. Questions run one after another, so a slow machine gives the same figures.
 */
export async function evaluateRetrieval(
  qa: readonly QaItem[],
  options: RetrievalEvaluationOptions,
  dependencies: SearchDependencies,
): Promise<RetrievalEvaluation> {
  const k = options.k;
  if (!Number.isInteger(k) || k <= 0) throw new InputError(`k must be a positive whole number, not ${k}.`);
  if (options.modes.length === 0)
    throw new InputError('Name at least one retrieval mode to evaluate: hybrid, bm25 or vector.');
  const depth = Math.max(options.depth ?? Math.max(10 * k, 50), k);

  const documents = await dependencies.store.listDocuments();
  if (documents.length === 0)
    throw new InputError(
      'The knowledge base is empty: run `answerloop ingest <path>` before evaluating retrieval.',
    );
  const unknownRelevant = [...new Set(qa.flatMap((item) => item.relevant))]
    .filter((path) => !documents.some((document) => matchRelevant(document, [path]) !== undefined))
    .sort();
  // Retrieval is scored on the questions the documentation answers; unanswerable ones are for eval answers.
  const answerable = qa.filter((item) => item.relevant.length > 0);
  if (answerable.length === 0)
    throw new InputError(
      'The QA set holds no answerable question: retrieval can only be scored on questions with relevant pages.',
    );

  const searchDependencies: SearchDependencies = {
    ...dependencies,
    settings: { ...dependencies.settings, ...options.settings },
    embedder: withQueryCache(dependencies.embedder),
  };
  const modes: ModeEvaluation[] = [];
  for (const mode of options.modes) {
    const questions: QuestionOutcome[] = [];
    for (const item of answerable) {
      const result = await search(item.question, { mode, k: depth }, searchDependencies);
      const ranked = rankDocuments(result.hits, item.relevant);
      const wanted = new Set(item.relevant);
      const firstRelevant = ranked.findIndex((name) => wanted.has(name));
      questions.push({
        question: item.question,
        kind: item.kind,
        relevant: item.relevant,
        ranked,
        firstRelevantRank: firstRelevant < 0 ? null : firstRelevant + 1,
        recall: recallAtK(ranked, item.relevant, k),
        reciprocalRank: reciprocalRank(ranked, item.relevant),
        ndcg: ndcgAtK(ranked, item.relevant, k),
      });
    }
    modes.push({
      mode,
      recallAtK: mean(questions.map((question) => question.recall)),
      mrr: mean(questions.map((question) => question.reciprocalRank)),
      ndcgAtK: mean(questions.map((question) => question.ndcg)),
      answeredInTopK: questions.filter(
        (question) => question.firstRelevantRank !== null && question.firstRelevantRank <= k,
      ).length,
      questions,
    });
  }
  return { k, depth, questionCount: answerable.length, modes, unknownRelevant };
}
