export * from './answerloop-error.ts';
