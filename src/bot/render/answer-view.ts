import type { AskResult, AskSource, ConversationRecord } from '../../core/index.ts';

/**
 * An answer as every platform shows it, decided once: which places it cites (grouped, in citation order), who
 * or what wrote it, and the notice beside it. The Slack and Discord renderers only draw this view in their own
 * markup and within their own limits, so the two platforms cannot drift on what an answer shows.
 */
export interface AnswerView {
  /** The answer's Markdown, as the model or the extractive answerer wrote it. */
  text: string;
  refused: boolean;
  conversationId: string;
  notice?: string;
  /** The places the answer cites (all of them for an uncited answer); none for a refusal. */
  sources: ShownSource[];
  attribution: Attribution;
}

/** One cited place: a document, or one section of it. Several passages of one place share an entry. */
export interface ShownSource {
  /** The source numbers in the answer that point here, in the order the answer first cites them. */
  numbers: number[];
  /** The document's title, and its section where that says more than the title: "Install guide › On Linux". */
  label: string;
  /** Where the passage came from: a URL or a path. */
  source: string;
  /** The http(s) address to link to, when the source is one. */
  url?: string;
}

export type Attribution =
  /** A verified answer given as it stands. */
  | { kind: 'verified' }
  /** A model's answer built on a verified answer. */
  | { kind: 'verified-basis' }
  /** Sentences quoted from the documentation without a language model. */
  | { kind: 'extractive' }
  | { kind: 'model'; model: string };

export type AnswerViewInput = Pick<
  AskResult,
  'answer' | 'citations' | 'model' | 'extractive' | 'refused' | 'conversationId' | 'notice' | 'verified'
> & {
  sources: Array<Pick<AskSource, 'number' | 'title' | 'source'> & { headingPath?: string[] }>;
};

/** The source numbers an answer's text cites (`[2]`), in order of first use, once each. */
export function citedNumbers(text: string): number[] {
  return [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1])))];
}

/** The source itself when it is a valid http(s) address, undefined for a path or anything else. */
function webAddress(source: string): string | undefined {
  return /^https?:\/\//i.test(source) && URL.canParse(source) ? source : undefined;
}

function sourceLabel(source: AnswerViewInput['sources'][number]): string {
  const title = source.title.trim() || source.source;
  const section = source.headingPath?.at(-1)?.trim();
  return section && section !== title ? `${title} › ${section}` : title;
}

function attributionOf(answer: AnswerViewInput): Attribution {
  if (answer.verified) return { kind: answer.verified.use === 'answer' ? 'verified' : 'verified-basis' };
  if (answer.extractive) return { kind: 'extractive' };
  return { kind: 'model', model: answer.model };
}

export function answerView(answer: AnswerViewInput): AnswerView {
  const byNumber = new Map(answer.sources.map((source) => [source.number, source]));
  const numbers = answer.refused
    ? []
    : answer.citations.length > 0
      ? answer.citations
      : answer.sources.map((source) => source.number);
  const places = new Map<string, ShownSource>();
  for (const number of numbers) {
    const source = byNumber.get(number);
    if (!source) continue;
    const label = sourceLabel(source);
    const key = `${source.source}\u0000${label}`;
    const place = places.get(key);
    if (place) {
      if (!place.numbers.includes(number)) place.numbers.push(number);
      continue;
    }
    const url = webAddress(source.source);
    places.set(key, { numbers: [number], label, source: source.source, ...(url ? { url } : {}) });
  }
  return {
    text: answer.answer,
    refused: answer.refused,
    conversationId: answer.conversationId,
    ...(answer.notice ? { notice: answer.notice } : {}),
    sources: [...places.values()],
    attribution: attributionOf(answer),
  };
}

/** A logged conversation as the answer it was, for showing it again (a private answer shared with the channel). */
export function answerFromRecord(record: ConversationRecord): AnswerViewInput {
  return {
    answer: record.answer,
    citations: citedNumbers(record.answer).filter((number) =>
      record.sources.some((source) => source.number === number),
    ),
    sources: record.sources,
    model: record.model,
    extractive: record.model === 'extractive',
    refused: record.refused,
    conversationId: record.id,
  };
}
