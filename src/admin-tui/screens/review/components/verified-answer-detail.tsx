import { Box, Text } from 'ink';
import type { VerifiedAnswerRecord } from '../../../../core/index.ts';
import { tail, when } from '../../../format/figures.ts';
import { wrapText } from '../../../format/wrap-text.ts';

export interface VerifiedAnswerDetailProps {
  record: VerifiedAnswerRecord;
  height: number;
  width: number;
}

/** One verified answer: its question, who verified it, whether it is stale, the answer and the pages it rests on. */
export function VerifiedAnswerDetail({ record, height, width }: VerifiedAnswerDetailProps) {
  const textWidth = Math.max(10, width - 1);
  const sources = record.sources.slice(0, 4);
  const fixedLines = 4 + (record.stale ? 1 : 0) + 1 + sources.length;
  const answerLines = wrapText(record.answer, textWidth);
  const shown = answerLines.slice(0, Math.max(2, height - fixedLines));
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        {record.question}
      </Text>
      <Text
        dimColor
        wrap="truncate-end"
      >{`verified/${record.id} · verified by ${record.verifiedBy} · ${when(record.verifiedAt)}`}</Text>
      {record.stale ? (
        <Text
          color="yellow"
          wrap="truncate-end"
        >{`stale, withdrawn until re-approved (a) or edited (e): ${record.staleDocIds.join(', ')} changed`}</Text>
      ) : null}
      <Text bold color="green">
        Verified answer
      </Text>
      {shown.map((line, index) => (
        <Text key={index}>
          {index === shown.length - 1 && answerLines.length > shown.length ? `${line} …` : line || ' '}
        </Text>
      ))}
      <Text bold>Rests on</Text>
      {sources.length === 0 ? <Text dimColor>no documentation page</Text> : null}
      {sources.map((source) => (
        <Text
          key={source.number}
          wrap="truncate-end"
        >{`[${source.number}] ${source.title} · ${tail(source.source, Math.max(12, width - source.title.length - 8))}`}</Text>
      ))}
    </Box>
  );
}
