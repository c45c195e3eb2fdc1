/**
 * The delivery part of Core: which platform events this process handles, exactly once across retries, restarts and
 * replicas, and the app's installations into platform workspaces. Every face claims its deliveries here and
 * nowhere else: one claim, one metric (`duplicate_deliveries_dropped_total`), one log line for a dropped duplicate.
 *
 * The platforms differ in one way, decided here rather than in the faces:
 * - Slack retries a delivery for minutes and any replica may answer it, so its claim is held while the answer is
 *   written (renewed, stored with the delivery), marked answered after, and given back when the answer fails; a
 *   replica that stops renewing has its deliveries taken over and answered by another (`takeOverExpired`).
 * - Discord cannot deliver an event again later (an interaction must be acknowledged within 3 s), so its claim
 *   is finished at once: it only decides which process answers.
 */
import type { Config } from '../config/index.ts';
import { AnswerloopError } from '../errors/index.ts';
import type { Clock, KeyValueStore, Logger, Metrics, Platform, Route } from '../ports/index.ts';
import type { Claim, ClaimService } from './claims.ts';
import { platformRateLimiters, type RateLimitedPlatform, type RateLimiter } from './rate-limiter.ts';
import type { SharedRateLimitService } from './rate-limits.ts';

/** A delivery this process handles. */
export interface ClaimedDelivery {
  readonly platform: Platform;
  readonly id: string;
  /** True when another replica claimed it first and stopped before answering: this process answers instead. */
  readonly takenOver: boolean;
  /**
   * Checked just before an answer is posted: true while this process still owns the delivery (a renewal, a
   * conditional write). False once another replica took it over because this one went quiet past the claim's
   * deadline: that replica answers, this one stays silent. True when the store cannot be asked (a second answer
   * beats none), and always for Discord.
   */
  stillOwned(): Promise<boolean>;
  /**
   * Answers the delivery under its claim: renewed while `work` runs, marked answered after it, given back when it
   * throws (so a retry of the delivery may still be answered) and the error rethrown.
   */
  handle<T>(work: () => Promise<T>): Promise<T>;
}

export interface ClaimOptions {
  /** Slack: the delivery itself, stored with the claim, so a replica taking it over can answer it. */
  payload?: unknown;
  /** The question the delivery carries: a taken-over delivery whose answer was posted already is not answered again. */
  question?: { channel: string; messageId: string };
  /**
   * Asked only of a taken-over delivery the store has no answer for: whether the platform shows a finished answer
   * (posted by a replica that stopped before recording it). Failing counts as "no": the question is answered.
   */
  answeredOnPlatform?: () => Promise<boolean>;
  /** Facts for the log line when the delivery is dropped (the platform's retry number, the event's kind...). */
  details?: Record<string, unknown>;
}

/** What the unasked-answer rule reads of an answer (an AskResult fits). */
export interface UnaskedAnswer {
  route: Route;
  refused: boolean;
  confidence: number;
  /** ask() stopped below its `minConfidence`: nothing was generated. */
  skipped?: boolean;
}

/**
 * The one rule for answers nobody asked the bot for (Slack and Discord help channels in mode `auto`, Discord forum
 * posts): post only a documentation answer, never a refusal, a skipped answer or a direct reply (small talk such as
 * a greeting, which has confidence 1 but answers nothing), whose confidence reaches the channel's threshold (never
 * below the refusal threshold). Otherwise the bot stays silent and leaves the question to people.
 */
export function shouldPostUnasked(answer: UnaskedAnswer, threshold: number): boolean {
  return !answer.skipped && !answer.refused && answer.route === 'retrieve' && answer.confidence >= threshold;
}

/** A taken-over claim on its way back to the face that answers it (see `takeOverExpired`). */
export interface TakenOverDelivery {
  readonly id: string;
  /** The delivery as it was stored with the claim. */
  readonly payload: unknown;
}

