import { Box, Text } from 'ink';
import { useEffect } from 'react';
import { StatusLine } from '../../components/status-line.tsx';
import { TextBox } from '../../components/text-box.tsx';
import { Command, firstMatch } from '../../keys/key-bindings.ts';
import { screenKeyMaps } from '../../keys/screen-key-maps.ts';
import { cursorAfterKey } from '../../state/list-cursor.ts';
import { rankingModes, selectedColumnLength, selectedHit } from '../../state/knowledge.ts';
import { useScreenFrame, useScreenKeys } from '../screen-frame.tsx';
import { HitDetail } from './components/hit-detail.tsx';
import { IngestPanel } from './components/ingest-panel.tsx';
import { KnowledgeSummary } from './components/knowledge-summary.tsx';
import { RankingColumns } from './components/ranking-columns.tsx';
import { SourceList } from './components/source-list.tsx';
import { useKnowledge } from './hooks/use-knowledge.ts';

const { knowledgeTyping: typingKeys, knowledgeBrowsing: browsingKeys } = screenKeyMaps;

/** The configured sources (synced on a key), ingestion with a progress bar, and hybrid, BM25 and vector rankings. */
export function KnowledgeScreen() {
  const { core, size, setBusy } = useScreenFrame();
  const { state, dispatch, summary, summaryError, sources, ingest, syncSource, search, refresh } =
    useKnowledge(core);
  const typing = state.focus !== 'rankings';
  const width = size.columns;
  const detailHeight = 6;
  const sourceRows = Math.max(1, Math.min(sources.length, 3));
  const rankingHeight = Math.max(3, size.rows - 1 - sourceRows - 2 - 3 - detailHeight - 1);

  useEffect(() => {
    setBusy(state.ingesting);
  }, [state.ingesting, setBusy]);

  useScreenKeys({
    keyMap: typing ? typingKeys : browsingKeys,
    onKey: (input, key) => {
      if (typing) {
        if (firstMatch(typingKeys.commands, input, key) === Command.Back)
          dispatch({ type: 'focus', focus: 'rankings' });
        return;
      }
      const row = cursorAfterKey(state.row, selectedColumnLength(state), rankingHeight - 1, input, key);
      if (row !== undefined) {
        dispatch({ type: 'selectRow', row });
        return;
      }
      switch (firstMatch(browsingKeys.commands, input, key)) {
        case Command.Ingest:
          if (!state.ingesting) dispatch({ type: 'focus', focus: 'path' });
          return;
        case Command.Search:
          dispatch({ type: 'focus', focus: 'query' });
          return;
        case Command.NextSource:
          dispatch({ type: 'nextSource', count: sources.length });
          return;
        case Command.SyncSource: {
          const source = sources[Math.min(state.sourceIndex, sources.length - 1)];
          if (source && !state.ingesting) void syncSource(source.name);
          return;
        }
        case Command.Left:
          dispatch({ type: 'moveColumn', by: -1 });
          return;
        case Command.Right:
          dispatch({ type: 'moveColumn', by: 1 });
          return;
        case Command.Refresh:
          void refresh();
          return;
      }
    },
  });

  return (
    <Box flexDirection="column" width={width} height={size.rows}>
      <KnowledgeSummary summary={summary} width={width} />
      <SourceList
        sources={sources}
        selected={Math.min(state.sourceIndex, Math.max(0, sources.length - 1))}
        syncing={state.syncingSource}
        rows={sourceRows}
        width={width}
      />
      <IngestPanel
        ingesting={state.ingesting}
        syncing={state.syncingSource}
        progress={state.progress}
        report={state.report}
        error={state.ingestError}
        width={width}
      />
      {state.focus === 'path' ? (
        <TextBox
          label="Ingest path"
          value={state.pathDraft}
          focused
          width={width}
          onChange={(draft) => dispatch({ type: 'editPath', draft })}
          onSubmit={(target) => void ingest(target)}
        />
      ) : (
        <TextBox
          label="Search"
          value={state.focus === 'query' ? state.queryDraft : (state.query ?? '')}
          placeholder={state.focus === 'query' ? 'type a query and press enter' : 'press / to search'}
          focused={state.focus === 'query'}
          width={width}
          onChange={(draft) => dispatch({ type: 'editQuery', draft })}
          onSubmit={(query) => void search(query)}
        />
      )}
      {state.rankings ? (
        <RankingColumns
          modes={rankingModes}
          rankings={state.rankings}
          column={state.column}
          row={state.row}
          height={rankingHeight}
          width={width}
        />
      ) : (
        <Box height={rankingHeight}>
          <Text dimColor>Rankings appear here: the fused hybrid list, and each leg on its own.</Text>
        </Box>
      )}
      <HitDetail hit={selectedHit(state)} height={detailHeight} width={width} />
      <StatusLine
        busy={state.searching ? `Searching for “${state.query}”…` : null}
        error={state.searchError ?? summaryError}
        width={width}
      />
    </Box>
  );
}
