import type { App } from '@slack/bolt';
import type { SlackBotDependencies } from '../slack-bot-dependencies.ts';
import { register as registerActions } from './actions/index.ts';
import { register as registerEvents } from './events/index.ts';
import { register as registerMiddleware } from './middleware/index.ts';
import { register as registerViews } from './views/index.ts';

/** Every listener of the Slack face; global middleware first, since Bolt runs it in order. */
export function registerListeners(app: App, dependencies: SlackBotDependencies): void {
  registerMiddleware(app, dependencies);
  registerEvents(app, dependencies);
  registerActions(app, dependencies);
  registerViews(app, dependencies);
}
