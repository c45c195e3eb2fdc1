import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Logger } from '../ports/index.ts';
import { redactSecrets } from './redact-secrets.ts';

export interface LoggerOptions {
  level: string;
  /** Absolute path of the operator log file, or '' for stderr only. */
  file: string;
  /** Also print warnings and errors on stderr (the CLI wants this; tests do not). */
  stderr: boolean;
}

/**
 * The operator log: JSON lines (pino) in a file, warnings also on stderr. Known secret fields are
 * removed by path, and every message string passes through the secret redactor.
 */
export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  if (options.file) {
    mkdirSync(path.dirname(options.file), { recursive: true });
    streams.push({ level: options.level as pino.Level, stream: pino.destination({ dest: options.file, sync: false, mkdir: true }) });
  }
  if (options.stderr || !options.file) streams.push({ level: 'warn', stream: process.stderr });
  const base = pino(
    {
      level: options.level,
      redact: {
        paths: ['apiKey', 'token', 'password', 'authorization', '*.apiKey', '*.token', '*.password', '*.authorization', 'headers.authorization'],
        censor: '[REDACTED]',
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
      formatters: {
        log(object) {
          const err = object.err;
          if (err instanceof Error) {
            return { ...object, err: { name: err.name, message: redactSecrets(err.message), code: (err as { code?: unknown }).code } };
          }
          return object;
        },
      },
    },
    pino.multistream(streams),
  );
  return base as unknown as Logger;
}
