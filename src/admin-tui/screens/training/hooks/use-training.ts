import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { Core, StartTrainingProgress, TrainingScheduleStatus } from '../../../../core/index.ts';
import { describeError } from '../../../format/figures.ts';
import { useTask } from '../../../hooks/use-task.ts';
import {
  chosenReference,
  initialTraining,
  isInFlight,
  type TrainingEstimate,
  trainingReducer,
} from '../../../state/training.ts';

/** Versions offered per dataset in the new-job form, newest first. */
const versionsOffered = 5;

/**
 * Fine-tuning jobs through core.training: the list, a watcher per job in flight (it keeps polling while other
 * screens are shown), starting a job after the estimate, and cancelling one.
 */
export function useTraining(core: Core) {
  const [state, dispatch] = useReducer(trainingReducer, initialTraining);
  const [notice, setNotice] = useState<string | null>(null);
  const [startProgress, setStartProgress] = useState<StartTrainingProgress | null>(null);
  const [watchError, setWatchError] = useState<string | null>(null);
  const [schedule, setSchedule] = useState<TrainingScheduleStatus | null>(null);
  /** Bumped by a refresh, so a watcher that stopped on an error starts again. */
  const [watchRound, setWatchRound] = useState(0);
  const task = useTask<void>();
  const mounted = useRef(true);
  const watchers = useRef(new Map<string, AbortController>());

  useEffect(() => {
    mounted.current = true;
    const running = watchers.current;
    return () => {
      mounted.current = false;
      for (const controller of running.values()) controller.abort();
      running.clear();
    };
  }, []);

  const loadJobs = useCallback(
    async (select?: string) => {
      const jobs = await core.training.listJobs();
      if (mounted.current) dispatch({ type: 'jobsLoaded', jobs, select });
      // What the schedule of `answerloop start` last did, on whichever replica ran it.
      const status = await core.trainingSchedule.status().catch(() => null);
      if (mounted.current) setSchedule(status);
    },
    [core],
  );

  const { run } = task;
  useEffect(() => {
    void run('Reading the training jobs…', () => loadJobs());
  }, [run, loadJobs]);

  // One watcher per job in flight; watchJob resumes from the stored events, so nothing is shown twice.
  const inFlight = state.jobs
    .filter(isInFlight)
    .map((job) => job.id)
    .join(' ');
  useEffect(() => {
    for (const jobId of inFlight.split(' ').filter(Boolean)) {
      if (watchers.current.has(jobId)) continue;
      const controller = new AbortController();
      watchers.current.set(jobId, controller);
      core.training
        .watchJob(jobId, {
          intervalMs: core.config.training.pollSeconds * 1000,
          signal: controller.signal,
          onUpdate: (update) => {
            if (!mounted.current) return;
            dispatch({ type: 'jobUpdated', job: update.job });
            if (update.candidate)
              setNotice(
                `${update.candidate.name} is registered as a candidate: press 5 (Models) to evaluate and promote it.`,
              );
          },
        })
        .catch((error: unknown) => {
          if (mounted.current && !controller.signal.aborted)
            setWatchError(`Watching ${jobId} stopped: ${describeError(error)} (r retries)`);
        })
        .finally(() => {
          watchers.current.delete(jobId);
        });
    }
  }, [core, inFlight, watchRound]);

  const estimate = useCallback(
    async (reference: string) => {
      try {
        const detail = await core.datasets.getVersion(reference);
        const validation = detail.report?.validation ?? (await core.datasets.validateVersion(reference));
        const result: TrainingEstimate = {
          reference: detail.reference,
          trainExamples: detail.trainExamples,
          validationExamples: detail.validationExamples,
          valid: validation.valid,
          problems: validation.errors.map((issue) => issue.message),
          billedTokens: validation.estimate.billedTokens,
          epochs: validation.estimate.epochs,
          cost: validation.estimate.cost,
          pricePerMillionTokens: validation.estimate.pricePerMillionTokens,
        };
        if (mounted.current) dispatch({ type: 'estimate', estimate: { ...result, reference } });
      } catch (error) {
        if (mounted.current) setWatchError(describeError(error));
      }
    },
    [core],
  );

  const reference = state.form ? chosenReference(state.form) : undefined;
  useEffect(() => {
    if (reference) void estimate(reference);
  }, [reference, estimate]);

  const openForm = useCallback(
    async (preferred?: string) => {
      setWatchError(null);
      const references: string[] = [];
      for (const dataset of await core.datasets.listDatasets()) {
        for (
          let version = dataset.latestVersion ?? 0;
          version >= 1 && references.length < versionsOffered * 4;
          version -= 1
        ) {
          if ((dataset.latestVersion ?? 0) - version >= versionsOffered) break;
          references.push(`${dataset.name}@${version}`);
        }
      }
      if (references.length === 0 && !preferred) {
        setWatchError('No dataset version to train on: snapshot one on the Datasets screen (3) first.');
        return;
      }
      if (mounted.current)
        dispatch({ type: 'openForm', references, preferred, baseModel: core.config.training.baseModel });
    },
    [core],
  );

  const start = useCallback(
    (dataset: string, baseModel: string) =>
      run(`Starting fine-tuning on ${dataset}…`, async () => {
        setNotice(null);
        const job = await core.training.startTraining({
          dataset,
          baseModel,
          onProgress: (progress) => mounted.current && setStartProgress(progress),
        });
        if (mounted.current)
          setNotice(`Job ${job.id} created on ${job.baseModel}: its progress shows here as it arrives.`);
        await loadJobs(job.id);
      }).finally(() => mounted.current && setStartProgress(null)),
    [run, core, loadJobs],
  );

  const cancel = useCallback(
    (jobId: string) =>
      run(`Cancelling ${jobId}…`, async () => {
        const job = await core.training.cancelJob(jobId);
        if (!mounted.current) return;
        dispatch({ type: 'jobUpdated', job });
        setNotice(`Job ${jobId} is ${job.status}.`);
      }),
    [run, core],
  );

  const refresh = useCallback(() => {
    setWatchError(null);
    setWatchRound((round) => round + 1);
    return run('Reading the training jobs…', () => loadJobs());
  }, [run, loadJobs]);

  return {
    state,
    dispatch,
    task,
    notice,
    schedule,
    error: task.error ?? watchError,
    startProgress,
    openForm,
    start,
    cancel,
    refresh,
  };
}
