import { Assistant, type App, type AssistantConfig } from '@slack/bolt';
import { answerQuestion } from '../../answer-question.ts';
import {
  channelSettingsFor,
  claimEvent,
  isExternal,
  type SlackBotDependencies,
} from '../../slack-bot-dependencies.ts';
import { questionFromMessage } from '../../slack-message-text.ts';

const contextEventType = 'assistant_thread_context';
const titleLength = 60;

type ThreadContextStore = NonNullable<AssistantConfig['threadContextStore']>;
type StoreArguments = Parameters<ThreadContextStore['get']>[0];

function threadOf(args: StoreArguments): {
  channel: string;
  threadTs: string;
  context: Record<string, unknown>;
} {
  const payload = args.payload as {
    channel?: string;
    thread_ts?: string;
    assistant_thread?: { channel_id?: string; thread_ts?: string; context?: Record<string, unknown> };
  };
  return {
    channel: payload.assistant_thread?.channel_id ?? payload.channel ?? '',
    threadTs: payload.assistant_thread?.thread_ts ?? payload.thread_ts ?? '',
    context: payload.assistant_thread?.context ?? {},
  };
}

/**
 * The channel a person is viewing, kept on the bot's first message of the panel thread (message metadata),
 * the way Slack suggests: it survives restarts and is the same for every replica. Unlike Bolt's default
 * store it keeps no copy in memory, which would hand one person's context to another's thread.
 */
const threadContextStore: ThreadContextStore = {
  async get(args) {
    const { channel, threadTs } = threadOf(args);
    const replies = await args.client.conversations.replies({
      channel,
      ts: threadTs,
      oldest: threadTs,
      include_all_metadata: true,
      limit: 4,
    });
    const first = replies.messages?.find(
      (message) => !('subtype' in message && message.subtype) && message.user === args.context.botUserId,
    );
    const metadata = first?.metadata as
      { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
    return metadata?.event_type === contextEventType
      ? ((metadata.event_payload ?? {}) as { channel_id?: string })
      : {};
  },
  async save(args) {
    const { channel, threadTs, context } = threadOf(args);
    const replies = await args.client.conversations.replies({
      channel,
      ts: threadTs,
      oldest: threadTs,
      include_all_metadata: true,
      limit: 4,
    });
    const first = replies.messages?.find(
      (message) => !('subtype' in message && message.subtype) && message.user === args.context.botUserId,
    );
    if (!first?.ts) return;
    await args.client.chat.update({
      channel,
      ts: first.ts,
      text: first.text ?? '',
      ...(first.blocks ? { blocks: first.blocks as never } : {}),
      metadata: { event_type: contextEventType, event_payload: context as never },
    });
  },
};

/**
 * The assistant panel (`assistant_view`): a greeting and suggested prompts when a thread starts, the channel
 * the person is viewing remembered as the thread's context, and questions answered in the panel's thread
 * with that channel's knowledge filters, the thread titled from the question.
 */
export function register(app: App, dependencies: SlackBotDependencies): void {
  const { greeting, prompts } = dependencies.settings.assistant;
  const assistant = new Assistant({
    threadContextStore,
    threadStarted: async ({ body, say, setSuggestedPrompts, saveThreadContext }) => {
      if (!(await claimEvent(dependencies, body))) return;
      await say(greeting);
      if (prompts.length > 0)
        await setSuggestedPrompts({
          prompts: prompts.map((prompt) => ({ title: prompt.title, message: prompt.message })),
        });
      await saveThreadContext();
    },
    threadContextChanged: async ({ body, saveThreadContext }) => {
      if (!(await claimEvent(dependencies, body))) return;
      await saveThreadContext();
    },
    userMessage: async ({ body, message, context, client, getThreadContext, setTitle }) => {
      if (message.subtype !== undefined || !('user' in message) || !message.user || message.bot_id) return;
      if (context.botUserId && message.user === context.botUserId) return;
      if (!(await claimEvent(dependencies, body))) return;
      const viewing = (await getThreadContext()).channel_id;
      const filters = viewing ? channelSettingsFor(dependencies, viewing, false).filters : undefined;
      const question = questionFromMessage(message.text, context.botUserId);
      if (question) {
        await setTitle(
          question.length > titleLength ? `${question.slice(0, titleLength - 1).trimEnd()}…` : question,
        ).catch((error: unknown) =>
          dependencies.logger.debug({ err: error }, 'Could not title the assistant thread'),
        );
      }
      await answerQuestion(
        dependencies,
        client,
        {
          channel: message.channel,
          isDirect: true,
          userId: message.user,
          text: message.text ?? '',
          ts: message.ts,
          external: isExternal(body, message as { user_team?: unknown }),
          ...('thread_ts' in message && message.thread_ts ? { threadTs: message.thread_ts } : {}),
          ...(context.teamId ? { teamId: context.teamId } : {}),
          ...(context.botUserId ? { botUserId: context.botUserId } : {}),
        },
        { reply: 'thread', assistantThread: true, ...(filters ? { filters } : {}) },
      );
    },
  });
  app.assistant(assistant);
}
