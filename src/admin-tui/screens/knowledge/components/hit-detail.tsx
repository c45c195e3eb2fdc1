import { Box, Text } from 'ink';
import type { SearchHit } from '../../../../core/index.ts';
import { oneLine, score, tail } from '../../../format/figures.ts';
import { wrapText } from '../../../format/wrap-text.ts';

export interface HitDetailProps {
  hit: SearchHit | undefined;
  height: number;
  width: number;
}

/** The passage under the cursor: where it is, its rank in each leg, its text. */
export function HitDetail({ hit, height, width }: HitDetailProps) {
  if (!hit) return <Box height={height} />;
  const where = [hit.chunk.source, ...hit.chunk.headingPath.slice(1)].join(' › ');
  const ranks = [
    `bm25 ${hit.bm25Rank ? `#${hit.bm25Rank} (${score(hit.bm25Score, 2)})` : 'no match'}`,
    `vector ${hit.vectorRank ? `#${hit.vectorRank} (${score(hit.vectorScore, 3)})` : 'not in top'}`,
  ].join(' · ');
  const text = wrapText(hit.chunk.text, Math.max(10, width - 2)).slice(0, Math.max(0, height - 3));
  return (
    <Box
      flexDirection="column"
      height={height}
      borderStyle="single"
      borderTop
      borderBottom={false}
      borderLeft={false}
      borderRight={false}
      borderColor="gray"
    >
      <Text bold wrap="truncate-end">
        {oneLine(hit.chunk.title, 40)} <Text dimColor>{tail(where, Math.max(10, width - 44))}</Text>
      </Text>
      <Text dimColor>{ranks}</Text>
      {text.map((line, index) => (
        <Text key={index}>{line || ' '}</Text>
      ))}
    </Box>
  );
}
