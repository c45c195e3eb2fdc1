export * from './reciprocal-rank-fusion.ts';
export * from './hybrid-search.ts';
export * from './convex-score-fusion.ts';
