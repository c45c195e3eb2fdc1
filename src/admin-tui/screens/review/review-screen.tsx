import { Box } from 'ink';
import { useCallback, useState } from 'react';
import { MultiLineEditor } from '../../components/multi-line-editor.tsx';
import { StatusLine } from '../../components/status-line.tsx';
import { TextBox } from '../../components/text-box.tsx';
import { useExternalEditor } from '../../hooks/use-external-editor.ts';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { cursorAfterKey } from '../../state/list-cursor.ts';
import { selectedConversation, visibleItems } from '../../state/review-queue.ts';
import { textEditorActionForKey } from '../../state/text-editor.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { ConversationDetail } from './components/conversation-detail.tsx';
import { FilterBar } from './components/filter-bar.tsx';
import { QueueList } from './components/queue-list.tsx';
import { useReviewDetail } from './hooks/use-review-detail.ts';
import { usePublishVerified } from './hooks/use-publish-verified.ts';
import { useReviewQueue } from './hooks/use-review-queue.ts';
import { VerifiedAnswersView } from './verified-answers-view.tsx';

const { reviewBrowsing: browseKeys, reviewEditing: editorKeys, reviewFilter: filterKeys } = screenKeyMaps;
const editorHintsWithoutExternal = editorKeys.hints.filter((command) => command !== Command.OpenEditor);

/** The review queue, or the verified answers published from it (V opens them, esc comes back). */
export function ReviewScreen() {
  const [showVerified, setShowVerified] = useState(false);
  return showVerified ? (
    <VerifiedAnswersView onBack={() => setShowVerified(false)} />
  ) : (
    <ReviewQueueView onShowVerified={() => setShowVerified(true)} />
  );
}

/** The review queue: filter it, read a conversation with its sources and scores, approve, correct or reject it. */
function ReviewQueueView({ onShowVerified }: { onShowVerified: () => void }) {
  const { core, reviewer, size, visible } = useScreenFrame();
  const { state, dispatch, act, diagnose, reload } = useReviewQueue(core, reviewer, visible);
  const external = useExternalEditor();
  const publish = usePublishVerified(
    core,
    reviewer,
    useCallback(
      (outcome: { notice: string } | { error: string }) =>
        dispatch(
          'error' in outcome
            ? { type: 'failed', error: outcome.error }
            : { type: 'notice', text: outcome.notice },
        ),
      [dispatch],
    ),
  );
  const items = visibleItems(state);
  const selected = selectedConversation(state);
  const detail = useReviewDetail(core, selected?.id, `${selected?.reviewStatus}:${selected?.failureKind}`);
  const listWidth = Math.min(34, Math.floor(size.columns * 0.38));
  const detailWidth = size.columns - listWidth - 1;
  const filterRows = state.mode === 'filter' ? 3 : 0;
  const mainHeight = Math.max(4, size.rows - 2 - filterRows);

  const saveCorrection = () => {
    const conversation = state.items.find((item) => item.id === state.editingId);
    const text = state.editor?.text.trim() ?? '';
    if (!conversation) return;
    if (!text) {
      dispatch({
        type: 'failed',
        error: 'The correction is empty: write the answer the bot should have given, or press esc.',
      });
      return;
    }
    void act('correct', conversation, text);
  };

  const openExternalEditor = async () => {
    const result = await external.edit(state.editor?.text ?? '');
    if (result.text !== undefined) dispatch({ type: 'edit', action: { type: 'replace', text: result.text } });
    if (result.error) dispatch({ type: 'failed', error: result.error });
    else dispatch({ type: 'notice', text: 'Edited in your editor: ctrl+s saves the correction.' });
  };

  useScreenKeys({
    keyMap: state.mode === 'correct' ? editorKeys : state.mode === 'filter' ? filterKeys : browseKeys,
    hints: state.mode === 'correct' && !external.available ? editorHintsWithoutExternal : undefined,
    onKey: (input, key) => {
      if (state.mode === 'filter') {
        if (firstMatch(filterKeys.commands, input, key) === Command.Back) dispatch({ type: 'closeFilter' });
        return;
      }
      if (state.mode === 'correct') {
        const command = firstMatch(editorKeys.commands, input, key);
        if (command === Command.SaveText) saveCorrection();
        else if (command === Command.OpenEditor && external.available) void openExternalEditor();
        else if (command === Command.Back) dispatch({ type: 'closeEditor' });
        else {
          const edit = textEditorActionForKey(input, key);
          if (edit) dispatch({ type: 'edit', action: edit });
        }
        return;
      }
      const cursor = cursorAfterKey(state.cursor, items.length, mainHeight - 1, input, key);
      if (cursor !== undefined) {
        dispatch({ type: 'move', cursor });
        return;
      }
      const command = firstMatch(browseKeys.commands, input, key);
      switch (command) {
        case Command.Approve:
        case Command.Reject:
          if (selected) void act(command === Command.Approve ? 'approve' : 'reject', selected);
          return;
        case Command.Correct:
          if (selected)
            dispatch({
              type: 'openEditor',
              conversationId: selected.id,
              text: selected.correctedAnswer ?? selected.answer,
            });
          return;
        case Command.Skip:
          dispatch({ type: 'skip' });
          return;
        case Command.Diagnose:
          if (selected) void diagnose(selected);
          return;
        case Command.Filter:
          dispatch({ type: 'openFilter' });
          return;
        case Command.CycleFeedbackFilter:
          dispatch({ type: 'cycleFeedback' });
          return;
        case Command.CycleStatusFilter:
          dispatch({ type: 'cycleStatus' });
          return;
        case Command.CycleOutcomeFilter:
          dispatch({ type: 'cycleOutcome' });
          return;
        case Command.NextPage:
          dispatch({ type: 'page', by: 1 });
          return;
        case Command.PreviousPage:
          dispatch({ type: 'page', by: -1 });
          return;
        case Command.Refresh:
          void reload();
          return;
        case Command.PublishVerified:
          if (selected) void publish(selected);
          return;
        case Command.ShowVerified:
          onShowVerified();
          return;
      }
    },
  });

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <FilterBar
        feedback={state.feedback}
        status={state.status}
        outcome={state.outcome}
        text={state.mode === 'filter' ? state.textDraft : state.text}
        page={state.page}
        pages={state.pages}
        total={state.total}
        shown={items.length}
      />
      {state.mode === 'filter' ? (
        <TextBox
          label="Filter"
          value={state.textDraft}
          placeholder="words in the question, answer or comment"
          focused
          width={size.columns}
          onChange={(draft) => dispatch({ type: 'editFilter', draft })}
          onSubmit={() => dispatch({ type: 'applyFilter' })}
        />
      ) : null}
      <Box height={mainHeight} overflow="hidden">
        <QueueList
          items={items}
          cursor={state.cursor}
          height={mainHeight}
          width={listWidth}
          feedback={state.feedback}
          outcome={state.outcome}
        />
        <Box width={1} />
        {state.mode === 'correct' && state.editor ? (
          <MultiLineEditor
            title="Correct the answer: ctrl+s saves, esc cancels"
            editor={state.editor}
            height={mainHeight}
            width={detailWidth}
          />
        ) : selected ? (
          <ConversationDetail
            conversation={selected}
            detail={detail}
            height={mainHeight}
            width={detailWidth}
          />
        ) : null}
      </Box>
      <StatusLine
        busy={state.loading && state.items.length === 0 ? 'Loading the queue…' : null}
        error={state.error}
        notice={state.notice}
        width={size.columns}
      />
    </Box>
  );
}
