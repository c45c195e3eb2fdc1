import type { App } from '@slack/bolt';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { registerAppHomeOpened } from './app-home-opened.ts';
import { registerAppMention } from './app-mention.ts';
import { registerAppUninstalled } from './app-uninstalled.ts';
import { registerMessage } from './message.ts';
import { registerReactionAdded } from './reaction-added.ts';
import { registerThreadReplies } from './thread-replies.ts';

export function register(app: App, dependencies: SlackBotDependencies): void {
  registerAppMention(app, dependencies);
  registerAppHomeOpened(app, dependencies);
  registerAppUninstalled(app, dependencies);
  registerMessage(app, dependencies);
  registerReactionAdded(app, dependencies);
  registerThreadReplies(app, dependencies);
}
