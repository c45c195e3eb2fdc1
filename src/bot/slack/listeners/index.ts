import type { App } from '@slack/bolt';
import type { SlackBotDependencies } from '../slack-bot-dependencies.ts';
import { register as registerActions } from './actions/index.ts';
import { register as registerAssistant } from './assistant/index.ts';
import { register as registerCommands } from './commands/index.ts';
import { register as registerEvents } from './events/index.ts';
import { register as registerMiddleware } from './middleware/index.ts';
import { register as registerShortcuts } from './shortcuts/index.ts';
import { register as registerViews } from './views/index.ts';

/** Every listener of the Slack face; global middleware first, since Bolt runs it in order. */
export function registerListeners(app: App, dependencies: SlackBotDependencies): void {
  registerMiddleware(app, dependencies);
  // The panel's messages are direct messages in a thread: the assistant takes them before the message listener.
  if (dependencies.settings.assistant.panel) registerAssistant(app, dependencies);
  registerEvents(app, dependencies);
  registerCommands(app, dependencies);
  registerShortcuts(app, dependencies);
  registerActions(app, dependencies);
  registerViews(app, dependencies);
}
