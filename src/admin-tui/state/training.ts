import type { TrainingJobRecord, TrainingJobStatus } from '../../core/index.ts';

export const finishedStatuses: readonly TrainingJobStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isInFlight(job: Pick<TrainingJobRecord, 'status'>): boolean {
  return !finishedStatuses.includes(job.status);
}

/** What starting a job on a dataset version costs and whether it can start. */
export interface TrainingEstimate {
  reference: string;
  trainExamples: number;
  validationExamples: number;
  valid: boolean;
  problems: string[];
  billedTokens: number;
  epochs: number;
  cost: number;
  pricePerMillionTokens: number;
}

export interface NewJobForm {
  /** Dataset versions to choose from, newest first. */
  references: string[];
  choice: number;
  baseModel: string;
  editingBaseModel: boolean;
  estimate: TrainingEstimate | null;
}

export interface TrainingState {
  jobs: TrainingJobRecord[];
  cursor: number;
  form: NewJobForm | null;
  /** The job the operator asked to cancel, awaiting y or n. */
  cancelling: string | null;
}

export type TrainingAction =
  | { type: 'jobsLoaded'; jobs: TrainingJobRecord[]; select?: string }
  | { type: 'jobUpdated'; job: TrainingJobRecord }
  | { type: 'move'; cursor: number }
  | { type: 'openForm'; references: string[]; preferred?: string; baseModel: string }
  | { type: 'chooseVersion'; by: number }
  | { type: 'estimate'; estimate: TrainingEstimate }
  | { type: 'editBaseModel'; editing: boolean }
  | { type: 'baseModel'; value: string }
  | { type: 'closeForm' }
  | { type: 'askCancel'; jobId: string }
  | { type: 'closeCancel' };

export const initialTraining: TrainingState = { jobs: [], cursor: 0, form: null, cancelling: null };

export function selectedJob(state: TrainingState): TrainingJobRecord | undefined {
  return state.jobs[state.cursor];
}

export function chosenReference(form: NewJobForm): string | undefined {
  return form.references[form.choice];
}

export function trainingReducer(state: TrainingState, action: TrainingAction): TrainingState {
  switch (action.type) {
    case 'jobsLoaded': {
      const keep = action.select ?? selectedJob(state)?.id;
      const index = action.jobs.findIndex((job) => job.id === keep);
      return {
        ...state,
        jobs: action.jobs,
        cursor: index >= 0 ? index : Math.min(state.cursor, Math.max(0, action.jobs.length - 1)),
      };
    }
    case 'jobUpdated': {
      const known = state.jobs.some((job) => job.id === action.job.id);
      return {
        ...state,
        jobs: known
          ? state.jobs.map((job) => (job.id === action.job.id ? action.job : job))
          : [action.job, ...state.jobs],
      };
    }
    case 'move':
      return { ...state, cursor: action.cursor };
    case 'openForm': {
      const preferred = action.preferred ? action.references.indexOf(action.preferred) : -1;
      const references =
        preferred < 0 && action.preferred ? [action.preferred, ...action.references] : action.references;
      return {
        ...state,
        cancelling: null,
        form: {
          references,
          choice: Math.max(0, references.indexOf(action.preferred ?? '')),
          baseModel: action.baseModel,
          editingBaseModel: false,
          estimate: null,
        },
      };
    }
    case 'chooseVersion': {
      if (!state.form || state.form.references.length === 0) return state;
      const choice = Math.max(0, Math.min(state.form.references.length - 1, state.form.choice + action.by));
      return choice === state.form.choice
        ? state
        : { ...state, form: { ...state.form, choice, estimate: null } };
    }
    case 'estimate':
      // Estimates arrive late; keep only the one for the version still chosen.
      if (!state.form || chosenReference(state.form) !== action.estimate.reference) return state;
      return { ...state, form: { ...state.form, estimate: action.estimate } };
    case 'editBaseModel':
      return state.form ? { ...state, form: { ...state.form, editingBaseModel: action.editing } } : state;
    case 'baseModel':
      return state.form ? { ...state, form: { ...state.form, baseModel: action.value } } : state;
    case 'closeForm':
      return { ...state, form: null };
    case 'askCancel':
      return { ...state, cancelling: action.jobId, form: null };
    case 'closeCancel':
      return { ...state, cancelling: null };
  }
}
