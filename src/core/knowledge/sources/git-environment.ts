/**
 * The environment every git command of answerloop runs in: never waits for a password nobody will type, never
 * reads the operator's own prompts, and gives credentials as git configuration in the environment (not on a
 * command line anyone can list).
 */
export function nonInteractiveGitEnvironment(
  extraConfig: ReadonlyArray<[string, string]> = [],
): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    LC_ALL: 'C',
  };
  if (extraConfig.length > 0) {
    environment.GIT_CONFIG_COUNT = String(extraConfig.length);
    extraConfig.forEach(([key, value], index) => {
      environment[`GIT_CONFIG_KEY_${index}`] = key;
      environment[`GIT_CONFIG_VALUE_${index}`] = value;
    });
  }
  return environment;
}
