/**
 * A promoted model that cannot get worse unnoticed. Before promotion, a candidate must be no worse than the
 * active model on any measure its evaluation has (the judge's win rate, refusal accuracy, citation validity);
 * after promotion, its live not-helpful and refusal rates are compared with the previous model's over the same
 * length of time before the promotion, and beyond `training.guard`'s bands the promotion is rolled back.
 */
import type { Config } from '../config/index.ts';
import { toAnswerloopError } from '../errors/index.ts';
import type {
  ConversationRecord,
  ConversationStore,
  EvaluationSummary,
  KeyValueStore,
  Logger,
  Metrics,
  ModelRegistry,
} from '../ports/index.ts';
import type { TrainingService } from './index.ts';

/** Whether a candidate is no worse than its baseline on every measure the evaluation scored. */
export interface EvaluationGate {
  passed: boolean;
  /** Measures where the candidate scored below the baseline, with both scores. */
  worseOn: Array<{
    measure: 'winRate' | 'refusalAccuracy' | 'citationValidity';
    candidate: number;
    baseline: number;
  }>;
}

export function evaluationGate(
  evaluation: Pick<EvaluationSummary, 'candidate' | 'baseline' | 'winRate' | 'scores'>,
): EvaluationGate {
  const worseOn: EvaluationGate['worseOn'] = [];
  if (evaluation.winRate <= 0.5)
    worseOn.push({ measure: 'winRate', candidate: evaluation.winRate, baseline: 0.5 });
  const candidate = evaluation.scores[evaluation.candidate];
  const baseline = evaluation.scores[evaluation.baseline];
  if (candidate && baseline)
    for (const measure of ['refusalAccuracy', 'citationValidity'] as const)
      if (candidate[measure] < baseline[measure])
        worseOn.push({ measure, candidate: candidate[measure], baseline: baseline[measure] });
  return { passed: worseOn.length === 0, worseOn };
}

/** Live rates of one model over one stretch of time. */
export interface LiveRates {
  model: string;
  since: string;
  until: string;
  questions: number;
  notHelpful: number;
  refused: number;
  notHelpfulRate: number | null;
  refusalRate: number | null;
}

/** What the guard decided about the active model's promotion. */
export interface GuardRecord {
  at: string;
  model: string;
  promotedAt: string;
  previous: string;
  decision: 'watching' | 'kept' | 'rolled_back' | 'not_enough_answers';
  reason: string;
  before: LiveRates | null;
  after: LiveRates | null;
}

export interface PromotionGuard {
  /** Judges the active model's promotion once; records and returns what it decided (null: nothing to watch). */
  check(): Promise<GuardRecord | null>;
  /** The newest decision, and every rollback the guard made (newest first). */
  status(): Promise<{ last: GuardRecord | null; rollbacks: GuardRecord[] }>;
}

const namespace = 'promotion-guard';
export const guardAuthor = 'guard';

function ratesOf(model: string, since: string, until: string, records: ConversationRecord[]): LiveRates {
  const mine = records.filter((record) => record.model === model && record.route !== 'help');
  const notHelpful = mine.filter((record) => record.feedback?.helpful === false).length;
  const refused = mine.filter((record) => record.refused).length;
  return {
    model,
    since,
    until,
    questions: mine.length,
    notHelpful,
    refused,
    notHelpfulRate: mine.length > 0 ? notHelpful / mine.length : null,
    refusalRate: mine.length > 0 ? refused / mine.length : null,
  };
}

/** The store ports the guard uses: the conversations since a promotion, the active model, its own records. */
export type PromotionGuardStore = Pick<ConversationStore, 'listConversations'> &
  Pick<ModelRegistry, 'listModels'> &
  Pick<KeyValueStore, 'getValue' | 'setValue' | 'listValues'>;

