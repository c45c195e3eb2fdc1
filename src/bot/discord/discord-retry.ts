import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';
import pRetry from 'p-retry';

/** True for a Discord API error with one of these JSON error codes. */
export function isDiscordError(error: unknown, ...codes: RESTJSONErrorCodes[]): boolean {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && codes.includes(error.code);
}

/**
 * Runs `operation`, again after a short wait while `isTransient` says its failure is one Discord clears
 * by itself (a new forum post refuses messages with 40058 and hides its starter message with 10008 for a
 * moment after creation). Any other failure, or the last one, is thrown. The waits double from the first and are
 * short by default, because someone is looking at a new post: 200, 400, 800 and 1600 ms, five attempts in about 3 s.
 */
export function retryTransient<T>(
  operation: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  waits: { retries: number; firstMs: number } = { retries: 4, firstMs: 200 },
): Promise<T> {
  return pRetry(operation, {
    retries: waits.retries,
    minTimeout: waits.firstMs,
    factor: 2,
    shouldRetry: ({ error }) => isTransient(error),
  });
}
