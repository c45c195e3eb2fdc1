import { hostname } from 'node:os';
import type { Config } from '../config/index.ts';
import { randomBytes } from 'node:crypto';
import type { Clock, KeyValueStore, CoordinationStore, Logger, Metrics } from '../ports/index.ts';
import { startBackgroundJob, type BackgroundJob, type BackgroundJobOptions } from './background-job.ts';
import { createClaimService, type ClaimService, type ClaimSettings } from './claims.ts';
import { createLeaseService, type LeaseService } from './leases.ts';
import { createSharedRateLimitService, type SharedRateLimitService } from './rate-limits.ts';

export type { BackgroundJob, BackgroundJobOptions } from './background-job.ts';
export type {
  Claim,
  ClaimAttempt,
  ClaimInspection,
  ClaimService,
  ClaimSettings,
  ClaimState,
} from './claims.ts';
export type { Lease, LeaseHolder, LeaseService } from './leases.ts';
export type { RateLimitDecision, RateLimitRule, SharedRateLimitService } from './rate-limits.ts';
export { keepLeaseRenewed } from './leases.ts';
export type { RateLimitedPlatform, RateLimiter } from './rate-limiter.ts';

/** Claims, leases and background jobs of one process, all owned under one replica id. */
export interface CoordinationService {
  /** This process's id in claims and leases: host, pid and a random part (a restarted pid is a new replica). */
  readonly replicaId: string;
  readonly claims: ClaimService;
  readonly leases: LeaseService;
  /** Per-user rate limits counted in the store, shared by every replica on it. */
  readonly rateLimits: SharedRateLimitService;
  /** Starts work that runs on one replica at a time; see startBackgroundJob. */
  startJob(options: BackgroundJobOptions): BackgroundJob;
}

/** The claim settings of `coordination`: how long a claim holds, how long it is kept, how often it is tried. */
export function claimSettings(config: Config): ClaimSettings {
  return {
    ttlMs: config.coordination.claimTtlMs,
    retentionMs: config.coordination.claimRetentionHours * 3_600_000,
    maxAttempts: config.coordination.maxAttempts,
  };
}

export function newReplicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function createCoordinationService(options: {
  store: CoordinationStore & KeyValueStore;
  clock: Clock;
  logger: Logger;
  claims: ClaimSettings;
  replicaId?: string;
  /** Counts background job runs by job and outcome. */
  metrics?: Metrics;
}): CoordinationService {
  const replicaId = options.replicaId ?? newReplicaId();
  const { store, clock } = options;
  const logger = options.logger.child({ replicaId });
  const leases = createLeaseService({ store, clock, owner: replicaId, logger });
  return {
    replicaId,
    claims: createClaimService({ store, clock, owner: replicaId, settings: options.claims, logger }),
    leases,
    rateLimits: createSharedRateLimitService({ store, clock }),
    startJob: (jobOptions) =>
      startBackgroundJob(jobOptions, { leases, values: store, clock, logger, metrics: options.metrics }),
  };
}
