import { AnswerloopError, type Config } from '../../core/index.ts';

export interface SlackSecrets {
  botToken: string;
  /** Socket Mode only. */
  appToken?: string;
  /** HTTP mode only. */
  signingSecret?: string;
}

/** The tokens the configured mode needs; undefined names the first one missing. */
function missingSecret(config: Config): string | undefined {
  const { secrets, slack } = config;
  if (!secrets.slackBotToken) return 'SLACK_BOT_TOKEN';
  if (slack.mode === 'socket' && !secrets.slackAppToken) return 'SLACK_APP_TOKEN';
  if (slack.mode === 'http' && !secrets.slackSigningSecret) return 'SLACK_SIGNING_SECRET';
  return undefined;
}

/**
 * Whether `answerloop start` should start the Slack bot: `slack.enabled: true` always (a missing token is then
 * a clear error at start), `auto` when the tokens of the configured mode are all set, `false` never.
 */
export function slackConfigured(config: Config): boolean {
  if (config.slack.enabled === 'auto') return missingSecret(config) === undefined;
  return config.slack.enabled;
}

/** The tokens of the configured mode, or a config error naming the environment variable to set. */
export function requireSlackSecrets(config: Config): SlackSecrets {
  const missing = missingSecret(config);
  if (missing) {
    const why =
      missing === 'SLACK_BOT_TOKEN'
        ? 'the bot token (xoxb-...) from OAuth & Permissions'
        : missing === 'SLACK_APP_TOKEN'
          ? 'an app-level token (xapp-...) with connections:write, needed by slack.mode: socket'
          : 'the signing secret from Basic Information, needed by slack.mode: http';
    throw new AnswerloopError('config_invalid', `Slack cannot start: set ${missing} to ${why}. See docs/slack.md.`);
  }
  const { secrets, slack } = config;
  return {
    botToken: secrets.slackBotToken!,
    ...(slack.mode === 'socket' ? { appToken: secrets.slackAppToken! } : { signingSecret: secrets.slackSigningSecret! }),
  };
}
