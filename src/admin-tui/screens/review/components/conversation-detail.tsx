import { Box, Text } from 'ink';
import type { ConversationRecord, ReviewDetail } from '../../../../core/index.ts';
import { milliseconds, oneLine, score, tail, when } from '../../../format/figures.ts';
import { wrapText } from '../../../format/wrap-text.ts';

export interface ConversationDetailProps {
  conversation: ConversationRecord;
  detail: ReviewDetail | null;
  height: number;
  width: number;
}

function Feedback({ conversation }: { conversation: ConversationRecord }) {
  const feedback = conversation.feedback;
  return (
    <Text wrap="truncate-end">
      <Text dimColor>feedback </Text>
      {!feedback || feedback.helpful === null ? (
        <Text dimColor>none</Text>
      ) : (
        <Text color={feedback.helpful ? 'green' : 'red'}>{feedback.helpful ? 'helpful' : 'not helpful'}</Text>
      )}
      {feedback?.comment ? <Text>{` “${oneLine(feedback.comment, 80)}”`}</Text> : null}
    </Text>
  );
}

/** One conversation: question, who and how, feedback, the answer (or correction), sources with scores, the hint. */
export function ConversationDetail({ conversation, detail, height, width }: ConversationDetailProps) {
  const textWidth = Math.max(10, width - 1);
  const sources = [...conversation.sources].sort((left, right) => right.score - left.score).slice(0, 4);
  const hint = detail?.hint;
  const corrected = conversation.correctedAnswer;
  const fixedLines = 5 + (sources.length > 0 ? sources.length + 1 : 1) + (corrected ? 1 : 0);
  const answerRoom = Math.max(2, height - fixedLines);
  const said = conversation.silent
    ? 'None: nobody asked the bot here and it was not sure enough to answer, so it said nothing.'
    : conversation.answer;
  const answerLines = wrapText(corrected ?? said, textWidth);
  const shown = answerLines.slice(0, answerRoom);
  const where = [conversation.platform, conversation.channel].filter(Boolean).join(' ');
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        {conversation.question}
      </Text>
      <Text dimColor wrap="truncate-end">
        {`${where} · ${when(conversation.createdAt)} · ${conversation.silent ? 'silent' : conversation.route} · confidence ${conversation.confidence.toFixed(2)} · ${conversation.model} · ${milliseconds(conversation.latencyMs)}`}
      </Text>
      <Feedback conversation={conversation} />
      <Text wrap="truncate-end">
        <Text dimColor>status </Text>
        <Text>{conversation.reviewStatus}</Text>
        {conversation.stale ? <Text color="yellow"> · stale (a cited page changed)</Text> : null}
        {conversation.handoff ? (
          <Text color="magenta">{` · handed to a person${conversation.handoff.place ? ` in ${conversation.handoff.place}` : ''}`}</Text>
        ) : null}
        <Text dimColor> · diagnosis </Text>
        <Text color={conversation.failureKind && conversation.failureKind !== 'none' ? 'yellow' : undefined}>
          {conversation.failureKind ?? '—'}
        </Text>
        {hint ? (
          <Text
            dimColor
          >{` (hint: ${hint.suggested}${hint.reasons[0] ? `, ${oneLine(hint.reasons[0], 40)}` : ''})`}</Text>
        ) : null}
      </Text>
      <Text color={corrected ? 'green' : undefined} bold>
        {corrected
          ? `Correction${conversation.correctionSource && conversation.correctionSource !== 'operator' ? ` suggested by a ${conversation.correctionSource}` : ''}`
          : 'Answer'}
      </Text>
      {shown.map((line, index) => (
        <Text key={index}>
          {index === shown.length - 1 && answerLines.length > shown.length ? `${line} …` : line || ' '}
        </Text>
      ))}
      {corrected ? (
        <Text dimColor wrap="truncate-end">{`bot said: ${oneLine(conversation.answer, width - 12)}`}</Text>
      ) : null}
      {sources.length > 0 ? (
        <>
          <Text bold>Sources (fused · bm25 · vector)</Text>
          {sources.map((source) => (
            <Text key={source.number} wrap="truncate-end">
              {`[${source.number}] ${tail(source.source, Math.max(12, width - 42))} ${score(source.score)} · ${source.bm25Rank ? `#${source.bm25Rank} ${score(source.bm25Score, 2)}` : '—'} · ${source.vectorRank ? `#${source.vectorRank} ${score(source.vectorScore, 2)}` : '—'}`}
            </Text>
          ))}
        </>
      ) : (
        <Text color="yellow">No sources were retrieved.</Text>
      )}
    </Box>
  );
}
