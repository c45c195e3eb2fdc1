// The Slack face: start it with startSlackBot; the start command asks slackConfigured whether to.
export { startSlackBot, type SlackBot, type SlackBotOptions } from './app.ts';
export { requireSlackSecrets, slackConfigured } from './slack-settings.ts';
