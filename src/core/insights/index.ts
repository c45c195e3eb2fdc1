// Figures for the operator dashboard's Overview, computed from the store.
export {
  createInsightsService,
  type InsightsDependencies,
  type InsightsService,
  type OverviewFigures,
  type TrainingJobInFlight,
} from './insights-service.ts';
export { lastDays, percentile, shareOf, type DayWindow } from './overview-figures.ts';
