import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { AnswerloopError, toAnswerloopError } from '../errors/index.ts';
import { redactSecrets } from '../logging/redact-secrets.ts';
import type {
  ChatMessage,
  ChatModel,
  ChatResponse,
  Clock,
  ConversationRecord,
  Logger,
  Store,
  SufficiencyVerdict,
  TokenUsage,
} from '../ports/index.ts';
import type { SearchHit, SearchOptions, SearchResult } from '../retrieval/index.ts';
import { isRefusal, parseCitations } from './citations.ts';
import {
  type AnswerabilityFeatures,
  answerabilityFeatures,
  answerabilityScore,
  bestSentenceCosine,
  contentWords,
} from './answerability.ts';
import { condensePrompt, condenseWithoutModel } from './follow-up.ts';
import { buildAnswerPrompt, directSystemPrompt, type PromptSource } from './prompt.ts';
import { helpReply, prepareQuestion } from './question-input.ts';
import { createSentenceEvidenceLoader, type SentenceEvidence } from './sentence-evidence.ts';
import { decideRoute } from './routing.ts';
import { checkSufficiency, combineVerdict, type SufficiencyJudge, sufficiencyGate } from './sufficiency.ts';
import type {
  AskContext,
  AskInput,
  AskOptions,
  AskResult,
  AskSource,
  ThreadTurn,
  VerifiedAnswerUse,
  VerifiedPreference,
} from './types.ts';

export interface AnsweringDependencies {
  config: Config;
  store: Store;
  search: (query: string, options: SearchOptions) => Promise<SearchResult>;
  /** Embeds texts with the knowledge base's embedder: the sentence evidence of the answerability score. */
  embed?: (texts: string[]) => Promise<number[][]>;
  /** The OpenAI chat model, when answers come from one. */
  chatModel?: () => ChatModel;
  /**
   * The model that checks whether the passages answer the question (sufficiency.ts), when the check is on:
   * undefined offline or with `answering.sufficiency.enabled: off`.
   */
  judge?: () => SufficiencyJudge | undefined;
  /**
   * Temperature, answer length and tokens of sources of the chat model (default: the openai settings and
   * answering.contextTokens); the local model has its own.
   */
  generation?: { temperature: number; maxAnswerTokens: number; contextTokens?: number };
  /** The extractive answerer used offline. */
  offlineModel: ChatModel;
  activeModel: () => Promise<string>;
  logger: Logger;
  clock: Clock;
  /** Verified answers among the hits: the reply itself when one matches well, else passages like any other. */
  verifiedAnswers?: { prefer(found: SearchResult): Promise<VerifiedPreference> };
  /** Random source for shadow sampling (tests pin it). */
  random?: () => number;
}

export interface AnsweringService {
  ask(input: AskInput, options: AskOptions): Promise<AskResult>;
  /** Resolves when background work (shadow answers) has finished; for tests and shutdown. */
  idle(): Promise<void>;
}

/** Question words whose rarity is looked up: enough for any real question, bounded for pasted text. */
const maxRarityWords = 24;

const noUsage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/** A stable, non-reversible user key: enough to count and rate-limit, useless to identify anyone. */
export function hashUserId(platform: string, userId: string | undefined): string {
  if (!userId) return '';
  return createHash('sha256').update(`answerloop:${platform}:${userId}`).digest('hex').slice(0, 24);
}

function describeLocation(hit: SearchHit): string {
  return [hit.chunk.source, ...hit.chunk.headingPath].join(' › ');
}

function toSource(hit: SearchHit, number: number): AskSource {
  return {
    number,
    chunkId: hit.chunk.id,
    docId: hit.chunk.docId,
    source: hit.chunk.source,
    title: hit.chunk.title,
    headingPath: hit.chunk.headingPath,
    score: hit.score,
    bm25Score: hit.bm25Score,
    vectorScore: hit.vectorScore,
    bm25Rank: hit.bm25Rank,
    vectorRank: hit.vectorRank,
    excerpt: hit.chunk.text.length > 280 ? `${hit.chunk.text.slice(0, 277).trimEnd()}...` : hit.chunk.text,
  };
}

