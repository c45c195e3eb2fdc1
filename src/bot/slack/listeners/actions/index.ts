import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { feedbackActionIds, type FeedbackKind, markFeedbackReceived, type SlackBlock } from '../../../render/slack-answer-blocks.ts';
import { renderCorrectionModal } from '../../../render/slack-correction-modal.ts';
import { hashUserId } from '../../../../core/index.ts';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';

/**
 * The buttons under an answer. Each handler acknowledges first (Slack gives three seconds), then stores
 * the click on the conversation whose id the button carries.
 */
export function register(app: App, dependencies: SlackBotDependencies): void {
  const rate = (kind: FeedbackKind) =>
    app.action<BlockAction<ButtonAction>>(kind === 'helpful' ? feedbackActionIds.helpful : feedbackActionIds.notHelpful, async ({ ack, action, body, client }) => {
      await ack();
      const conversationId = action.value ?? '';
      await dependencies.core.recordFeedback(conversationId, { helpful: kind === 'helpful', by: hashUserId('slack', body.user.id) });
      const channel = body.channel?.id;
      const message = body.message;
      if (!channel || !message?.ts) return;
      // The message shows the click was received: the buttons give way to a short note.
      const blocks = markFeedbackReceived((message.blocks ?? []) as SlackBlock[], { kind, userId: body.user.id, conversationId });
      await client.chat.update({ channel, ts: message.ts, text: typeof message.text === 'string' ? message.text : 'Answer', blocks });
    });
  rate('helpful');
  rate('not_helpful');

  app.action<BlockAction<ButtonAction>>(feedbackActionIds.suggestCorrection, async ({ ack, action, body, client }) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!channel) return;
    const threadTs = body.message?.thread_ts ?? body.message?.ts;
    // The trigger id expires three seconds after the click: open the modal before any other work.
    await client.views.open({
      trigger_id: body.trigger_id,
      view: renderCorrectionModal({ conversationId: action.value ?? '', channel, ...(threadTs ? { threadTs } : {}) }) as never,
    });
  });
}
