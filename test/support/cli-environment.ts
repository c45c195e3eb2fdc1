import path from 'node:path';

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
