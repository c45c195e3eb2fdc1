export * from './reciprocal-rank-fusion.ts';
export * from './hybrid-search.ts';
