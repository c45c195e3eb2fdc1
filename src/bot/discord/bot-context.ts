import type { Core, Logger } from '../../core/index.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import type { AccessPolicy } from './access-policy.ts';

/** What every Discord handler gets: core, and the face's own policies. */
export interface DiscordBotContext {
  core: Core;
  logger: Logger;
  access: AccessPolicy;
  rateLimiter: RateLimiter;
}
