import { Box, Text } from 'ink';
import { ConfirmationPanel } from '../../components/confirmation-panel.tsx';
import { MultiLineEditor } from '../../components/multi-line-editor.tsx';
import { StatusLine } from '../../components/status-line.tsx';
import { useExternalEditor } from '../../hooks/use-external-editor.ts';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { cursorAfterKey } from '../../state/list-cursor.ts';
import { textEditorActionForKey } from '../../state/text-editor.ts';
import { selectedVerifiedAnswer } from '../../state/verified-answers.ts';
import { describeProposal } from '../insights/hooks/use-insights.ts';
import { describeError } from '../../format/figures.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { VerifiedAnswerDetail } from './components/verified-answer-detail.tsx';
import { VerifiedAnswerList } from './components/verified-answer-list.tsx';
import { useVerifiedAnswers } from './hooks/use-verified-answers.ts';

const {
  reviewVerified: browseKeys,
  reviewVerifiedEditing: editorKeys,
  reviewVerifiedRetire: confirmKeys,
} = screenKeyMaps;
const editorHintsWithoutExternal = editorKeys.hints.filter((command) => command !== Command.OpenEditor);

/** The Review screen's list of verified answers: read one, edit it, re-approve a stale one, retire one; esc goes back. */
export function VerifiedAnswersView({ onBack }: { onBack: () => void }) {
  const { core, reviewer, size } = useScreenFrame();
  const { state, dispatch, change, reload } = useVerifiedAnswers(core, reviewer);
  const external = useExternalEditor();
  const selected = selectedVerifiedAnswer(state);
  const listWidth = Math.min(34, Math.floor(size.columns * 0.38));
  const detailWidth = size.columns - listWidth - 1;
  const mainHeight = Math.max(4, size.rows - 2);

  const save = () => {
    const text = state.editor?.text.trim() ?? '';
    if (!selected) return;
    if (!text) {
      dispatch({
        type: 'failed',
        error: 'The answer is empty: write it, retire the verified answer instead (x), or press esc.',
      });
      return;
    }
    void change('edit', selected, text);
  };

  useScreenKeys({
    keyMap: state.mode === 'edit' ? editorKeys : state.mode === 'confirmRetire' ? confirmKeys : browseKeys,
    hints: state.mode === 'edit' && !external.available ? editorHintsWithoutExternal : undefined,
    onKey: (input, key) => {
      if (state.mode === 'confirmRetire') {
        const command = firstMatch(confirmKeys.commands, input, key);
        if (command === Command.Confirm && selected) void change('retire', selected);
        else if (command === Command.Deny) dispatch({ type: 'closePanel' });
        return;
      }
      if (state.mode === 'edit') {
        const command = firstMatch(editorKeys.commands, input, key);
        if (command === Command.SaveText) save();
        else if (command === Command.OpenEditor && external.available) {
          void external.edit(state.editor?.text ?? '').then((result) => {
            if (result.text !== undefined)
              dispatch({ type: 'edit', action: { type: 'replace', text: result.text } });
            if (result.error) dispatch({ type: 'failed', error: result.error });
          });
        } else if (command === Command.Back) dispatch({ type: 'closePanel' });
        else {
          const edit = textEditorActionForKey(input, key);
          if (edit) dispatch({ type: 'edit', action: edit });
        }
        return;
      }
      const cursor = cursorAfterKey(state.cursor, state.items.length, mainHeight - 1, input, key);
      if (cursor !== undefined) {
        dispatch({ type: 'move', cursor });
        return;
      }
      switch (firstMatch(browseKeys.commands, input, key)) {
        case Command.EditVerified:
          dispatch({ type: 'openEditor' });
          return;
        case Command.ReapproveVerified:
          if (selected?.stale) void change('reapprove', selected);
          else if (selected)
            dispatch({
              type: 'notice',
              text: 'It is in use already: only a stale verified answer needs re-approving.',
            });
          return;
        case Command.RetireVerified:
          dispatch({ type: 'askRetire' });
          return;
        case Command.ProposeDocs:
          if (selected) {
            dispatch({ type: 'notice', text: `Proposing a documentation page from ${selected.id}…` });
            core.insights
              .proposeDocChange({ verified: selected.id, by: reviewer })
              .then((proposal) => dispatch({ type: 'notice', text: describeProposal(proposal) }))
              .catch((error: unknown) => dispatch({ type: 'failed', error: describeError(error) }));
          }
          return;
        case Command.Refresh:
          void reload();
          return;
        case Command.Back:
          onBack();
          return;
      }
    },
  });

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Box height={1}>
        <Text wrap="truncate-end">
          <Text bold>Verified answers</Text>
          <Text dimColor>{` · ${state.items.length} in use or stale · esc back to the queue`}</Text>
        </Text>
      </Box>
      <Box height={mainHeight} overflow="hidden">
        <VerifiedAnswerList items={state.items} cursor={state.cursor} height={mainHeight} width={listWidth} />
        <Box width={1} />
        {state.mode === 'edit' && state.editor ? (
          <MultiLineEditor
            title="Edit the verified answer: ctrl+s saves, esc cancels"
            editor={state.editor}
            height={mainHeight}
            width={detailWidth}
          />
        ) : state.mode === 'confirmRetire' && selected ? (
          <ConfirmationPanel
            title="Retire this verified answer?"
            facts={[
              ['question', selected.question],
              ['verified by', selected.verifiedBy],
            ]}
            warning="It leaves answers and search for good; publishing its conversation again brings it back."
            width={detailWidth}
          />
        ) : selected ? (
          <VerifiedAnswerDetail record={selected} height={mainHeight} width={detailWidth} />
        ) : null}
      </Box>
      <StatusLine
        busy={state.loading && state.items.length === 0 ? 'Loading the verified answers…' : null}
        error={state.error}
        notice={state.notice}
        width={size.columns}
      />
    </Box>
  );
}
