import { Box } from 'ink';
import { useMemo } from 'react';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { StatusLine } from '../../components/status-line.tsx';
import { TextBox } from '../../components/text-box.tsx';
import { wrapText } from '../../format/wrap-text.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { AnswerJudgement, judgementLine } from './components/answer-judgement.tsx';
import { AnswerMeta } from './components/answer-meta.tsx';
import { AnswerPane } from './components/answer-pane.tsx';
import { SourceList } from './components/source-list.tsx';
import { usePlayground } from './hooks/use-playground.ts';

const { playgroundTyping: typingKeys, playgroundReading: readingKeys } = screenKeyMaps;

/** Ask a question as a user would and see the answer, its sources and the route it took. */
export function PlaygroundScreen() {
  const { core, reviewer, size } = useScreenFrame();
  const { state, dispatch, ask, recordFeedback, emptyKnowledge } = usePlayground(core, reviewer);
  const width = size.columns;
  const lines = useMemo(() => wrapText(state.streamed, Math.max(10, width - 2)), [state.streamed, width]);
  const sourceLines =
    state.result && state.result.sources.length > 0 ? Math.min(state.result.sources.length + 1, 6) : 0;
  const judgementLines = state.result ? (judgementLine(state.result)?.lines ?? 0) : 0;
  const answerHeight = Math.max(3, size.rows - 3 - sourceLines - 2 - judgementLines);
  const maximumScroll = Math.max(0, lines.length - (answerHeight - 1));

  useScreenKeys({
    keyMap: state.typing ? typingKeys : readingKeys,
    onKey: (input, key) => {
      if (state.typing) {
        if (firstMatch(typingKeys.commands, input, key) === Command.Back) dispatch({ type: 'blur' });
        return;
      }
      switch (firstMatch(readingKeys.commands, input, key)) {
        case Command.Ask:
          dispatch({ type: 'focus' });
          return;
        case Command.Down:
          dispatch({ type: 'scroll', by: 1, maximum: maximumScroll });
          return;
        case Command.Up:
          dispatch({ type: 'scroll', by: -1, maximum: maximumScroll });
          return;
        case Command.PageDown:
          dispatch({ type: 'scroll', by: answerHeight - 1, maximum: maximumScroll });
          return;
        case Command.PageUp:
          dispatch({ type: 'scroll', by: -(answerHeight - 1), maximum: maximumScroll });
          return;
        case Command.MarkHelpful:
          void recordFeedback(true);
          return;
        case Command.MarkNotHelpful:
          void recordFeedback(false);
          return;
      }
    },
  });

  return (
    <Box flexDirection="column" width={width} height={size.rows}>
      <TextBox
        label="Ask"
        value={state.draft}
        placeholder={state.typing ? 'How do I reset my password?' : 'press / to ask a question'}
        focused={state.typing}
        width={width}
        onChange={(draft) => dispatch({ type: 'edit', draft })}
        onSubmit={(question) => void ask(question)}
      />
      <AnswerPane
        question={state.question}
        lines={lines}
        scroll={state.scroll}
        height={answerHeight}
        asking={state.asking}
        emptyKnowledge={emptyKnowledge}
      />
      {state.result ? (
        <SourceList
          sources={state.result.sources}
          citations={state.result.citations}
          width={width}
          maxLines={sourceLines}
        />
      ) : null}
      <Box height={1}>
        {state.result ? <AnswerMeta result={state.result} feedback={state.feedback} /> : null}
      </Box>
      {judgementLines > 0 && state.result ? (
        <Box height={judgementLines} paddingX={1}>
          <AnswerJudgement result={state.result} />
        </Box>
      ) : null}
      <StatusLine busy={state.asking ? 'Answering…' : null} error={state.error} width={width} />
    </Box>
  );
}