export interface DeliveryService {
  /**
   * Claims a platform delivery for this process: the delivery to handle, or undefined when it is a duplicate or a
   * retry another delivery or replica handles (counted and logged here). Slack's claims wait out a store that does
   * not answer for up to `coordination.claimTtlMs` before the error propagates.
   */
  claim(platform: Platform, id: string, options?: ClaimOptions): Promise<ClaimedDelivery | undefined>;
  /**
   * Takes over up to `limit` of a platform's deliveries whose replica stopped renewing their claims; the next
   * `claim()` of each in this process gets it. The sweep (a background job) hands each back to its face.
   */
  takeOverExpired(platform: Platform, limit: number): Promise<TakenOverDelivery[]>;
  /**
   * The per-user limit on a platform's questions (`<platform>.rateLimitPerMinute`): counted in the store for every
   * replica on it or in this process's memory, as `coordination.sharedRateLimits` says. One per platform.
   */
  rateLimiter(platform: RateLimitedPlatform): RateLimiter;
  /** Whether an answer to a question nobody asked the bot may be posted: see `shouldPostUnasked`. */
  shouldPostUnasked(answer: UnaskedAnswer, threshold: number): boolean;
  /**
   * Deletes up to `limit` of the event ids that the exactly-once path before claims kept for a platform
   * (`event:<platform>`, one per delivery, never purged); how many. Nothing reads them now; the clean-up job drains
   * them from stores written by older versions.
   */
  purgeSeenEvents(platform: Platform, limit: number): Promise<number>;
  /**
   * Installations of the app into a platform's workspaces (Slack's OAuth distribution), as the platform SDK's
   * JSON, tokens included: kept in the store, never logged.
   */
  readonly installations: {
    get(platform: string, id: string): Promise<string | undefined>;
    save(platform: string, id: string, json: string): Promise<void>;
    remove(platform: string, id: string): Promise<void>;
  };
}

/** Whether a platform's claim is held while answering (retried later by the platform) or finished at once. */
const heldWhileAnswering: Record<Platform, boolean> = {
  slack: true,
  discord: false,
  cli: false,
  tui: false,
  api: false,
};

const platformName = (platform: Platform) => platform.charAt(0).toUpperCase() + platform.slice(1);

