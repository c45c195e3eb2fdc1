import type { App } from '@slack/bolt';
import { claimEvent, type SlackBotDependencies } from '../../slack-bot-dependencies.ts';

/**
 * Slack's agent messaging experience (`agent_view`): the Messages tab of App Home. The first time a person
 * opens it the bot greets them and lists what they can ask; questions then arrive as direct messages.
 */
export function registerAppHomeOpened(app: App, dependencies: SlackBotDependencies): void {
  app.event('app_home_opened', async ({ event, body, client, context }) => {
    if (event.tab !== 'messages' || !event.channel) return;
    if (!(await claimEvent(dependencies, body))) return;
    const history = await client.conversations.history({ channel: event.channel, limit: 20 });
    if (
      history.messages?.some(
        (message) => message.bot_id || (context.botUserId && message.user === context.botUserId),
      )
    )
      return;
    const { greeting, prompts } = dependencies.settings.assistant;
    const examples = prompts.map((prompt) => `• ${prompt.message}`).join('\n');
    await client.chat.postMessage({
      channel: event.channel,
      text: examples ? `${greeting}\n${examples}` : greeting,
    });
  });
}
