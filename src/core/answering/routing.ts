import type { RouteRule } from '../config/index.ts';
import type { SearchFilters } from '../ports/index.ts';

export interface RouteDecision {
  route: 'retrieve' | 'direct';
  filters: SearchFilters;
  /** Index of the rule that matched, for the log. */
  rule?: number;
}

function mergeFilters(a: SearchFilters | undefined, b: SearchFilters | undefined): SearchFilters {
  const tags = [...(a?.tags ?? []), ...(b?.tags ?? [])];
  const sourcePrefixes = [...(a?.sourcePrefixes ?? []), ...(b?.sourcePrefixes ?? [])];
  return { ...(tags.length ? { tags } : {}), ...(sourcePrefixes.length ? { sourcePrefixes } : {}) };
}

/**
 * The "selective hybrid" pattern: the first rule whose channel or pattern matches decides whether to
 * retrieve (with its filters) or to send the question straight to the model. Default: retrieve.
 */
export function decideRoute(
  rules: readonly RouteRule[],
  question: string,
  channel: string | undefined,
  faceFilters?: SearchFilters,
): RouteDecision {
  for (const [index, rule] of rules.entries()) {
    const channelMatches = rule.channel === undefined || rule.channel === channel;
    const patternMatches = rule.pattern === undefined || new RegExp(rule.pattern, 'i').test(question);
    if (channelMatches && patternMatches) {
      return { route: rule.route, filters: mergeFilters(faceFilters, rule.filters), rule: index };
    }
  }
  return { route: 'retrieve', filters: mergeFilters(faceFilters, undefined) };
}
