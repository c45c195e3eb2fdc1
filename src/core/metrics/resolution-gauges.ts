import type { ResolutionService } from '../insights/resolution-figures.ts';
import type { Logger, Metrics } from '../ports/index.ts';

/** Scrapes come every few seconds; the figures move by the hour. */
const refreshMs = 60_000;

/**
 * The last seven days' resolution per platform as gauges, read from the store at most once a minute when
 * /metrics is scraped. A failure keeps the previous figures and is logged: metrics must not fail a scrape.
 */
export function createResolutionGauges(
  metrics: Metrics,
  resolution: ResolutionService['resolution'],
  logger: Logger,
  now: () => number = Date.now,
): () => Promise<void> {
  let refreshedAt = Number.NEGATIVE_INFINITY;
  return async () => {
    if (now() - refreshedAt < refreshMs) return;
    refreshedAt = now();
    try {
      const report = await resolution({ since: '7d' });
      for (const name of [
        'questions_last_7_days',
        'resolved_without_person_ratio',
        'human_follow_up_ratio',
        'handed_off_ratio',
      ] as const)
        metrics.reset(name);
      for (const platform of report.platforms) {
        const labels = { platform: platform.platform };
        metrics.set('questions_last_7_days', platform.questions, labels);
        if (platform.questions === 0) continue;
        metrics.set(
          'resolved_without_person_ratio',
          platform.resolvedWithoutPerson / platform.questions,
          labels,
        );
        metrics.set('human_follow_up_ratio', platform.humanFollowUp / platform.questions, labels);
        metrics.set('handed_off_ratio', platform.handedOff / platform.questions, labels);
      }
    } catch (error) {
      logger.warn({ err: error }, 'the resolution figures could not be read for the metrics');
    }
  };
}
