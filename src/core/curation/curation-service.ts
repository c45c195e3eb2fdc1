/**
 * Core's earlier `curation` part: the review queue and the datasets together, each its own service
 * (review-service.ts, datasets-service.ts). Kept for the callers that still name them as one.
 */
import {
  createDatasetsService,
  type DatasetsDependencies,
  type DatasetsService,
} from './datasets-service.ts';
import { createReviewService, type ReviewDependencies, type ReviewService } from './review-service.ts';

export type CurationService = ReviewService & DatasetsService;

export type CurationDependencies = ReviewDependencies &
  DatasetsDependencies & { store: ReviewDependencies['store'] & DatasetsDependencies['store'] };

export function createCurationService(dependencies: CurationDependencies): CurationService {
  return { ...createReviewService(dependencies), ...createDatasetsService(dependencies) };
}
