import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { questionFromMessages, stableFraction, type DatasetsService } from '../curation/index.ts';
import { AnswerloopError, InputError } from '../errors/index.ts';
import type {
  ChatMessage,
  ChatModel,
  Clock,
  ConversationRecord,
  ConversationStore,
  Embedder,
  Logger,
  ModelRegistry,
} from '../ports/index.ts';
import { cosineSimilarity } from '../math/vector-math.ts';
import {
  answerRefuses,
  compareScores,
  judgeMessages,
  meanScores,
  parseJudgeVerdict,
  scoreAnswer,
  sourceCountOfPrompt,
  winRate,
  type Verdict,
} from './evaluation-scoring.ts';
import type { ModelPromotion } from './model-promotion.ts';
import { qaProbes } from './qa-probes.ts';
import type { SearchOptions, SearchResult } from '../retrieval/index.ts';
import type {
  EvaluateCandidateInput,
  EvaluateShadowInput,
  EvaluationProgress,
  EvaluationResult,
  EvaluationRow,
} from './types.ts';

/** The store ports evaluation uses: the models it scores, and the conversations a shadow answered. */
export type AnswerEvaluationStore = Pick<ModelRegistry, 'getModel' | 'saveModel' | 'saveEvaluation'> &
  Pick<ConversationStore, 'listConversations'>;

export interface AnswerEvaluationDependencies {
  config: Config;
  store: AnswerEvaluationStore;
  chatModel: () => ChatModel;
  embedder: Embedder;
  /** The held-out examples of a version. */
  datasets: Pick<DatasetsService, 'getVersion'>;
  models: ModelPromotion;
  logger: Logger;
  clock: Clock;
  /** Retrieval as ask() runs it, for training.guard.qaSets' questions. */
  search?: (query: string, options: SearchOptions) => Promise<SearchResult>;
}

export interface AnswerEvaluation {
  /** Held-out examples through the candidate and the baseline, scored side by side; stored, and set on the candidate. */
  evaluateCandidate(input: EvaluateCandidateInput): Promise<EvaluationResult>;
  /** The shadow model's stored answers against the answers users were shown, over real conversations. */
  evaluateShadow(input: EvaluateShadowInput): Promise<EvaluationResult>;
}

/** What both kinds of evaluation compare: one prompt, two answers, maybe a reference. */
interface Comparison {
  id: string;
  prompt: ChatMessage[];
  reference: string | null;
  /** When known without asking (a stored refusal flag), whether the reference refuses. */
  referenceRefused?: boolean;
  candidateAnswer: string;
  baselineAnswer: string;
  /** Citations of the baseline answer were already checked and cleaned before users saw it. */
  baselineSourceCount?: number;
}

