import type { EvaluationSummary, ModelRecord } from '../../core/index.ts';

export interface ModelsState {
  models: ModelRecord[];
  /** The model answers come from now (the base model when no fine-tuned model is active). */
  active: string;
  baseModel: string;
  /** Latest evaluation per model name. */
  evaluations: Record<string, EvaluationSummary | null>;
  cursor: number;
  confirming: { kind: 'promote'; model: string } | { kind: 'rollback'; from: string; to: string } | null;
}

export type ModelsAction =
  | {
      type: 'loaded';
      models: ModelRecord[];
      active: string;
      baseModel: string;
      evaluations: Record<string, EvaluationSummary | null>;
      select?: string;
    }
  | { type: 'move'; cursor: number }
  | { type: 'confirmPromote'; model: string }
  | { type: 'confirmRollback'; from: string; to: string }
  | { type: 'closeConfirm' };

export const initialModels: ModelsState = {
  models: [],
  active: '',
  baseModel: '',
  evaluations: {},
  cursor: 0,
  confirming: null,
};

export function selectedModel(state: ModelsState): ModelRecord | undefined {
  return state.models[state.cursor];
}

/** Why promoting needs a second thought, or null: not evaluated, or lost its latest evaluation. */
export function promotionCaution(
  evaluation: EvaluationSummary | null | undefined,
): { message: string; force: boolean } | null {
  if (!evaluation)
    return { message: 'Not evaluated yet: press e first to compare it with the active model.', force: false };
  if (evaluation.winRate < 0.5) {
    return {
      message: `It lost its latest evaluation (win rate ${Math.round(evaluation.winRate * 100)} % against ${evaluation.baseline}): y promotes it anyway.`,
      force: true,
    };
  }
  return null;
}

export function modelsReducer(state: ModelsState, action: ModelsAction): ModelsState {
  switch (action.type) {
    case 'loaded': {
      const keep = action.select ?? selectedModel(state)?.name;
      const index = action.models.findIndex((model) => model.name === keep);
      return {
        ...state,
        models: action.models,
        active: action.active,
        baseModel: action.baseModel,
        evaluations: action.evaluations,
        cursor: index >= 0 ? index : Math.min(state.cursor, Math.max(0, action.models.length - 1)),
      };
    }
    case 'move':
      return { ...state, cursor: action.cursor };
    case 'confirmPromote':
      return { ...state, confirming: { kind: 'promote', model: action.model } };
    case 'confirmRollback':
      return { ...state, confirming: { kind: 'rollback', from: action.from, to: action.to } };
    case 'closeConfirm':
      return { ...state, confirming: null };
  }
}