/**
 * One ask() for every face: follow-up rewriting, routing, hybrid retrieval with a relevance floor, a prompt
 * within a token budget, generation with the active (often fine-tuned) model, citation checking, honest
 * refusal with a hand-off, and a conversation record for every exchange.
 */
export function createAnsweringService(dependencies: AnsweringDependencies): AnsweringService {
  const { config, store, logger, clock } = dependencies;
  const settings = config.answering;
  const random = dependencies.random ?? Math.random;
  const background = new Set<Promise<void>>();
  const online = dependencies.chatModel !== undefined;
  const loadSentenceEvidence = createSentenceEvidenceLoader({
    getChunks: (ids) => store.getChunks(ids),
    embed: dependencies.embed,
    logger,
  });

  async function loadHistory(context: AskContext): Promise<ThreadTurn[]> {
    if (context.history) return context.history.slice(-settings.historyTurns * 2);
    if (!context.thread || settings.historyTurns === 0) return [];
    const { items } = await store.listConversations({
      platform: context.platform,
      channel: context.channel ?? '',
      thread: context.thread,
      order: 'newest',
      limit: settings.historyTurns,
    });
    return items.reverse().flatMap((record): ThreadTurn[] => [
      { role: 'user', text: record.question },
      { role: 'assistant', text: record.correctedAnswer ?? record.answer },
    ]);
  }

  async function standaloneQuestion(history: ThreadTurn[], question: string): Promise<string> {
    if (history.length === 0) return question;
    if (!online || !dependencies.chatModel) return condenseWithoutModel(history, question);
    try {
      const response = await dependencies.chatModel().complete({
        model: config.openai.chatModel,
        messages: condensePrompt(history, question),
        temperature: 0,
        maxTokens: 200,
      });
      return response.text.trim() || condenseWithoutModel(history, question);
    } catch (error) {
      logger.warn({ err: toAnswerloopError(error) }, 'follow-up rewrite failed; using the simple rewrite');
      return condenseWithoutModel(history, question);
    }
  }

  /** Generates with the active model; falls back to the base model when the active one is gone. */
  async function generate(
    messages: ChatMessage[],
    onDelta: ((delta: string) => void) | undefined,
    evidence?: { queryVector: number[]; sentences: SentenceEvidence },
  ): Promise<ChatResponse> {
    if (!online || !dependencies.chatModel)
      return dependencies.offlineModel.complete({
        model: 'extractive',
        messages,
        onDelta,
        ...(evidence
          ? { sentenceVectors: { question: evidence.queryVector, sentences: evidence.sentences.vectors } }
          : {}),
      });
    const chatModel = dependencies.chatModel();
    const active = await dependencies.activeModel();
    const generation = dependencies.generation ?? config.openai;
    const request = {
      messages,
      temperature: generation.temperature,
      maxTokens: generation.maxAnswerTokens,
      onDelta,
    };
    try {
      return await chatModel.complete({ ...request, model: active });
    } catch (error) {
      const failure = toAnswerloopError(error);
      if (failure.code !== 'model_unavailable' || active === config.openai.chatModel) throw failure;
      logger.error(
        { err: failure, model: active, fallback: config.openai.chatModel },
        'active model unavailable; answering with the base model',
      );
      return chatModel.complete({ ...request, model: config.openai.chatModel });
    }
  }

  function runShadow(record: ConversationRecord): void {
    const shadowModel = config.training.shadowModel;
    if (!online || !dependencies.chatModel || !shadowModel || record.promptMessages.length === 0) return;
    if (random() >= config.training.shadowShare) return;
    const chatModel = dependencies.chatModel();
    const work = (async () => {
      try {
        const response = await chatModel.complete({
          model: shadowModel,
          messages: record.promptMessages,
          temperature: config.openai.temperature,
          maxTokens: config.openai.maxAnswerTokens,
        });
        const latest = (await store.getConversation(record.id)) ?? record;
        await store.saveConversation({
          ...latest,
          shadow: {
            model: shadowModel,
            answer: redactSecrets(response.text),
            latencyMs: Math.round(response.modelMs),
          },
          updatedAt: clock.now().toISOString(),
        });
      } catch (error) {
        logger.warn({ err: toAnswerloopError(error), model: shadowModel }, 'shadow answer failed');
      }
    })();
    background.add(work);
    void work.finally(() => background.delete(work));
  }

  /** The sufficiency check's verdict for a retrieved question, or undefined when no model checks passages. */
  async function judgeSufficiency(
    question: string,
    hits: readonly SearchHit[],
    confidence: number,
    signal: AbortSignal | undefined,
  ): Promise<SufficiencyVerdict | undefined> {
    const judge = hits.length > 0 ? dependencies.judge?.() : undefined;
    if (!judge) return undefined;
    const gate = sufficiencyGate(confidence, settings.sufficiency);
    const checked =
      gate === 'grey'
        ? await checkSufficiency(
            judge,
            question,
            hits.map((hit) => ({
              title: hit.chunk.title,
              headingPath: hit.chunk.headingPath,
              text: hit.chunk.text,
            })),
            settings.sufficiency,
            logger,
            signal,
          )
        : {
            sufficient: null,
            reason:
              gate === 'below'
                ? `answerability score under ${settings.sufficiency.low}: refused without asking the model`
                : `answerability score over ${settings.sufficiency.high}: answered without asking the model`,
            model: '',
            latencyMs: 0,
          };
    return {
      gate,
      ...checked,
      decision: combineVerdict(
        confidence,
        { gate, sufficient: checked.sufficient },
        settings.refusalThreshold,
      ),
    };
  }

  async function ask(input: AskInput, options: AskOptions): Promise<AskResult> {
    const started = performance.now();
    const { context } = input;
    const prepared = prepareQuestion(input.question ?? '', settings.maxQuestionChars);
    const now = clock.now().toISOString();
    const record: ConversationRecord = {
      id: randomUUID(),
      platform: context.platform,
      channel: context.channel ?? '',
      thread: context.thread ?? '',
      user: hashUserId(context.platform, context.userId),
      question: redactSecrets(prepared.text),
      standaloneQuestion: redactSecrets(prepared.text),
      route: 'help',
      sources: [],
      answer: '',
      model: 'none',
      promptMessages: [],
      confidence: 0,
      refused: false,
      latencyMs: 0,
      usage: noUsage,
      feedback: null,
      reviewStatus: 'new',
      correctedAnswer: null,
      reviewer: null,
      reviewedAt: null,
      failureKind: null,
      expectedSources: [],
      stale: false,
      shadow: null,
      createdAt: now,
      updatedAt: now,
    };
    let sources: AskSource[] = [];
    let citations: number[] = [];
    let extractive = false;
    let verified: VerifiedAnswerUse | undefined;
    let features: AnswerabilityFeatures | undefined;
    let evidence: { queryVector: number[]; sentences: SentenceEvidence } | undefined;
    let sufficiency: SufficiencyVerdict | undefined;
    let uncertain = false;

    const streaming = options.onDelta && options.stream !== false && settings.stream;
    let streamed = '';
    const onDelta = streaming
      ? (delta: string) => {
          streamed += delta;
          options.onDelta?.(delta, streamed);
        }
      : undefined;

    if (prepared.empty) {
      record.answer = helpReply;
    } else {
      const history = await loadHistory(context);
      const standalone = await standaloneQuestion(history, prepared.text);
      record.standaloneQuestion = redactSecrets(standalone);
      const decision = decideRoute(settings.routes, standalone, context.channel, context.filters);

      if (decision.route === 'direct') {
        const messages: ChatMessage[] = [
          { role: 'system', content: directSystemPrompt },
          ...history.map((turn): ChatMessage => ({ role: turn.role, content: turn.text })),
          { role: 'user', content: prepared.text },
        ];
        const response = await generate(messages, onDelta);
        Object.assign(record, {
          route: 'direct',
          answer: response.text.trim(),
          model: response.model,
          usage: response.usage,
          promptMessages: messages,
          confidence: 1,
        });
        extractive = response.model === 'extractive';
      } else {
        const searched = await dependencies.search(standalone, {
          filters: decision.filters,
          k: config.retrieval.k,
        });
        const preference: VerifiedPreference = dependencies.verifiedAnswers
          ? await dependencies.verifiedAnswers.prefer(searched)
          : { found: searched };
        const found = preference.found;
        const words = contentWords(standalone).slice(0, maxRarityWords);
        const termCounts = await store.termChunkCounts(words).catch((error: unknown) => {
          logger.warn(
            { err: toAnswerloopError(error) },
            'word rarity unavailable; scoring answerability without it',
          );
          return { chunks: 0, counts: words.map(() => 1) };
        });
        features = answerabilityFeatures(found, words, termCounts);
        // Sentence vectors stored with the passages: the question is the only text embedded to answer it.
        if (found.queryVector && (settings.answerability.weights.sentenceCosine !== 0 || !online)) {
          const queryVector = found.queryVector;
          evidence = await loadSentenceEvidence(found.hits)
            .then((loaded) => ({ queryVector, sentences: loaded }))
            .catch((error: unknown) => {
              logger.warn(
                { err: toAnswerloopError(error) },
                'sentence evidence unavailable; answering without it',
              );
              return undefined;
            });
          if (evidence && settings.answerability.weights.sentenceCosine !== 0) {
            const best = bestSentenceCosine(queryVector, found.hits, (id) =>
              evidence?.sentences.byChunk.get(id),
            );
            // Passages without a quotable sentence (code, tables of names) are no evidence against an answer.
            features.sentenceCosine = best ?? features.topCosine;
          }
        }
        const confidence =
          found.hits.length === 0
            ? 0
            : Math.round(answerabilityScore(features, settings.answerability) * 1000) / 1000;
        const candidates = found.hits.map((hit, index) => toSource(hit, index + 1));
        record.confidence = confidence;
        record.sources = candidates.map(({ excerpt: _excerpt, ...source }) => source);
        if (
          options.minConfidence !== undefined &&
          !preference.answer &&
          (found.hits.length === 0 || confidence < options.minConfidence)
        ) {
          // Nothing is generated; the question is kept, marked silent, so `answerloop gaps` and the review queue
          // see what people asked that the documentation did not clearly answer.
          Object.assign(record, { route: 'refused', refused: true, answer: '', silent: true });
          return finish({
            answer: '',
            citations: [],
            sources: [],
            confidence,
            ...(features ? { answerability: features } : {}),
            route: 'refused',
            refused: true,
            model: 'none',
            extractive: false,
            usage: noUsage,
            conversationId: record.id,
            skipped: true,
          });
        }
        if (!preference.answer) {
          sufficiency = await judgeSufficiency(standalone, found.hits, confidence, options.signal);
          if (sufficiency) record.sufficiency = sufficiency;
        }
        if (preference.answer) {
          // The support team's own answer to this question: given as it stands, with the sources it rests on.
          sources = preference.answer.sources;
          const parsed = parseCitations(preference.answer.text, sources.length);
          Object.assign(record, {
            route: 'retrieve',
            model: 'verified',
            answer: parsed.answer,
            verifiedAnswerId: preference.answer.use.id,
          });
          record.sources = sources.map(({ excerpt: _excerpt, ...source }) => source);
          citations = parsed.citations;
          verified = preference.answer.use;
          onDelta?.(parsed.answer);
        } else if (
          found.hits.length === 0 ||
          (sufficiency ? sufficiency.decision === 'refuse' : confidence < settings.refusalThreshold)
        ) {
          Object.assign(record, {
            route: 'refused',
            refused: true,
            answer: `I don't know. ${settings.handoff}`,
            model: 'none',
          });
        } else {
          const promptSources: PromptSource[] = found.hits.map((hit, index) => ({
            number: index + 1,
            title: hit.chunk.title,
            location: describeLocation(hit),
            text: hit.chunk.text,
          }));
          let budget = dependencies.generation?.contextTokens ?? settings.contextTokens;
          let prompt = buildAnswerPrompt(standalone, promptSources, budget);
          let response: ChatResponse;
          try {
            response = await generate(prompt.messages, onDelta, evidence);
          } catch (error) {
            if (toAnswerloopError(error).code !== 'context_too_long') throw error;
            budget = Math.floor(budget / 2);
            logger.warn({ budget }, 'prompt over the context length; retrying with fewer sources');
            prompt = buildAnswerPrompt(standalone, promptSources, budget);
            response = await generate(prompt.messages, onDelta, evidence);
          }
          sources = prompt.included.map((originalNumber, index) => ({
            ...(candidates[originalNumber - 1] as AskSource),
            number: index + 1,
          }));
          const parsed = parseCitations(response.text, sources.length);
          extractive = response.model === 'extractive';
          Object.assign(record, {
            route: 'retrieve',
            model: response.model,
            usage: response.usage,
            promptMessages: prompt.messages,
          });
          record.sources = sources.map(({ excerpt: _excerpt, ...source }) => source);
          if (parsed.dropped.length > 0)
            logger.warn(
              { dropped: parsed.dropped, conversationId: record.id },
              'answer cited sources that do not exist',
            );
          if (isRefusal(parsed.answer)) {
            Object.assign(record, {
              route: 'refused',
              refused: true,
              answer: `I don't know. ${settings.handoff}`,
            });
            sources = [];
          } else {
            record.answer = parsed.answer;
            citations = parsed.citations;
            const passage = preference.passage;
            if (passage && citations.some((number) => sources[number - 1]?.docId === passage.docId)) {
              verified = passage.use;
              record.verifiedAnswerId = passage.use.id;
            }
            // Answered, but on weak evidence that no model confirmed, or citing no source at all (a model that
            // answered from what it knows rather than from the passages): the answer says so.
            uncertain =
              !verified &&
              (citations.length === 0 ||
                (confidence < settings.uncertainBelow && sufficiency?.sufficient !== true));
          }
        }
      }
    }

    const notice = [prepared.notice, uncertain ? settings.uncertainNotice : undefined]
      .filter(Boolean)
      .join(' ');
    return finish({
      answer: record.answer,
      citations,
      sources,
      confidence: record.confidence,
      ...(features ? { answerability: features } : {}),
      ...(sufficiency ? { sufficiency } : {}),
      route: record.route,
      refused: record.refused,
      model: record.model,
      extractive,
      usage: record.usage,
      conversationId: record.id,
      ...(notice ? { notice } : {}),
      ...(uncertain ? { uncertain } : {}),
      ...(verified ? { verified } : {}),
    });

    /** Redacts and saves the record (unless `record: false`), logs one line, and returns the result with its latency. */
    async function finish(result: Omit<AskResult, 'latencyMs'>): Promise<AskResult> {
      record.answer = redactSecrets(record.answer);
      record.promptMessages = record.promptMessages.map((message) => ({
        ...message,
        content: redactSecrets(message.content),
      }));
      record.latencyMs = Math.round(performance.now() - started);
      try {
        const forget = record.silent === true && options.keepSilent === false;
        if (options.record !== false && !forget) await store.saveConversation(record);
      } catch (error) {
        // The user still gets the answer; the operator learns the log could not be written.
        logger.error(
          { err: toAnswerloopError(error), conversationId: record.id },
          'conversation record could not be saved',
        );
      }
      logger.info(
        {
          conversationId: record.id,
          platform: record.platform,
          route: record.route,
          model: record.model,
          confidence: record.confidence,
          latencyMs: record.latencyMs,
          sources: record.sources.length,
          ...(record.silent ? { minConfidence: options.minConfidence } : {}),
        },
        record.silent
          ? 'not confident enough to answer unasked; the question is kept for people'
          : 'answered',
      );
      if (options.record !== false && !record.silent) runShadow(record);
      return { ...result, answer: record.answer, latencyMs: record.latencyMs };
    }
  }

  return {
    ask: async (input, options) => {
      if (typeof input?.question !== 'string')
        throw new AnswerloopError('input_invalid', 'ask() needs a question string.');
      return ask(input, options);
    },
    idle: async () => {
      await Promise.all([...background]);
    },
  };
}
