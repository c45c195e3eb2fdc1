import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type Config,
  ConfigError,
  type Core,
  createCore,
  AnswerloopError,
  loadConfig,
} from '../core/index.ts';

export interface CliContext {
  /** Loads the configuration once (from --config files and the environment). */
  config(): Config;
  /** Opens core once; closed when the command ends. */
  core(): Core;
  close(): Promise<void>;
}

/** Loads .env from the working directory into the environment handed to loadConfig, without overriding. */
function environmentWithDotEnv(): Record<string, string | undefined> {
  const file = path.join(process.cwd(), '.env');
  if (existsSync(file)) process.loadEnvFile(file);
  return process.env;
}

export function createCliContext(getConfigFiles: () => string[]): CliContext {
  let config: Config | undefined;
  let core: Core | undefined;
  return {
    config() {
      config ??= loadConfig({ files: getConfigFiles(), env: environmentWithDotEnv() });
      return config;
    },
    core() {
      core ??= createCore({ config: this.config(), logToStderr: true });
      return core;
    },
    async close() {
      await core?.close();
      core = undefined;
    },
  };
}

/**
 * A file or folder the command could not use (an --answer-file or --out path that is not there, a folder where a
 * file was expected...), as "open notes.md: no such file or directory (ENOENT)"; undefined for any other error.
 */
function fileError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path: where } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string' || typeof where !== 'string') return undefined;
  const reason = /^[A-Z]+: (.*?), \w+ '/.exec(error.message)?.[1] ?? error.message;
  return `${syscall} ${where}: ${reason} (${code})`;
}

/** Prints an error for a person at a terminal and returns the process exit code. */
export function reportCliError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n(see config/default.yaml for every setting and its meaning)\n`);
    return 2;
  }
  if (error instanceof AnswerloopError) {
    process.stderr.write(`error (${error.code}): ${error.message}\n`);
    return error.code === 'input_invalid' ? 2 : 1;
  }
  const file = fileError(error);
  if (file) {
    process.stderr.write(`error (file): could not ${file}\n`);
    return 2;
  }
  process.stderr.write(
    `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
