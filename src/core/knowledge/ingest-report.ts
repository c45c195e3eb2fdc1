import type { IngestReport } from './types.ts';

/** One report for a run over several sources: counts added up, lines kept in order. */
export function mergeIngestReports(reports: IngestReport[]): IngestReport {
  if (reports.length === 1) return reports[0]!;
  const notes = reports.flatMap((report) => report.notes ?? []);
  return {
    source: reports
      .map((report) => report.source)
      .filter(Boolean)
      .join(', '),
    added: sum(reports, (report) => report.added),
    updated: sum(reports, (report) => report.updated),
    unchanged: sum(reports, (report) => report.unchanged),
    deleted: sum(reports, (report) => report.deleted),
    chunks: sum(reports, (report) => report.chunks),
    skipped: reports.flatMap((report) => report.skipped),
    empty: reports.flatMap((report) => report.empty),
    failed: reports.flatMap((report) => report.failed),
    changedDocIds: reports.flatMap((report) => report.changedDocIds),
    durationMs: sum(reports, (report) => report.durationMs),
    ...(notes.length > 0 ? { notes } : {}),
    ...(reports.some((report) => report.rebuilt) ? { rebuilt: true } : {}),
  };
}

function sum(reports: IngestReport[], pick: (report: IngestReport) => number): number {
  return reports.reduce((total, report) => total + pick(report), 0);
}
