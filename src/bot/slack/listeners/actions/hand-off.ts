import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import { feedbackActionIds } from '../../../render/slack-answer-blocks.ts';
import {
  handoffAlreadyNotice,
  handoffDoneNotice,
  handoffFailedNotice,
  handoffUnavailableNotice,
  renderSlackHandoff,
} from '../../../render/slack-handoff.ts';
import { answerGoneNotice } from '../../../render/slack-notices.ts';
import { channelSettingsFor, type SlackBotDependencies } from '../../slack-bot-dependencies.ts';

function slackErrorCode(error: unknown): string {
  const failure = error as { data?: { error?: string }; code?: string; message?: string };
  return failure.data?.error ?? failure.code ?? failure.message ?? String(error);
}

/**
 * "Ask a person" under an answer or a refusal: the question, the bot's answer, its sources and confidence and
 * a link to the thread go to the channel's escalation place (`handoff.channel`, calling `handoff.mention`),
 * the conversation is marked handed off, and the person who clicked hears privately who will follow up.
 * Once per conversation: a second click or a redelivered click hears that it is on its way.
 */
export function registerHandOff(app: App, dependencies: SlackBotDependencies): void {
  const { core, logger } = dependencies;
  app.action<BlockAction<ButtonAction>>(feedbackActionIds.handoff, async ({ ack, action, body, client }) => {
    await ack();
    const conversationId = action.value ?? '';
    const clickedIn = body.channel?.id ?? body.container?.channel_id;
    const threadTs = body.message?.thread_ts ?? body.container?.thread_ts ?? body.message?.ts;
    const tell = async (text: string) => {
      if (!clickedIn) return;
      await client.chat.postEphemeral({
        channel: clickedIn,
        user: body.user.id,
        text,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    };

    const record = await core.getConversation(conversationId);
    const handoff = record
      ? channelSettingsFor(dependencies, record.channel, record.channel.startsWith('D')).handoff
      : undefined;
    if (record && !handoff) {
      logger.info(
        { conversationId, channel: record.channel },
        'A hand-off click where hand-off is no longer set up',
      );
      await tell(handoffUnavailableNotice());
      return;
    }
    const started = await core.handOff.start(conversationId, { platform: 'slack', userId: body.user.id });
    if (started.status === 'not_found' || !record || !handoff) {
      await tell(answerGoneNotice());
      return;
    }
    if (started.status === 'already') {
      logger.info({ conversationId }, 'A second hand-off of a question already with a person');
      await tell(handoffAlreadyNotice());
      return;
    }

    const target = handoff.channel ?? record.channel;
    const answerTs = body.message?.ts ?? record.messageId;
    const permalink = await client.chat
      .getPermalink({ channel: record.channel, message_ts: answerTs ?? record.thread })
      .then((result) => result.permalink)
      .catch((error: unknown) => {
        logger.warn({ reason: slackErrorCode(error), conversationId }, 'Could not get a link to the thread');
        return undefined;
      });
    const content = renderSlackHandoff({
      record,
      askerId: body.user.id,
      ...(handoff.mention ? { mention: handoff.mention } : {}),
      ...(permalink ? { permalink } : {}),
    });
    try {
      await postHandoff(client, target, handoff.channel ? undefined : record.thread || undefined, content);
    } catch (error) {
      const reason = slackErrorCode(error);
      logger.error(
        { conversationId, channel: target, reason },
        `Could not post a hand-off to ${target} (${reason}): invite the bot to that channel (/invite @answerloop), or fix slack.channels.${record.channel}.handoff.channel`,
      );
      await core.handOff.fail(
        conversationId,
        'slack',
        reason === 'not_in_channel' ? 'not_in_channel' : 'post_failed',
      );
      await tell(handoffFailedNotice());
      return;
    }
    await core.handOff.finish(conversationId, { platform: 'slack', userId: body.user.id, place: target });
    logger.info({ conversationId, channel: target }, 'Handed a question to a person');
    await tell(handoffDoneNotice(handoff));
  });
}

async function postHandoff(
  client: webApi.WebClient,
  channel: string,
  threadTs: string | undefined,
  content: { text: string; blocks: unknown[] },
): Promise<void> {
  await client.chat.postMessage({
    channel,
    text: content.text,
    blocks: content.blocks as never,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
}
