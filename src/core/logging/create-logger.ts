import { mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import path from 'node:path';
import pino from 'pino';
import { ConfigError } from '../errors/index.ts';
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
    try {
      mkdirSync(path.dirname(options.file), { recursive: true });
    } catch (error) {
      // A data folder that is a file, or one this user may not create: a setting to fix, not a crash.
      throw new ConfigError([
        `dataDir / logFile: the operator log ${options.file} cannot be written (${(error as Error).message}); set dataDir (ANSWERLOOP_DATA_DIR) to a folder answerloop may create and write, or logFile to ''`,
      ]);
    }
    streams.push({
      level: options.level as pino.Level,
      stream: pino.destination({ dest: options.file, sync: false, mkdir: true }),
    });
  }
  if (options.stderr || !options.file) streams.push({ level: 'warn', stream: humanReadable(process.stderr) });
  const base = pino(
    {
      level: options.level,
      redact: {
        paths: [
          'apiKey',
          'token',
          'password',
          'authorization',
          '*.apiKey',
          '*.token',
          '*.password',
          '*.authorization',
          'headers.authorization',
        ],
        censor: '[REDACTED]',
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) =>
            typeof arg === 'string' ? redactSecrets(arg) : arg,
          ) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
      formatters: {
        log(object) {
          const err = object.err;
          if (err instanceof Error) {
            return {
              ...object,
              err: {
                name: err.name,
                message: redactSecrets(err.message),
                code: (err as { code?: unknown }).code,
              },
            };
          }
          return object;
        },
      },
    },
    pino.multistream(streams),
  );
  return base as unknown as Logger;
}

const levelNames: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};
const quietFields = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'component']);

/** Operators at a terminal read `warning: message (key=value)`, not JSON; the log file keeps the JSON. */
function humanReadable(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          const facts = Object.entries(entry)
            .filter(([key]) => !quietFields.has(key))
            .map(
              ([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
            );
          const component = entry.component ? `[${String(entry.component)}] ` : '';
          target.write(
            `${levelNames[Number(entry.level)] ?? 'log'}: ${component}${String(entry.msg ?? '')}${facts.length ? ` (${facts.join(', ')})` : ''}\n`,
          );
        } catch {
          target.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
