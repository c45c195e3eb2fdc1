import { Box, Text } from 'ink';
import { useEffect } from 'react';
import { ConfirmationPanel } from '../../components/confirmation-panel.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { StatusLine } from '../../components/status-line.tsx';
import { shortModelName } from '../../format/figures.ts';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { cursorAfterKey } from '../../state/list-cursor.ts';
import { promotionCaution, selectedModel } from '../../state/models.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { EvaluationTable } from './components/evaluation-table.tsx';
import { ModelList } from './components/model-list.tsx';
import { useModels } from './hooks/use-models.ts';

const { modelsBrowsing: browseKeys, modelsConfirm: confirmKeys } = screenKeyMaps;

/** The model registry: evaluations side by side, promote and roll back after a confirmation. */
export function ModelsScreen() {
  const { core, reviewer, size, visible, setBusy } = useScreenFrame();
  const { state, dispatch, task, progress, lastEvaluation, notice, evaluate, promote, rollback, refresh } = useModels(core, reviewer, visible);
  const listWidth = Math.min(30, Math.floor(size.columns * 0.36));
  const detailWidth = size.columns - listWidth - 1;
  const bodyHeight = size.rows - 3;
  const model = selectedModel(state);

  useEffect(() => {
    setBusy(task.running !== null);
  }, [task.running, setBusy]);

  useScreenKeys({
    keyMap: state.confirming ? confirmKeys : browseKeys,
    onKey: (input, key) => {
      if (state.confirming) {
        const command = firstMatch(confirmKeys.commands, input, key);
        if (command === Command.Confirm) {
          if (state.confirming.kind === 'promote') void promote(state.confirming.model);
          else void rollback();
        }
        if (command) dispatch({ type: 'closeConfirm' });
        return;
      }
      if (task.running) return;
      const cursor = cursorAfterKey(state.cursor, state.models.length, bodyHeight - 1, input, key);
      if (cursor !== undefined) {
        dispatch({ type: 'move', cursor });
        return;
      }
      switch (firstMatch(browseKeys.commands, input, key)) {
        case Command.Evaluate:
          if (model) void evaluate(model.name);
          return;
        case Command.Promote:
          if (model && model.status !== 'active') dispatch({ type: 'confirmPromote', model: model.name });
          return;
        case Command.Rollback: {
          const current = state.models.find((candidate) => candidate.name === state.active);
          if (current) dispatch({ type: 'confirmRollback', from: current.name, to: current.previousActive ?? state.baseModel });
          return;
        }
        case Command.Refresh:
          void refresh();
          return;
      }
    },
  });

  const caution = state.confirming?.kind === 'promote' ? promotionCaution(state.evaluations[state.confirming.model]) : null;
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Text wrap="truncate-end">
        <Text dimColor>answering now: </Text>
        <Text bold color="green">{state.active || '…'}</Text>
        {state.active && state.active === state.baseModel ? <Text dimColor> (the configured base model)</Text> : null}
      </Text>
      <Box height={bodyHeight} overflow="hidden">
        <ModelList models={state.models} evaluations={state.evaluations} cursor={state.cursor} height={bodyHeight} width={listWidth} />
        <Box width={1} />
        <Box flexDirection="column" width={detailWidth}>
          {state.confirming?.kind === 'promote' ? (
            <ConfirmationPanel
              title={`Promote ${shortModelName(state.confirming.model)}?`}
              facts={[
                ['Model', state.confirming.model],
                ['Replaces', state.active],
                ['Effect', 'Every bot answers with it within seconds; b rolls back.'],
              ]}
              warning={caution?.message}
              width={detailWidth}
            />
          ) : state.confirming?.kind === 'rollback' ? (
            <ConfirmationPanel
              title="Roll back?"
              facts={[
                ['From', state.confirming.from],
                ['To', state.confirming.to],
              ]}
              width={detailWidth}
            />
          ) : model ? (
            <EvaluationTable model={model} active={state.active} evaluation={state.evaluations[model.name] ?? null} result={lastEvaluation} height={bodyHeight} width={detailWidth} />
          ) : null}
        </Box>
      </Box>
      <Box height={1}>
        {progress ? <ProgressBar done={progress.done} total={progress.total} label={`evaluation: ${progress.stage}`} width={size.columns} /> : null}
      </Box>
      <StatusLine busy={progress ? null : task.running} error={task.error} notice={notice} width={size.columns} />
    </Box>
  );
}
