import { AnswerloopError, type Config } from '../../core/index.ts';

export interface SlackSecrets {
  /** Single-workspace distribution only; with OAuth each workspace's token comes from its installation. */
  botToken?: string;
  /** Socket Mode only. */
  appToken?: string;
  /** HTTP mode only. */
  signingSecret?: string;
  /** OAuth distribution only. */
  oauth?: { clientId: string; clientSecret: string; stateSecret: string };
}

const why: Record<string, string> = {
  SLACK_BOT_TOKEN: 'the bot token (xoxb-...) from OAuth & Permissions',
  SLACK_APP_TOKEN: 'an app-level token (xapp-...) with connections:write, needed by slack.mode: socket',
  SLACK_SIGNING_SECRET: 'the signing secret from Basic Information, needed by slack.mode: http',
  SLACK_CLIENT_ID: 'the Client ID from Basic Information, needed by slack.distribution: oauth',
  SLACK_CLIENT_SECRET: 'the Client Secret from Basic Information, needed by slack.distribution: oauth',
  SLACK_STATE_SECRET:
    'a long random string of your own, which signs the OAuth state (slack.distribution: oauth)',
};

/** The tokens the configured mode needs; undefined names the first one missing. */
function missingSecret(config: Config): string | undefined {
  const { secrets, slack } = config;
  if (slack.distribution === 'oauth') {
    if (!secrets.slackClientId) return 'SLACK_CLIENT_ID';
    if (!secrets.slackClientSecret) return 'SLACK_CLIENT_SECRET';
    if (!secrets.slackStateSecret) return 'SLACK_STATE_SECRET';
  } else if (!secrets.slackBotToken) return 'SLACK_BOT_TOKEN';
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
  const { secrets, slack } = config;
  if (slack.distribution === 'oauth' && slack.mode !== 'http') {
    throw new AnswerloopError(
      'config_invalid',
      'slack.distribution: oauth needs slack.mode: http, which serves /slack/install and /slack/oauth_redirect. See docs/slack.md.',
    );
  }
  const missing = missingSecret(config);
  if (missing)
    throw new AnswerloopError(
      'config_invalid',
      `Slack cannot start: set ${missing} to ${why[missing]}. See docs/slack.md.`,
    );
  return {
    ...(slack.distribution === 'oauth'
      ? {
          oauth: {
            clientId: secrets.slackClientId!,
            clientSecret: secrets.slackClientSecret!,
            stateSecret: secrets.slackStateSecret!,
          },
        }
      : { botToken: secrets.slackBotToken! }),
    ...(slack.mode === 'socket'
      ? { appToken: secrets.slackAppToken! }
      : { signingSecret: secrets.slackSigningSecret! }),
  };
}
