import { Box, Text } from 'ink';
import type { DatasetSummary, DatasetVersionDetail } from '../../../../core/index.ts';
import { dollars, oneLine, thousands, when } from '../../../format/figures.ts';

export interface VersionReportProps {
  dataset: DatasetSummary | undefined;
  version: DatasetVersionDetail | undefined;
  newExamples: number | null;
  height: number;
  width: number;
}

function Line({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Box height={1}>
      <Box width={11} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Text wrap="truncate-end">{children}</Text>
    </Box>
  );
}

/** The dataset's state and the selected version's validation report, token counts and cost estimate. */
export function VersionReport({ dataset, version, newExamples, height, width }: VersionReportProps) {
  if (!dataset) {
    return (
      <Box flexDirection="column" height={height} width={width}>
        <Text>No dataset yet.</Text>
        <Text dimColor>Approve or correct conversations on the Review screen (2): each becomes an example.</Text>
        <Text dimColor>Then press s here to snapshot them into a version you can train on.</Text>
      </Box>
    );
  }
  const report = version?.report;
  const validation = report?.validation;
  const issues = [...(validation?.errors ?? []).map((issue) => ({ ...issue, error: true })), ...(validation?.warnings ?? []).map((issue) => ({ ...issue, error: false }))];
  const issueRoom = Math.max(0, height - 9);
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Text bold wrap="truncate-end">
        {`${dataset.name}: ${dataset.examples} examples`}
        {dataset.staleExamples > 0 ? <Text color="yellow">{` (${dataset.staleExamples} stale)`}</Text> : null}
        {` · ${dataset.versions} version${dataset.versions === 1 ? '' : 's'}`}
        {newExamples !== null && dataset.versions > 0 ? <Text color={newExamples > 0 ? 'cyan' : undefined}>{` · ${newExamples} new since v${dataset.latestVersion}`}</Text> : null}
      </Text>
      {!version ? (
        <Text dimColor>No version yet: press s to snapshot the examples.</Text>
      ) : (
        <>
          <Line label="Version">{`${version.reference} · ${when(version.version.createdAt)} by ${version.version.createdBy} · ${version.trainExamples} train / ${version.validationExamples} validation`}</Line>
          {validation ? (
            <>
              <Line label="Validation">
                <Text color={validation.valid ? 'green' : 'red'}>{validation.valid ? '✓ valid' : '✗ not valid'}</Text>
                {` · ${validation.validExamples} examples · ${validation.errors.length} errors · ${validation.warnings.length} warnings`}
              </Line>
              <Line label="Tokens">{`${thousands(validation.tokens.total)} total · min ${validation.tokens.min} · max ${validation.tokens.max} · mean ${Math.round(validation.tokens.mean)}`}</Line>
              <Line label="Estimate">
                {`${thousands(validation.estimate.trainTokens)} × ${validation.estimate.epochs} epochs = ${thousands(validation.estimate.billedTokens)} tokens · `}
                <Text bold>{dollars(validation.estimate.cost)}</Text>
                {` at $${validation.estimate.pricePerMillionTokens}/M`}
              </Line>
              <Line label="Snapshot">
                {`${report.examplesConsidered} considered · ${report.staleExcluded.length} stale left out · ${report.duplicates.length} duplicates dropped · ${report.invalid.length} invalid · ${report.scrub.examplesChanged} scrubbed`}
              </Line>
              {issues.slice(0, issueRoom).map((issue, index) => (
                <Text key={index} color={issue.error ? 'red' : 'yellow'} wrap="truncate-end">
                  {`${issue.error ? '✗' : '!'} ${oneLine(issue.message, width - 2)}`}
                </Text>
              ))}
              {issues.length > issueRoom ? <Text dimColor>{`… ${issues.length - issueRoom} more: answerloop dataset validate ${version.reference}`}</Text> : null}
            </>
          ) : (
            <Text dimColor>This version has no stored report: press v to validate it.</Text>
          )}
        </>
      )}
    </Box>
  );
}
