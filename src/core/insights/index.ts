// What the documentation misses, how often the bot resolves a question, and the Overview's figures.
import type { InsightsService as OverviewService } from './insights-service.ts';
import type { KnowledgeGapService } from './knowledge-gaps.ts';
import type { ResolutionService } from './resolution-figures.ts';
import type { DocsProposalService } from './docs-proposal.ts';

export {
  createInsightsService,
  type InsightsDependencies,
  type OverviewFigures,
  type TrainingJobInFlight,
} from './insights-service.ts';
export { lastDays, percentile, shareOf, type DayWindow } from './overview-figures.ts';
export {
  createKnowledgeGaps,
  type GapOptions,
  type GapPassage,
  type GapQuestion,
  type GapReason,
  type GapReport,
  type GapVerifiedAnswer,
  type KnowledgeGap,
  type KnowledgeGapService,
} from './knowledge-gaps.ts';
export {
  createResolutionFigures,
  outcomeOf,
  resolutionFigures,
  type ResolutionCounts,
  type ResolutionReport,
  type ResolutionRow,
  type ResolutionService,
} from './resolution-figures.ts';
export { windowStart, weekOf } from './time-window.ts';
export {
  createDocsProposals,
  draftPage,
  newFilePatch,
  slugOf,
  type DocsProposal,
  type DocsProposalInput,
  type DocsProposalService,
} from './docs-proposal.ts';

/** The dashboard's Overview figures, the knowledge gaps, resolution and deflection. */
export type InsightsService = OverviewService & KnowledgeGapService & ResolutionService & DocsProposalService;
