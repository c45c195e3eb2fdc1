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
        <Text dimColor>
          Approve or correct conversations on the Review screen (2): each becomes an example.
        </Text>
        <Text dimColor>Then press s here to snapshot them into a version you can train on.</Text>
      </Box>
    );
  }
  const report = version?.report;
  const validation = report?.validation;
  const issues = [
    ...(validation?.errors ?? []).map((issue) => ({ ...issue, error: true })),
    ...(validation?.warnings ?? []).map((issue) => ({ ...issue, error: false })),
  ];
  // Issues wrap onto two lines at most.
  const issueRoom = Math.max(0, Math.floor((height - 10) / 2));
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Text bold wrap="truncate-end">
        {`${dataset.name}: ${dataset.examples} examples`}
        {dataset.staleExamples > 0 ? <Text color="yellow">{` (${dataset.staleExamples} stale)`}</Text> : null}
        {` · ${dataset.versions} version${dataset.versions === 1 ? '' : 's'}`}
        {newExamples !== null && dataset.versions > 0 ? (
          <Text
            color={newExamples > 0 ? 'cyan' : undefined}
          >{` · ${newExamples} new since v${dataset.latestVersion}`}</Text>
        ) : null}
      </Text>
      {!version ? (
        <Text dimColor>No version yet: press s to snapshot the examples.</Text>
      ) : (
        <>
          <Line label="Version">{`${version.reference} · ${version.trainExamples} train / ${version.validationExamples} validation`}</Line>
          <Line label="Created">{`${when(version.version.createdAt)} by ${version.version.createdBy}`}</Line>
          {validation ? (
            <>
              <Line label="Validation">
                <Text color={validation.valid ? 'green' : 'red'}>
                  {validation.valid ? '✓ valid' : '✗ not valid'}
                </Text>
                {` · ${validation.errors.length} errors · ${validation.warnings.length} warnings`}
              </Line>
              <Line label="Tokens">{`${thousands(validation.tokens.total)} in ${validation.validExamples} examples (min ${validation.tokens.min}, max ${validation.tokens.max})`}</Line>
              <Line label="Est. cost">
                <Text bold>{dollars(validation.estimate.cost)}</Text>
                {` = ${thousands(validation.estimate.trainTokens)} × ${validation.estimate.epochs} epochs × $${validation.estimate.pricePerMillionTokens}/M`}
              </Line>
              <Line label="Left out">{`${report.staleExcluded.length} stale · ${report.duplicates.length} duplicates · ${report.invalid.length} invalid`}</Line>
              <Line label="Scrubbed">{`${report.scrub.examplesChanged} examples${
                Object.keys(report.scrub.replacements).length > 0
                  ? ` (${Object.entries(report.scrub.replacements)
                      .map(([kind, count]) => `${count} ${kind}`)
                      .join(', ')})`
                  : ''
              }`}</Line>
              {issues.slice(0, issueRoom).map((issue, index) => (
                <Text key={index} color={issue.error ? 'red' : 'yellow'}>
                  {`${issue.error ? '✗' : '!'} ${oneLine(issue.message, width * 2 - 4)}`}
                </Text>
              ))}
              {issues.length > issueRoom ? (
                <Text
                  dimColor
                >{`… ${issues.length - issueRoom} more: answerloop dataset validate ${version.reference}`}</Text>
              ) : null}
            </>
          ) : (
            <Text dimColor>This version has no stored report: press v to validate it.</Text>
          )}
        </>
      )}
    </Box>
  );
}
