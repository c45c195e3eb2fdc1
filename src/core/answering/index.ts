export * from './types.ts';
export { createAnsweringService, type AnsweringDependencies, type AnsweringService } from './ask.ts';
