import type { App, BlockAction, ButtonAction, RespondFn, webApi } from '@slack/bolt';
import {
  feedbackActionIds,
  type FeedbackKind,
  parseRatingValue,
  renderSlackAnswer,
} from '../../../render/slack-answer-blocks.ts';
import { answerFromRecord } from '../../../render/answer-view.ts';
import { renderCorrectionModal } from '../../../render/slack-correction-modal.ts';
import { answerGoneNotice, feedbackThanksNotice } from '../../../render/slack-notices.ts';
import { hashUserId } from '../../../../core/index.ts';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';
import { registerHandOff } from './hand-off.ts';

/** A click on Slack's feedback_buttons element: which of the two, with the value of the clicked one. */
interface FeedbackButtonsAction {
  type: 'feedback_buttons';
  action_id: string;
  value: string;
}

/**
 * The buttons under an answer. Each handler acknowledges first (Slack gives three seconds). A rating is
 * stored on the conversation and thanked privately, so the answer stays as everyone else sees it.
 */
export function register(app: App, dependencies: SlackBotDependencies): void {
  const thank = async (client: webApi.WebClient, body: BlockAction, kind: FeedbackKind) => {
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!channel) return;
    const threadTs = body.message?.thread_ts ?? body.container?.thread_ts;
    await client.chat.postEphemeral({
      channel,
      user: body.user.id,
      text: feedbackThanksNotice(kind === 'helpful'),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
  };
  const store = (conversationId: string, kind: FeedbackKind, userId: string) =>
    dependencies.core.recordFeedback(conversationId, {
      helpful: kind === 'helpful',
      by: hashUserId('slack', userId),
    });

  app.action<BlockAction>(feedbackActionIds.rating, async ({ ack, action, body, client }) => {
    await ack();
    const rating = parseRatingValue((action as unknown as FeedbackButtonsAction).value);
    if (!rating) {
      dependencies.logger.warn(
        { actionId: feedbackActionIds.rating },
        'A feedback click without a readable value',
      );
      return;
    }
    await store(rating.conversationId, rating.kind, body.user.id);
    await thank(client, body, rating.kind);
  });

  // Answers posted before feedback_buttons carry two plain buttons: they keep working.
  for (const kind of ['helpful', 'not_helpful'] as const) {
    app.action<BlockAction<ButtonAction>>(
      kind === 'helpful' ? feedbackActionIds.helpful : feedbackActionIds.notHelpful,
      async ({ ack, action, body, client }) => {
        await ack();
        await store(action.value ?? '', kind, body.user.id);
        await thank(client, body, kind);
      },
    );
  }

  app.action<BlockAction<ButtonAction>>(
    feedbackActionIds.suggestCorrection,
    async ({ ack, action, body, client }) => {
      await ack();
      const channel = body.channel?.id ?? body.container?.channel_id;
      if (!channel) return;
      const threadTs = body.message?.thread_ts ?? body.message?.ts ?? body.container?.thread_ts;
      // The trigger id expires three seconds after the click: open the modal before any other work.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: renderCorrectionModal({
          conversationId: action.value ?? '',
          channel,
          ...(threadTs ? { threadTs } : {}),
        }) as never,
      });
    },
  );

  // A private answer, shared: posted for everyone with who asked, and the private copy removed.
  app.action<BlockAction<ButtonAction>>(feedbackActionIds.share, async ({ ack, action, body, respond }) => {
    await ack();
    const record = await dependencies.core.getConversation(action.value ?? '');
    if (!record || record.user !== hashUserId('slack', body.user.id)) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: answerGoneNotice() });
      return;
    }
    const parts = renderSlackAnswer(answerFromRecord(record), {
      askedBy: { userId: body.user.id, question: record.question },
    });
    const threadTs = record.thread || undefined;
    for (const part of parts) {
      await (respond as RespondFn)({
        response_type: 'in_channel',
        replace_original: false,
        text: part.text,
        blocks: part.blocks as never,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    }
    await respond({ delete_original: true });
  });

  app.action<BlockAction<ButtonAction>>(feedbackActionIds.dismiss, async ({ ack, respond }) => {
    await ack();
    await respond({ delete_original: true });
  });

  registerHandOff(app, dependencies);
}
