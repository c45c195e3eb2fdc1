import { format } from 'node:util';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { type Logger, redactSecrets } from '../../core/index.ts';

/**
 * Bolt's own log lines go to the operator log instead of the console. At debug level the SDK prints whole
 * request and response bodies (an OAuth exchange carries the client secret and the new workspace's token),
 * so every line is cleared of the configured secrets and of anything shaped like a token first.
 */
export function createBoltLogger(logger: Logger, secrets: readonly string[] = []): BoltLogger {
  let level = LogLevel.INFO;
  const known = secrets.filter((secret) => secret.length >= 6);
  const clean = (text: string) =>
    redactSecrets(known.reduce((result, secret) => result.split(secret).join('[REDACTED]'), text));
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) =>
      logger[method]({}, clean(format(...parts)));
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
