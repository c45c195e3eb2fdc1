import { Box, Text } from 'ink';
import type { AskSource } from '../../../../core/index.ts';
import { oneLine, score, tail } from '../../../format/figures.ts';

export interface SourceListProps {
  sources: AskSource[];
  citations: number[];
  width: number;
  maxLines: number;
}

/** The numbered sources given to the model; cited ones bright, the rest dimmed. */
export function SourceList({ sources, citations, width, maxLines }: SourceListProps) {
  if (sources.length === 0) return null;
  const shown = sources.slice(0, Math.max(1, maxLines - 1));
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>Sources</Text>
      {shown.map((source) => {
        const cited = citations.includes(source.number);
        const section = source.headingPath.at(-1) ?? source.title;
        return (
          <Text key={source.number} dimColor={!cited} wrap="truncate-end">
            {`[${source.number}] ${tail(source.source, 28)} › ${oneLine(section, Math.max(10, width - 55))}  ${score(source.score)}${cited ? '' : '  not cited'}`}
          </Text>
        );
      })}
      {sources.length > shown.length ? (
        <Text dimColor>{`   … ${sources.length - shown.length} more`}</Text>
      ) : null}
    </Box>
  );
}
