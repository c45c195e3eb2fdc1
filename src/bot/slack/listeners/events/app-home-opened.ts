import type { App } from '@slack/bolt';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { slackTime } from '../../thread-record.ts';

/**
 * Slack's agent messaging experience (`agent_view`): the Messages tab of App Home. The first time a person
 * opens it the bot greets them and lists what they can ask; questions then arrive as direct messages.
 */
export function registerAppHomeOpened(app: App, dependencies: SlackBotDependencies): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'messages' || !event.channel) return;
    // The store knows whether the bot ever wrote here: no history read (one a minute for distributed apps).
    const place = { platform: 'slack' as const, channel: event.channel, thread: '' };
    const { core } = dependencies;
    const [{ total }, greeted] = await Promise.all([
      core.listConversations({ platform: 'slack', channel: event.channel, limit: 1 }),
      core.threads.takesPart(place),
    ]);
    if (total > 0 || greeted) return;
    const { greeting, prompts } = dependencies.settings.assistant;
    const examples = prompts.map((prompt) => `• ${prompt.message}`).join('\n');
    const text = examples ? `${greeting}\n${examples}` : greeting;
    const posted = await client.chat.postMessage({ channel: event.channel, text });
    if (posted.ts)
      await core.threads.record({
        ...place,
        messageId: posted.ts,
        role: 'assistant',
        text,
        at: slackTime(posted.ts),
      });
  });
}
