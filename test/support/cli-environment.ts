import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The environment of a CLI process run by a test: its own HOME and data folder inside the workspace, no log file,
 * warnings only, the embedded store and offline answers; `extra` adds or overrides variables.
 */
export function cliEnvironment(
  workspace: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: workspace,
    ANSWERLOOP_DATA_DIR: path.join(workspace, 'data'),
    ANSWERLOOP_LOG_FILE: '',
    ANSWERLOOP_LOG_LEVEL: 'warn',
    ANSWERLOOP_STORE: 'embedded',
    ANSWERLOOP_ANSWERING__MODE: 'offline',
    ...extra,
  };
}

const binary = path.resolve(import.meta.dirname, '../../bin/answerloop.js');

/** Runs the real `answerloop` binary in a workspace and gives its standard output; a failure rejects with code and stderr. */
export async function runAnswerloop(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [binary, ...args], {
    cwd: options.cwd,
    env: options.env,
    timeout: options.timeoutMs ?? 120_000,
  });
  return stdout;
}
