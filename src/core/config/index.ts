export * from './schema.ts';
export * from './load-config.ts';
export * from './local-settings.ts';
