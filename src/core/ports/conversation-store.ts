export type Platform = 'slack' | 'discord' | 'cli' | 'tui' | 'api';
export type ReviewStatus = 'new' | 'approved' | 'corrected' | 'rejected';
export type Route = 'retrieve' | 'direct' | 'refused' | 'help';
export type FailureKind = 'retrieval' | 'generation' | 'none';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface SourceUsed {
  /** Number shown to the model, `[n]`. */
  number: number;
  chunkId: string;
  docId: string;
  source: string;
  title: string;
  headingPath: string[];
  /** Fused score and the raw per-leg scores and ranks. */
  score: number;
  bm25Score?: number;
  vectorScore?: number;
  bm25Rank?: number;
  vectorRank?: number;
}

export interface Feedback {
  helpful: boolean | null;
  comment?: string;
  /** Hashed id of who gave it. */
  by?: string;
  at: string;
}

/**
 * The sufficiency check's part in one answer: where the answerability score fell (refused below the grey band,
 * answered above it without asking) and, in the band, whether the model found the passages sufficient.
 */
export interface SufficiencyVerdict {
  gate: 'below' | 'grey' | 'above';
  /** The model's verdict; null when it was not asked (outside the band) or the check failed. */
  sufficient: boolean | null;
  /** The model's one-line reason, or why there is no verdict. */
  reason: string;
  /** The judging model ('' when not asked). */
  model: string;
  /** The model's probability that the passages answer the question, when it gave one (a decision, not a verdict). */
  probability?: number;
  latencyMs: number;
  /** What ask() did with it. */
  decision: 'answer' | 'refuse';
}

export interface ConversationRecord {
  id: string;
  platform: Platform;
  channel: string;
  /** Thread key on the platform (Slack thread_ts, Discord thread or interaction id); '' when none. */
  thread: string;
  /** Platform message id of the bot's answer, for updates. */
  messageId?: string;
  /** Hashed user id; never the raw id. */
  user: string;
  question: string;
  standaloneQuestion: string;
  route: Route;
  sources: SourceUsed[];
  answer: string;
  /** Model that produced the answer ('extractive' offline). */
  model: string;
  /** The exact chat messages sent to the model, so an example can be made in the inference format. */
  promptMessages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
  confidence: number;
  refused: boolean;
  latencyMs: number;
  usage: TokenUsage;
  feedback: Feedback | null;
  reviewStatus: ReviewStatus;
  correctedAnswer: string | null;
  /** Where a correction came from: an operator, a modal, a teammate's reply marked in Slack. */
  correctionSource?: 'operator' | 'user' | 'teammate';
  reviewer: string | null;
  reviewedAt: string | null;
  failureKind: FailureKind | null;
  /** Sources an operator attached as the right ones: a retrieval test case. */
  expectedSources: string[];
  /** Set when a cited document changed or vanished after the review. */
  stale: boolean;
  /** The verified answer the reply was, or cited, when it came from one. */
  verifiedAnswerId?: string;
  /** Answers from a shadow candidate model, stored beside but never shown. */
  shadow?: { model: string; answer: string; latencyMs: number } | null;
  /**
   * A person took part after the bot answered: the first reply by a non-bot user in the bot's thread, or the
   * post closed or tagged as solved (Discord forums). Recorded by the faces from events they already receive.
   */
  humanFollowUp?: { at: string; kind: 'reply' | 'solved' } | null;
  /** Someone handed the question to a person with the answer's button; where it was posted. */
  handoff?: { at: string; by?: string; place?: string } | null;
  /**
   * Nobody asked the bot (a help channel or forum in mode `auto`) and it was not sure enough to answer, so it said
   * nothing and generated nothing: the record keeps the question, its sources and its confidence for the review queue
   * and `answerloop gaps`. Such a record is also `refused`, with an empty answer.
   */
  silent?: boolean;
  /** Why the bot answered or refused when a model checked the passages (absent offline). */
  sufficiency?: SufficiencyVerdict | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationQuery {
  feedback?: 'helpful' | 'not_helpful' | 'none' | 'any';
  reviewStatus?: ReviewStatus[];
  platform?: Platform;
  channel?: string;
  thread?: string;
  refused?: boolean;
  /** true: only questions the bot stayed silent on (`silent`); false: every other conversation. */
  silent?: boolean;
  minConfidence?: number;
  maxConfidence?: number;
  /** ISO-8601 bounds on createdAt, inclusive. */
  since?: string;
  until?: string;
  stale?: boolean;
  /** Conversations whose sources include this document. */
  citedDocId?: string;
  /**
   * 'review': not-helpful first, then no feedback, then helpful; newest first within each.
   * 'newest' / 'oldest': by createdAt.
   */
  order?: 'review' | 'newest' | 'oldest';
  offset?: number;
  limit?: number;
}

export interface ConversationStore {
  /** Inserts or replaces the whole record. */
  saveConversation(record: ConversationRecord): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  listConversations(query: ConversationQuery): Promise<{ items: ConversationRecord[]; total: number }>;
}
