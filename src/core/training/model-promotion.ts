import type { Config } from '../config/index.ts';
import { AnswerloopError } from '../errors/index.ts';
import type { Clock, EvaluationSummary, Logger, ModelRecord, ModelRegistry } from '../ports/index.ts';
import type { ModelListing, PromoteInput, PromotionResult, RollbackResult } from './types.ts';

/** The store ports promotion uses: the registry's models and their evaluations. */
export type ModelPromotionStore = Pick<
  ModelRegistry,
  'getModel' | 'saveModel' | 'listModels' | 'listEvaluations'
>;

export interface ModelPromotionDependencies {
  config: Config;
  store: ModelPromotionStore;
  logger: Logger;
  clock: Clock;
}

export interface ModelPromotion {
  /** The model answers come from: the promoted fine-tuned model, else the configured base model. */
  activeModel(): Promise<string>;
  listModels(): Promise<ModelListing>;
  getModel(name: string): Promise<ModelRecord>;
  /** Makes the model active; the one active before is retired and remembered for rollback. */
  promote(input: PromoteInput): Promise<PromotionResult>;
  /** Re-activates the model that was active before the current one (the base model when there was none). */
  rollback(input?: { by?: string }): Promise<RollbackResult>;
  /** The newest evaluation of a model, of either kind. */
  latestEvaluation(name: string): Promise<EvaluationSummary | null>;
}

/**
 * Running bots ask for the active model on every question; reading the store each time is cheap but not free,
 * so the answer is kept this long. A promotion in another process is seen within this time.
 */
export const activeModelCacheMs = 2000;

export function createModelPromotion(dependencies: ModelPromotionDependencies): ModelPromotion {
  const { config, store, logger, clock } = dependencies;
  let cached: { name: string; at: number } | undefined;
  const now = () => clock.now();

  const activeRecords = async () => (await store.listModels()).filter((model) => model.status === 'active');

  async function activeModel(): Promise<string> {
    const time = now().getTime();
    if (cached && time - cached.at < activeModelCacheMs && time >= cached.at) return cached.name;
    const active = (await activeRecords()).sort((left, right) =>
      (right.promotedAt ?? '').localeCompare(left.promotedAt ?? ''),
    )[0];
    cached = { name: active?.name ?? config.openai.chatModel, at: time };
    return cached.name;
  }

  async function getModel(name: string): Promise<ModelRecord> {
    const model = await store.getModel(name);
    if (!model) {
      const known = (await store.listModels()).map((record) => record.name);
      throw new AnswerloopError(
        'not_found',
        `No model ${name} in the registry${known.length ? `; known: ${known.join(', ')}` : ''}.`,
      );
    }
    return model;
  }

  async function latestEvaluation(name: string): Promise<EvaluationSummary | null> {
    const evaluations = await store.listEvaluations(name);
    const newest = [...evaluations].sort((left, right) => right.createdAt.localeCompare(left.createdAt))[0];
    const recorded = (await store.getModel(name))?.evaluation ?? null;
    if (!newest) return recorded;
    if (!recorded) return newest;
    return recorded.createdAt > newest.createdAt ? recorded : newest;
  }

  return {
    activeModel,
    getModel,
    latestEvaluation,

    async listModels() {
      const models = (await store.listModels()).sort((left, right) =>
        right.createdAt.localeCompare(left.createdAt),
      );
      const active = models.find((model) => model.status === 'active')?.name ?? config.openai.chatModel;
      return { models, active, baseModel: config.openai.chatModel };
    },

    async promote(input) {
      const model = await getModel(input.model);
      if (model.status === 'active')
        return { active: model, previous: model.previousActive, changed: false, warnings: [] };
      if (model.status === 'failed')
        throw new AnswerloopError('conflict', `${model.name} is marked failed and cannot be promoted.`);
      const warnings: string[] = [];
      const evaluation = await latestEvaluation(model.name);
      if (!evaluation) {
        warnings.push(
          `${model.name} has not been evaluated: run \`answerloop eval --candidate ${model.name}\` to compare it with the active model`,
        );
      } else if (evaluation.winRate < 0.5) {
        const message =
          `${model.name} lost its latest evaluation: win rate ${(evaluation.winRate * 100).toFixed(0)}% ` +
          `against ${evaluation.baseline} on ${evaluation.examples} examples`;
        if (!input.force)
          throw new AnswerloopError('conflict', `${message}. Promote it anyway with --force.`, {
            details: { evaluation: evaluation.id },
          });
        warnings.push(`${message}; promoted with --force`);
      }
      const timestamp = now().toISOString();
      const previous = await activeRecords();
      for (const record of previous) await store.saveModel({ ...record, status: 'retired' });
      const promoted: ModelRecord = {
        ...model,
        status: 'active',
        promotedAt: timestamp,
        previousActive: previous[0]?.name ?? null,
      };
      await store.saveModel(promoted);
      cached = undefined;
      logger.info(
        { model: model.name, previous: promoted.previousActive, by: input.by, forced: Boolean(input.force) },
        'model promoted',
      );
      return { active: promoted, previous: promoted.previousActive, changed: true, warnings };
    },

    async rollback(input = {}) {
      const [current] = await activeRecords();
      if (!current) {
        throw new AnswerloopError(
          'conflict',
          `No promoted model is active: answers already come from the base model ${config.openai.chatModel}.`,
        );
      }
      const target = current.previousActive ? await store.getModel(current.previousActive) : undefined;
      await store.saveModel({ ...current, status: 'retired' });
      if (target) {
        // The target keeps its own previousActive, so rolling back again goes one step further back.
        await store.saveModel({ ...target, status: 'active', promotedAt: now().toISOString() });
      }
      cached = undefined;
      const to = target?.name ?? config.openai.chatModel;
      logger.info({ from: current.name, to, by: input.by }, 'model rolled back');
      return { from: current.name, to };
    },
  };
}
