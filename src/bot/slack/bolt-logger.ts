import { format } from 'node:util';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../core/index.ts';

/** Bolt's own log lines go to the operator log (which redacts secrets) instead of the console. */
export function createBoltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => logger[method]({}, format(...parts));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