export function createAnswerEvaluation(dependencies: AnswerEvaluationDependencies): AnswerEvaluation {
  const { config, store, embedder, datasets, models, logger, clock } = dependencies;
  const handoff = config.answering.handoff;
  const judgeModel = config.training.judgeModel.trim() || null;

  async function answer(chatModel: ChatModel, model: string, messages: ChatMessage[]): Promise<string> {
    const response = await chatModel.complete({
      model,
      messages,
      temperature: 0,
      maxTokens: config.openai.maxAnswerTokens,
    });
    return response.text.trim();
  }

  /** Asks the judge with the candidate's position chosen by a hash of the row id, so neither side always goes first. */
  async function judge(chatModel: ChatModel, comparison: Comparison): Promise<Verdict | null> {
    if (!judgeModel) return null;
    const candidateFirst = stableFraction(`judge:${comparison.id}`) < 0.5;
    const [answerA, answerB] = candidateFirst
      ? [comparison.candidateAnswer, comparison.baselineAnswer]
      : [comparison.baselineAnswer, comparison.candidateAnswer];
    const context = comparison.prompt
      .filter((message) => message.role === 'user')
      .map((message) => message.content)
      .join('\n\n');
    const response = await chatModel.complete({
      model: judgeModel,
      messages: judgeMessages({ context, reference: comparison.reference, answerA, answerB }),
      temperature: 0,
      maxTokens: 5,
    });
    const verdict = parseJudgeVerdict(response.text);
    if (verdict === null) {
      logger.warn(
        { row: comparison.id, reply: response.text.slice(0, 80) },
        'judge reply not understood; counted as a tie',
      );
      return 'tie';
    }
    if (verdict === 'tie') return 'tie';
    return (verdict === 'A') === candidateFirst ? 'candidate' : 'baseline';
  }

  async function score(
    comparisons: Comparison[],
    onProgress: (progress: EvaluationProgress) => void,
  ): Promise<{ rows: EvaluationRow[]; judged: boolean }> {
    progressOf(onProgress, 'scoring', 0, comparisons.length);
    // One embedding call for everything: the reference and both answers of every row.
    const texts = comparisons.flatMap((comparison) => [
      comparison.reference ?? '',
      comparison.candidateAnswer,
      comparison.baselineAnswer,
    ]);
    const vectors = texts.length > 0 ? await embedder.embed(texts) : [];
    progressOf(onProgress, 'scoring', comparisons.length, comparisons.length);
    const chatModel = judgeModel ? dependencies.chatModel() : undefined;
    const rows: EvaluationRow[] = [];
    for (const [index, comparison] of comparisons.entries()) {
      const [referenceVector, candidateVector, baselineVector] = [
        vectors[index * 3],
        vectors[index * 3 + 1],
        vectors[index * 3 + 2],
      ].map((vector) => vector ?? []) as [number[], number[], number[]];
      const sourceCount = sourceCountOfPrompt(comparison.prompt);
      const referenceRefused =
        comparison.reference === null
          ? null
          : (comparison.referenceRefused ?? answerRefuses(comparison.reference, handoff));
      const referenceFor = (vector: number[]) =>
        comparison.reference === null || referenceRefused === null
          ? null
          : {
              refused: referenceRefused,
              similarity: Number(cosineSimilarity(vector, referenceVector).toFixed(4)),
            };
      const candidate = scoreAnswer({
        answer: comparison.candidateAnswer,
        sourceCount,
        handoff,
        reference: referenceFor(candidateVector),
      });
      const baseline = scoreAnswer({
        answer: comparison.baselineAnswer,
        sourceCount: comparison.baselineSourceCount ?? sourceCount,
        handoff,
        reference: referenceFor(baselineVector),
      });
      const judged = chatModel ? await judge(chatModel, comparison) : null;
      if (chatModel) progressOf(onProgress, 'judging', index + 1, comparisons.length);
      rows.push({
        id: comparison.id,
        question: questionFromMessages(comparison.prompt),
        reference: comparison.reference,
        candidateAnswer: comparison.candidateAnswer,
        baselineAnswer: comparison.baselineAnswer,
        candidate,
        baseline,
        agreement: Number(cosineSimilarity(candidateVector, baselineVector).toFixed(4)),
        judge: judged,
        winner: judged ?? compareScores(candidate, baseline),
      });
    }
    return { rows, judged: Boolean(chatModel) };
  }

  function progressOf(
    onProgress: (progress: EvaluationProgress) => void,
    stage: EvaluationProgress['stage'],
    done: number,
    total: number,
  ) {
    onProgress({ stage, done, total });
  }

  async function save(input: {
    kind: 'candidate' | 'shadow';
    candidate: string;
    baseline: string;
    datasetVersion: string | null;
    rows: EvaluationRow[];
    judged: boolean;
  }): Promise<EvaluationResult> {
    const verdicts = input.rows.map((row) => row.winner);
    const wins = {
      candidate: verdicts.filter((verdict) => verdict === 'candidate').length,
      baseline: verdicts.filter((verdict) => verdict === 'baseline').length,
      tie: verdicts.filter((verdict) => verdict === 'tie').length,
    };
    const judgeWins = (side: Verdict) =>
      input.judged ? input.rows.filter((row) => row.judge === side).length : undefined;
    const scores: EvaluationResult['scores'] = {
      [input.candidate]: meanScores(
        input.rows.map((row) => row.candidate),
        judgeWins('candidate'),
      ),
    };
    // Same model on both sides (a shadow of the active model) keeps the baseline's scores apart.
    scores[input.baseline === input.candidate ? `${input.baseline} (shown)` : input.baseline] = meanScores(
      input.rows.map((row) => row.baseline),
      judgeWins('baseline'),
    );
    const result: EvaluationResult = {
      id: `${input.kind === 'shadow' ? 'shadow' : 'eval'}-${randomUUID()}`,
      kind: input.kind,
      candidate: input.candidate,
      baseline: input.baseline,
      winRate: Number(winRate(verdicts).toFixed(4)),
      scores,
      examples: input.rows.length,
      createdAt: clock.now().toISOString(),
      rows: input.rows,
      datasetVersion: input.datasetVersion,
      judgeModel: input.judged ? judgeModel : null,
      wins,
    };
    await store.saveEvaluation(result);
    const model = await store.getModel(input.candidate);
    if (model) {
      const {
        rows: _rows,
        kind: _kind,
        datasetVersion: _version,
        judgeModel: _judge,
        wins: _wins,
        ...summary
      } = result;
      await store.saveModel({ ...model, evaluation: summary });
    }
    logger.info(
      {
        kind: input.kind,
        candidate: input.candidate,
        baseline: input.baseline,
        winRate: result.winRate,
        examples: result.examples,
      },
      'evaluation saved',
    );
    return result;
  }

  return {
    async evaluateCandidate(input) {
      const onProgress = input.onProgress ?? (() => {});
      const record = await store.getModel(input.candidate);
      const reference = input.dataset ?? record?.datasetVersion;
      if (!reference) {
        throw new InputError(
          `${input.candidate} is not a registered candidate with a dataset: name the dataset version to evaluate on with --dataset.`,
        );
      }
      const detail = await datasets.getVersion(reference);
      let examples = detail.version.examples.filter((example) => example.split === 'validation');
      if (input.limit !== undefined) examples = examples.slice(0, Math.max(0, input.limit));
      if (examples.length === 0) {
        throw new AnswerloopError(
          'dataset_invalid',
          `${detail.reference} holds no validation examples to evaluate on: raise curation.validationShare or add examples.`,
        );
      }
      const baseline = input.baseline ?? (await models.activeModel());
      if (baseline === input.candidate) {
        throw new InputError(
          `${input.candidate} is the active model already: name another model to compare with using --baseline.`,
        );
      }
      const chatModel = dependencies.chatModel();
      const comparisons: Comparison[] = [];
      for (const [index, example] of examples.entries()) {
        const prompt = example.messages.slice(0, -1);
        const referenceAnswer = example.messages.at(-1)?.content ?? '';
        // Same prompt, so the same retrieved sources, for both models.
        const candidateAnswer = await answer(chatModel, input.candidate, prompt);
        const baselineAnswer = await answer(chatModel, baseline, prompt);
        comparisons.push({
          id: example.id,
          prompt,
          reference: referenceAnswer,
          candidateAnswer,
          baselineAnswer,
        });
        onProgress({ stage: 'answering', done: index + 1, total: examples.length });
      }
      // Questions of the QA sets beside the held-out examples: refusal where the docs have no answer, citations where
      // they do.
      const probes =
        dependencies.search && config.training.guard.qaLimit > 0
          ? await qaProbes(config, dependencies.search)
          : [];
      for (const [index, probe] of probes.entries()) {
        comparisons.push({
          ...probe,
          candidateAnswer: await answer(chatModel, input.candidate, probe.prompt),
          baselineAnswer: await answer(chatModel, baseline, probe.prompt),
        });
        onProgress({
          stage: 'answering',
          done: examples.length + index + 1,
          total: examples.length + probes.length,
        });
      }
      const { rows, judged } = await score(comparisons, onProgress);
      return save({
        kind: 'candidate',
        candidate: input.candidate,
        baseline,
        datasetVersion: detail.reference,
        rows,
        judged,
      });
    },

    async evaluateShadow(input) {
      const onProgress = input.onProgress ?? (() => {});
      const limit = input.limit ?? 200;
      const picked: ConversationRecord[] = [];
      for (let offset = 0; picked.length < limit; offset += 200) {
        const { items } = await store.listConversations({
          order: 'newest',
          since: input.since,
          offset,
          limit: 200,
        });
        for (const conversation of items) {
          if (
            conversation.shadow?.model === input.model &&
            conversation.shadow.answer.trim() &&
            picked.length < limit
          )
            picked.push(conversation);
        }
        if (items.length < 200) break;
      }
      if (picked.length === 0) {
        throw new InputError(
          `No stored shadow answers from ${input.model}: set training.shadowModel to it and training.shadowShare above 0, then let the bots answer for a while.`,
        );
      }
      const comparisons = picked.map((conversation): Comparison => {
        // The team's answer when there is one: a correction, or the shown answer once approved or marked helpful.
        const shownIsGood =
          conversation.reviewStatus === 'approved' || conversation.feedback?.helpful === true;
        const reference = conversation.correctedAnswer ?? (shownIsGood ? conversation.answer : null);
        return {
          id: conversation.id,
          prompt:
            conversation.promptMessages.length > 0
              ? conversation.promptMessages
              : [{ role: 'user', content: conversation.standaloneQuestion || conversation.question }],
          reference,
          referenceRefused:
            conversation.correctedAnswer === null && shownIsGood ? conversation.refused : undefined,
          candidateAnswer: conversation.shadow?.answer ?? '',
          baselineAnswer: conversation.answer,
        };
      });
      const { rows, judged } = await score(comparisons, onProgress);
      const shownModels = new Map<string, number>();
      for (const conversation of picked)
        shownModels.set(conversation.model, (shownModels.get(conversation.model) ?? 0) + 1);
      const baseline =
        [...shownModels.entries()].sort((left, right) => right[1] - left[1])[0]?.[0] ?? 'shown';
      return save({ kind: 'shadow', candidate: input.model, baseline, datasetVersion: null, rows, judged });
    },
  };
}
