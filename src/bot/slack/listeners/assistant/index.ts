import { Assistant, type App, type AssistantConfig } from '@slack/bolt';
import type { Core } from '../../../../core/index.ts';
import { answerQuestion } from '../../answer-question.ts';
import { deliveryOf } from '../middleware/index.ts';
import { channelSettingsFor, isExternal, type SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { questionFromMessage } from '../../slack-message-text.ts';
import { slackTime } from '../../thread-record.ts';

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
 * The channel a person is viewing, kept in answerloop's store (read on every question, so never a history read:
 * Slack allows distributed apps one conversations.replies a minute) and on the bot's first message of the panel
 * thread (message metadata), the way Slack suggests. Both survive restarts and are the same for every replica.
 * Unlike Bolt's default store it keeps no copy in memory, which would hand one person's context to another's
 * thread. Threads from before the store kept it are read from the metadata.
 */
function createThreadContextStore(core: Core): ThreadContextStore {
  return {
    async get(args) {
      const { channel, threadTs } = threadOf(args);
      const stored = await core.threads.context({ platform: 'slack', channel, thread: threadTs });
      if (stored) return stored as { channel_id?: string };
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
      await core.threads.saveContext({ platform: 'slack', channel, thread: threadTs }, context);
      // The metadata copy is a courtesy for other readers: a new thread has no message yet, and a rate-limited
      // read loses nothing, since the store has the context.
      const replies = await args.client.conversations
        .replies({ channel, ts: threadTs, oldest: threadTs, include_all_metadata: true, limit: 4 })
        .catch(() => undefined);
      if (!replies) return;
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
}

/**
 * The assistant panel (`assistant_view`): a greeting and suggested prompts when a thread starts, the channel
 * the person is viewing remembered as the thread's context, and questions answered in the panel's thread
 * with that channel's knowledge filters, the thread titled from the question.
 */
export function register(app: App, dependencies: SlackBotDependencies): void {
  const { greeting, prompts } = dependencies.settings.assistant;
  const assistant = new Assistant({
    threadContextStore: createThreadContextStore(dependencies.core),
    threadStarted: async ({ body, say, setSuggestedPrompts, saveThreadContext }) => {
      // Kept first, so the greeting carries it and no question in the thread reads Slack's history for it.
      await saveThreadContext();
      const greeted = await say(greeting);
      // The bot's own first message makes the thread one it takes part in: its questions read no history.
      const { channel, threadTs } = threadOf({ payload: body.event } as unknown as StoreArguments);
      if (greeted.ts)
        await dependencies.core.threads.record({
          platform: 'slack',
          channel,
          thread: threadTs,
          messageId: greeted.ts,
          role: 'assistant',
          text: greeting,
          at: slackTime(greeted.ts),
        });
      if (prompts.length > 0)
        await setSuggestedPrompts({
          prompts: prompts.map((prompt) => ({ title: prompt.title, message: prompt.message })),
        });
    },
    threadContextChanged: async ({ saveThreadContext }) => {
      await saveThreadContext();
    },
    userMessage: async ({ body, message, context, client, getThreadContext, setTitle }) => {
      if (message.subtype !== undefined || !('user' in message) || !message.user || message.bot_id) return;
      if (context.botUserId && message.user === context.botUserId) return;
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
        {
          reply: 'thread',
          assistantThread: true,
          delivery: deliveryOf(context),
          ...(filters ? { filters } : {}),
        },
      );
    },
  });
  app.assistant(assistant);
}
