import { Box, Text } from 'ink';
import { useEffect, useRef } from 'react';
import { ConfirmationPanel } from '../../components/confirmation-panel.tsx';
import { StatusLine } from '../../components/status-line.tsx';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { cursorAfterKey } from '../../state/list-cursor.ts';
import { chosenReference, isInFlight, selectedJob } from '../../state/training.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { JobDetail } from './components/job-detail.tsx';
import { JobList } from './components/job-list.tsx';
import { NewJobPanel } from './components/new-job-panel.tsx';
import { scheduleLine } from './components/schedule-line.ts';
import { useTraining } from './hooks/use-training.ts';

const {
  trainingBrowsing: browseKeys,
  trainingForm: formKeys,
  trainingCancel: confirmKeys,
  trainingBaseModel: typingKeys,
} = screenKeyMaps;

/** Fine-tuning: start a job after seeing its cost, then follow it live: status, step, losses, events; cancel. */
export function TrainingScreen() {
  const { core, size, intent, setBusy } = useScreenFrame();
  const { state, dispatch, task, notice, schedule, error, startProgress, openForm, start, cancel, refresh } =
    useTraining(core);
  const listWidth = Math.min(30, Math.floor(size.columns * 0.36));
  const detailWidth = size.columns - listWidth - 1;
  const scheduleText = scheduleLine(schedule);
  const bodyHeight = size.rows - 1 - (scheduleText ? 1 : 0);
  const job = selectedJob(state);
  const editingModel = state.form?.editingBaseModel ?? false;

  // "Train on this version" from the Datasets screen opens the form on that version.
  const handledIntent = useRef(0);
  useEffect(() => {
    if (intent?.kind === 'trainOnVersion' && intent.sequence !== handledIntent.current) {
      handledIntent.current = intent.sequence;
      void openForm(intent.datasetReference);
    }
  }, [intent, openForm]);

  const inFlight = state.jobs.some(isInFlight) || task.running !== null;
  useEffect(() => {
    setBusy(inFlight);
  }, [inFlight, setBusy]);

  useScreenKeys({
    keyMap: editingModel ? typingKeys : state.form ? formKeys : state.cancelling ? confirmKeys : browseKeys,
    onKey: (input, key) => {
      if (editingModel) {
        if (firstMatch(typingKeys.commands, input, key) === Command.Back)
          dispatch({ type: 'editBaseModel', editing: false });
        return;
      }
      if (state.form) {
        switch (firstMatch(formKeys.commands, input, key)) {
          case Command.Confirm: {
            const reference = chosenReference(state.form);
            if (reference && state.form.estimate?.valid !== false && !task.running) {
              dispatch({ type: 'closeForm' });
              void start(reference, state.form.baseModel.trim() || core.config.training.baseModel);
            }
            return;
          }
          case Command.Deny:
            dispatch({ type: 'closeForm' });
            return;
          case Command.Left:
            dispatch({ type: 'chooseVersion', by: -1 });
            return;
          case Command.Right:
            dispatch({ type: 'chooseVersion', by: 1 });
            return;
          case Command.EditBaseModel:
            dispatch({ type: 'editBaseModel', editing: true });
            return;
        }
        return;
      }
      if (state.cancelling) {
        const command = firstMatch(confirmKeys.commands, input, key);
        if (command === Command.Confirm) void cancel(state.cancelling);
        if (command) dispatch({ type: 'closeCancel' });
        return;
      }
      const cursor = cursorAfterKey(state.cursor, state.jobs.length, bodyHeight - 1, input, key);
      if (cursor !== undefined) {
        dispatch({ type: 'move', cursor });
        return;
      }
      switch (firstMatch(browseKeys.commands, input, key)) {
        case Command.NewJob:
          void openForm();
          return;
        case Command.CancelJob:
          if (job && isInFlight(job)) dispatch({ type: 'askCancel', jobId: job.id });
          return;
        case Command.Refresh:
          void refresh();
          return;
      }
    },
  });

  const busyLabel = startProgress ? startProgress.message : task.running;
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Box height={bodyHeight} overflow="hidden">
        <JobList jobs={state.jobs} cursor={state.cursor} height={bodyHeight} width={listWidth} />
        <Box width={1} />
        <Box flexDirection="column" width={detailWidth}>
          {state.form ? (
            <NewJobPanel
              form={state.form}
              width={detailWidth}
              onBaseModelChange={(value) => dispatch({ type: 'baseModel', value })}
              onBaseModelDone={() => dispatch({ type: 'editBaseModel', editing: false })}
            />
          ) : state.cancelling ? (
            <ConfirmationPanel
              title={`Cancel job ${state.cancelling}?`}
              facts={[
                ['Job', state.cancelling],
                ['Dataset', job?.datasetVersion ?? '—'],
                ['Note', 'Tokens trained so far are still billed.'],
              ]}
              width={detailWidth}
            />
          ) : job ? (
            <JobDetail job={job} height={bodyHeight} width={detailWidth} />
          ) : null}
        </Box>
      </Box>
      {scheduleText ? (
        <Text
          dimColor={schedule?.guard?.last?.decision !== 'rolled_back'}
          color={schedule?.guard?.last?.decision === 'rolled_back' ? 'yellow' : undefined}
          wrap="truncate"
        >
          {scheduleText}
        </Text>
      ) : null}
      <StatusLine busy={busyLabel} error={error} notice={notice} width={size.columns} />
    </Box>
  );
}
