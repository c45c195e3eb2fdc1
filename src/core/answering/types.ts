import type { AnswerabilityFeatures } from './answerability.ts';
import type { SearchFilters } from '../ports/chunk-store.ts';
import type { SearchResult } from '../retrieval/index.ts';
import type {
  Platform,
  Route,
  SourceUsed,
  SufficiencyVerdict,
  TokenUsage,
} from '../ports/conversation-store.ts';

export interface ThreadTurn {
  role: 'user' | 'assistant';
  text: string;
}

export interface AskContext {
  platform: Platform;
  channel?: string;
  /** Thread key on the platform; '' or undefined outside a thread. */
  thread?: string;
  /** Earlier turns of the thread, oldest first. */
  history?: ThreadTurn[];
  /** Raw platform user id: hashed before it is stored. */
  userId?: string;
  /** Filters the face adds (per-channel configuration); routing rules may add more. */
  filters?: SearchFilters;
}

export interface AskInput {
  question: string;
  context: AskContext;
}

export interface AskOptions {
  /** Receives the answer as it grows, when the model streams. */
  onDelta?: (delta: string, textSoFar: string) => void;
  /** Turn streaming off even when configured on. */
  stream?: boolean;
  signal?: AbortSignal;
  /**
   * Answer only at this confidence or above (answers nobody asked the bot for). Below it ask() stops before
   * generating, keeps the question as a silent record (`silent: true`, refused, no answer) for the review queue and
   * `answerloop gaps`, and returns `skipped: true` with an empty answer.
   */
  minConfidence?: number;
  /** With minConfidence: false keeps nothing of a question the bot stays silent on (no silent record). Default true. */
  keepSilent?: boolean;
  /** false: answer without writing a conversation record (evaluation runs). Default true. */
  record?: boolean;
}

export interface AskSource extends SourceUsed {
  /** A short excerpt of the passage, for display. */
  excerpt: string;
}

export interface AskResult {
  answer: string;
  /** Source numbers the answer cites, in order of first use, each pointing at a source. */
  citations: number[];
  /** Sources given to the model, numbered as in the prompt. */
  sources: AskSource[];
  /** 0..1: the answerability score, the probability that the documentation answers the question. */
  confidence: number;
  /** The retrieval facts the answerability score was computed from (retrieved answers only). */
  answerability?: AnswerabilityFeatures;
  /**
   * The sufficiency check (a model reading the passages): where the score fell, the model's verdict in the grey
   * band, and whether the bot answered. Absent offline and when the check is off.
   */
  sufficiency?: SufficiencyVerdict;
  route: Route;
  /** True when the bot said it does not know (the hand-off text is in the answer). */
  refused: boolean;
  model: string;
  /** True when the answer was extracted from the sources without a language model. */
  extractive: boolean;
  usage: TokenUsage;
  latencyMs: number;
  conversationId: string;
  /** A note for the user, e.g. that the question was shortened. */
  notice?: string;
  /** Set when the answer is, or cites, an answer the support team verified. */
  verified?: VerifiedAnswerUse;
  /**
   * True when the answer's confidence is under `answering.uncertainBelow` and no model that read the passages said
   * they answer the question: `notice` then carries `answering.uncertainNotice`.
   */
  uncertain?: boolean;
  /** True when `minConfidence` was not reached: nothing was generated; the question was kept as a silent record. */
  skipped?: boolean;
}

/** How an answer used a verified answer, and what that verified answer rests on. */
export interface VerifiedAnswerUse {
  /** The verified answer's id (its document is `verified/<id>`). */
  id: string;
  /** The question it answers. */
  question: string;
  /** 'answer': the reply is the verified answer itself; 'source': the reply cites it among its sources. */
  use: 'answer' | 'source';
  verifiedBy: string;
  verifiedAt: string;
  /** The documentation the verified answer rests on, numbered as its own citations. */
  sources: Array<Pick<SourceUsed, 'number' | 'docId' | 'source' | 'title' | 'headingPath'>>;
}

/** What the verified answers make of a search result (curation/verified-answers.ts implements it). */
export interface VerifiedPreference {
  /** The search result without verified passages that may not be used (retired, stale, unknown). */
  found: SearchResult;
  /** Set when a verified answer matches the question well: it is the reply, with its own sources. */
  answer?: { text: string; sources: AskSource[]; use: VerifiedAnswerUse };
  /** The best verified passage that matched less well: a reply citing it rests on it. */
  passage?: { docId: string; use: VerifiedAnswerUse };
}
