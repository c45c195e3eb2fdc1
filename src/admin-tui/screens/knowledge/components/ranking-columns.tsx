import { Box, Text } from 'ink';
import type { SearchHit, SearchMode } from '../../../../core/index.ts';
import { fit, oneLine, score } from '../../../format/figures.ts';

export interface RankingColumnsProps {
  modes: readonly SearchMode[];
  rankings: Record<SearchMode, SearchHit[]>;
  column: number;
  row: number;
  height: number;
  width: number;
}

const titles: Record<SearchMode, string> = { hybrid: 'Hybrid (RRF)', bm25: 'BM25', vector: 'Vector' };

/** Where a hit comes from, short: the file and the section. */
function label(hit: SearchHit, width: number): string {
  const file = (hit.chunk.source.split('/').at(-1) ?? hit.chunk.source).replace(
    /\.(md|mdx|markdown|html?|txt)$/i,
    '',
  );
  const section = hit.chunk.headingPath.at(-1);
  return oneLine(section ? `${file} › ${section}` : file, width);
}

/** The three rankings side by side; the passage under the cursor is marked in every column it appears in. */
export function RankingColumns({ modes, rankings, column, row, height, width }: RankingColumnsProps) {
  const columnWidth = Math.floor(width / modes.length);
  const selectedId = rankings[modes[column]!][row]?.chunk.id;
  const rows = Math.max(1, height - 1);
  return (
    <Box height={height}>
      {modes.map((mode, index) => (
        <Box key={mode} flexDirection="column" width={columnWidth} paddingRight={1}>
          <Text bold color={index === column ? 'cyan' : undefined}>
            {fit(titles[mode], columnWidth - 1)}
          </Text>
          {rankings[mode].length === 0 ? <Text dimColor>no passages</Text> : null}
          {rankings[mode].slice(0, rows).map((hit) => {
            const selected = hit.chunk.id === selectedId;
            const scoreText = score(hit.score, mode === 'hybrid' ? 4 : 2);
            const room = columnWidth - 1 - scoreText.length - 4;
            return (
              <Text
                key={hit.chunk.id}
                inverse={selected && index === column}
                color={selected && index !== column ? 'cyan' : undefined}
              >
                {`${String(hit.rank).padStart(2)} ${fit(label(hit, room), room)} ${scoreText}`}
              </Text>
            );
          })}
        </Box>
      ))}
    </Box>
  );
}