export function createDeliveryService(dependencies: {
  records: Pick<KeyValueStore, 'getValue' | 'setValue' | 'deleteValues'>;
  /** The claims on deliveries, and the rate limit counters in the store (when limits are shared). */
  coordination: {
    claims: Pick<ClaimService, 'claim' | 'takeOverExpired'>;
    rateLimits: SharedRateLimitService;
  };
  /** Whether the bot already posted an answer to a question (the thread memory's record). */
  threads: {
    answerPosted(place: { platform: Platform; channel: string }, questionId: string): Promise<boolean>;
  };
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  /** coordination.claimTtlMs (how long a held claim waits out a store that does not answer), the rate limits. */
  config: Config;
}): DeliveryService {
  const { records, clock, metrics, logger, config } = dependencies;
  const { claims, rateLimits } = dependencies.coordination;
  const rateLimiter = platformRateLimiters({ config, limits: rateLimits, metrics, logger });
  /** Claims the sweep took over, waiting for their one re-run through the face. */
  const handedOver = new Map<string, Claim>();
  const handedOverKey = (platform: Platform, id: string) => `${platform}\u0000${id}`;

  /** Waits out a store that does not answer for a bounded time: a late answer rather than none. */
  async function claimPatiently(platform: Platform, id: string, payload: unknown) {
    const started = clock.now().getTime();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await claims.claim(platform, id, payload);
      } catch (error) {
        const retryable = AnswerloopError.is(error) && error.isRetryable;
        if (!retryable || clock.now().getTime() - started >= config.coordination.claimTtlMs) throw error;
        logger.warn(
          { err: error, platform, deliveryId: id, attempt },
          'Could not claim a delivery: the store did not answer; retrying',
        );
        await clock.sleep(Math.min(250 * 2 ** attempt, 2000));
      }
    }
  }

  const answeredAlready = (platform: Platform, question: ClaimOptions['question']) =>
    question
      ? dependencies.threads
          .answerPosted({ platform, channel: question.channel }, question.messageId)
          .catch(() => false)
      : Promise.resolve(false);

  const answeredOnPlatform = async (
    platform: Platform,
    id: string,
    check: ClaimOptions['answeredOnPlatform'],
  ): Promise<boolean> => {
    if (!check) return false;
    try {
      return await check();
    } catch (error) {
      logger.warn(
        { err: error, platform, deliveryId: id },
        'Could not read the platform for an answer to a taken-over delivery; answering it',
      );
      return false;
    }
  };

  function held(platform: Platform, claim: Claim): ClaimedDelivery {
    return {
      platform,
      id: claim.id,
      takenOver: claim.takenOver,
      stillOwned: async () => (claim.lost ? false : claim.renew().catch(() => true)),
      async handle(work) {
        const stopRenewing = claim.keepRenewing();
        let result;
        try {
          result = await work();
        } catch (error) {
          stopRenewing();
          await claim
            .release()
            .catch((releaseError: unknown) =>
              logger.warn({ err: releaseError, platform, deliveryId: claim.id }, 'Could not release a claim'),
            );
          throw error;
        }
        stopRenewing();
        await claim
          .finish()
          .catch((finishError: unknown) =>
            logger.warn(
              { err: finishError, platform, deliveryId: claim.id },
              'Could not mark a delivery answered',
            ),
          );
        return result;
      },
    };
  }

  const finishedAtOnce = (platform: Platform, id: string): ClaimedDelivery => ({
    platform,
    id,
    takenOver: false,
    stillOwned: async () => true,
    handle: (work) => work(),
  });

  return {
    async claim(platform, id, options = {}) {
      const hold = heldWhileAnswering[platform];
      const key = handedOverKey(platform, id);
      let claim = handedOver.get(key);
      handedOver.delete(key);
      if (!claim) {
        const attempt = hold
          ? await claimPatiently(platform, id, options.payload)
          : await claims.claim(platform, id);
        if (attempt.status !== 'claimed') {
          metrics.increment('duplicate_deliveries_dropped_total', {
            platform,
            reason: attempt.status === 'held' ? 'in_progress' : attempt.state,
          });
          logger.info(
            {
              platform,
              deliveryId: id,
              claim: attempt.status,
              ...(attempt.status === 'done' ? { state: attempt.state } : {}),
              ...options.details,
            },
            `Dropped a ${platformName(platform)} delivery another delivery or replica already handled`,
          );
          return undefined;
        }
        claim = attempt.claim;
      }
      if (!hold) {
        await claim.finish();
        return finishedAtOnce(platform, id);
      }
      if (claim.takenOver) {
        if (
          (await answeredAlready(platform, options.question)) ||
          (await answeredOnPlatform(platform, id, options.answeredOnPlatform))
        ) {
          // Its replica answered and stopped before marking it: it must not be answered twice.
          await claim.finish().catch(() => undefined);
          logger.info(
            { platform, deliveryId: id },
            'A taken-over delivery was already answered; marking it done',
          );
          return undefined;
        }
        const waitedMs = clock.now().getTime() - claim.firstClaimedAt;
        metrics.increment('claims_taken_over_total', { platform });
        metrics.observe('claim_takeover_wait_seconds', waitedMs / 1000, { platform });
        logger.info(
          { platform, deliveryId: id, attempts: claim.attempts, waitedMs },
          'Answering a delivery another replica left unfinished',
        );
      }
      return held(platform, claim);
    },

    async takeOverExpired(platform, limit) {
      const deliveries: TakenOverDelivery[] = [];
      for (const claim of await claims.takeOverExpired(platform, limit)) {
        if (!claim.payload || typeof claim.payload !== 'object') {
          logger.warn(
            { platform, deliveryId: claim.id },
            'A taken-over claim has no delivery to answer; marking it done',
          );
          await claim.finish();
          continue;
        }
        handedOver.set(handedOverKey(platform, claim.id), claim);
        logger.info(
          { platform, deliveryId: claim.id, attempts: claim.attempts },
          'Took over a delivery whose replica stopped',
        );
        deliveries.push({ id: claim.id, payload: claim.payload });
      }
      return deliveries;
    },

    shouldPostUnasked,
    rateLimiter,
    purgeSeenEvents: (platform, limit) => records.deleteValues(`event:${platform}`, limit),

    installations: {
      // An uninstalled workspace keeps an empty value: the key-value store has no delete.
      get: async (platform, id) => (await records.getValue(`installation:${platform}`, id)) || undefined,
      save: (platform, id, json) => records.setValue(`installation:${platform}`, id, json),
      remove: (platform, id) => records.setValue(`installation:${platform}`, id, ''),
    },
  };
}
