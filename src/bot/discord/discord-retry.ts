import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';

/** Waits between attempts: short, because someone is looking at a new post; five attempts in about 4 s. */
const defaultDelaysMs = [200, 400, 800, 1600];

/** True for a Discord API error with one of these JSON error codes. */
export function isDiscordError(error: unknown, ...codes: RESTJSONErrorCodes[]): boolean {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && codes.includes(error.code);
}

/**
 * Runs `operation`, again after a short wait while `isTransient` says its failure is one Discord clears
 * by itself (a new forum post refuses messages with 40058 and hides its starter message with 10008 for a
 * moment after creation). Any other failure, or the last one, is thrown.
 */
export async function retryTransient<T>(
  operation: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  delaysMs: readonly number[] = defaultDelaysMs,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      const delay = delaysMs[attempt];
      if (delay === undefined || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