export function createPromotionGuard(dependencies: {
  config: Config;
  store: PromotionGuardStore;
  training: Pick<TrainingService, 'rollback'>;
  clock: { now(): Date };
  logger: Logger;
  metrics: Metrics;
}): PromotionGuard {
  const { config, store, training, logger, metrics } = dependencies;
  const settings = config.training.guard;

  const conversations = async (since: string, until: string) => {
    const records: ConversationRecord[] = [];
    for (let offset = 0; ; offset += 1000) {
      const { items } = await store.listConversations({ since, until, order: 'oldest', offset, limit: 1000 });
      records.push(...items);
      if (items.length < 1000) return records;
    }
  };

  const save = async (record: GuardRecord) => {
    const json = JSON.stringify(record);
    await store.setValue(namespace, 'last', json);
    if (record.decision !== 'watching')
      await store.setValue(namespace, `judged:${record.model}@${record.promotedAt}`, json);
    if (record.decision === 'rolled_back')
      await store.setValue(namespace, `rollback:${record.promotedAt}:${record.model}`, json);
    return record;
  };

  return {
    async check() {
      if (!settings.enabled) return null;
      const active = (await store.listModels())
        .filter((model) => model.status === 'active' && model.promotedAt)
        .sort((left, right) => (right.promotedAt ?? '').localeCompare(left.promotedAt ?? ''))[0];
      if (!active?.promotedAt) return null;
      if (await store.getValue(namespace, `judged:${active.name}@${active.promotedAt}`)) return null;
      const windowMs = settings.windowHours * 3_600_000;
      const promotedAt = Date.parse(active.promotedAt);
      const now = dependencies.clock.now().getTime();
      const previous = active.previousActive ?? config.openai.chatModel;
      const beforeSince = new Date(promotedAt - windowMs).toISOString();
      const afterUntil = new Date(Math.min(now, promotedAt + windowMs)).toISOString();
      const [beforeRecords, afterRecords] = await Promise.all([
        conversations(beforeSince, active.promotedAt),
        conversations(active.promotedAt, afterUntil),
      ]);
      const before = ratesOf(previous, beforeSince, active.promotedAt, beforeRecords);
      const after = ratesOf(active.name, active.promotedAt, afterUntil, afterRecords);
      const base = {
        at: new Date(now).toISOString(),
        model: active.name,
        promotedAt: active.promotedAt,
        previous,
        before,
        after,
      };
      const windowOver = now >= promotedAt + windowMs;

      if (before.questions < settings.minQuestions)
        return save({
          ...base,
          decision: 'not_enough_answers',
          reason: `${previous} gave ${before.questions} answers in the ${settings.windowHours} h before the promotion (training.guard.minQuestions: ${settings.minQuestions}): nothing to compare with`,
        });
      if (after.questions < settings.minQuestions)
        return save({
          ...base,
          decision: windowOver ? 'not_enough_answers' : 'watching',
          reason: `${after.questions} of ${settings.minQuestions} answers from ${active.name} so far`,
        });

      const rises: string[] = [];
      const reasons: Array<'not_helpful' | 'refusal'> = [];
      const notHelpfulRise = (after.notHelpfulRate ?? 0) - (before.notHelpfulRate ?? 0);
      const refusalRise = (after.refusalRate ?? 0) - (before.refusalRate ?? 0);
      const percent = (value: number | null) => `${((value ?? 0) * 100).toFixed(1)}%`;
      if (notHelpfulRise > settings.notHelpfulBand) {
        rises.push(
          `not helpful ${percent(before.notHelpfulRate)} → ${percent(after.notHelpfulRate)} (band ${percent(settings.notHelpfulBand)})`,
        );
        reasons.push('not_helpful');
      }
      if (refusalRise > settings.refusalBand) {
        rises.push(
          `refused ${percent(before.refusalRate)} → ${percent(after.refusalRate)} (band ${percent(settings.refusalBand)})`,
        );
        reasons.push('refusal');
      }
      if (rises.length === 0)
        return save({
          ...base,
          decision: windowOver ? 'kept' : 'watching',
          reason: `within the bands: not helpful ${percent(before.notHelpfulRate)} → ${percent(after.notHelpfulRate)}, refused ${percent(before.refusalRate)} → ${percent(after.refusalRate)}`,
        });

      try {
        const rolled = await training.rollback({ by: guardAuthor });
        for (const reason of reasons) metrics.increment('model_rollbacks_total', { reason });
        const reason = `rolled back to ${rolled.to}: ${rises.join('; ')} over ${after.questions} answers`;
        logger.warn(
          { model: active.name, to: rolled.to, before, after },
          `training.guard: ${active.name} ${reason}`,
        );
        return save({ ...base, decision: 'rolled_back', reason });
      } catch (cause) {
        const message = toAnswerloopError(cause).message;
        logger.error(
          { model: active.name, error: message },
          `training.guard could not roll back ${active.name}: ${message}`,
        );
        throw cause;
      }
    },

    async status() {
      const parse = (raw: string | undefined) => (raw ? (JSON.parse(raw) as GuardRecord) : null);
      const last = parse(await store.getValue(namespace, 'last'));
      const records = (await store.listValues(namespace))
        .filter((entry) => entry.key.startsWith('rollback:'))
        .reverse()
        .map((entry) => parse(entry.value));
      return { last, rollbacks: records.filter((record): record is GuardRecord => record !== null) };
    },
  };
}
