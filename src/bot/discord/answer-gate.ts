import type { AskResult } from '../../core/index.ts';

/**
 * Whether an answer nobody asked the bot for (a forum post, a question in a help channel) may be posted:
 * a documentation answer, not a refusal or small talk, whose confidence reaches the channel's threshold
 * (which is never below the refusal threshold). Otherwise the bot stays silent and leaves it to people.
 */
export function confidentEnough(
  result: Pick<AskResult, 'refused' | 'route' | 'confidence'>,
  threshold: number,
): boolean {
  return !result.refused && result.route === 'retrieve' && result.confidence >= threshold;
}
